package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI v3 documents kubectl reads before a write with its default validation
 * ({@code --validate=strict}): the index {@code /openapi/v3} and one document per group version.
 *
 * <p>kubectl validates on the client only when the server cannot: for each object it looks up the
 * object's group version in {@code /openapi/v3} and, in that document, the PATCH operation whose
 * {@code x-kubernetes-group-version-kind} is the object's kind; when that operation takes a
 * {@code fieldValidation} query parameter it leaves validation to the server and sends
 * {@code fieldValidation=Strict}. Without these documents it falls back to {@code /openapi/v2}
 * and, finding none, refuses to apply ("failed to download openapi"). So every kind local mode
 * serves has its operations here; the ApiConnector's schema is the generated CRD's (what
 * {@code kubectl explain apiconnector.spec} shows), the others are minimal. No PATCH operation
 * lists strategic merge patch, so kubectl keeps computing those from its built-in types, and none
 * lists server-side apply, which the embedded server does not do.
 */
final class OpenApi {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";

  private OpenApi() {}

  /** A served kind with its schema (null: a minimal one). */
  record Kind(Discovery.Served served, JsonNode schema) {
    String group() {
      return served.group();
    }

    String version() {
      return served.version();
    }

    String kind() {
      return served.kind();
    }

    String groupVersion() {
      return served.groupVersion();
    }

    String component() {
      if (group().isEmpty()) {
        return "io.k8s.api.core." + version() + "." + kind();
      }
      List<String> parts = new java.util.ArrayList<>(List.of(group().split("\\.")));
      java.util.Collections.reverse(parts);
      return String.join(".", parts) + "." + version() + "." + kind();
    }
  }

  /** Path (without query) to JSON document: the index and one document per group version. */
  static Map<String, String> documents(CustomResourceDefinition... crds) {
    Map<String, JsonNode> schemas = new java.util.HashMap<>();
    for (CustomResourceDefinition crd : crds) {
      schemas.put(crd.getSpec().getNames().getKind(), Serialization.jsonMapper().valueToTree(
          crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema()));
    }
    List<Kind> kinds = Discovery.SERVED.stream().map(served -> new Kind(served, schemas.get(served.kind()))).toList();
    Map<String, List<Kind>> byGroupVersion = new LinkedHashMap<>();
    for (Kind kind : kinds) {
      byGroupVersion.computeIfAbsent(kind.served().root().substring(1), k -> new java.util.ArrayList<>()).add(kind);
    }
    Map<String, String> documents = new LinkedHashMap<>();
    ObjectNode index = F.objectNode();
    ObjectNode paths = index.putObject("paths");
    byGroupVersion.forEach((path, group) -> {
      String document = document(group).toString();
      documents.put("/openapi/v3/" + path, document);
      paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash(document));
    });
    documents.put("/openapi/v3", index.toString());
    return documents;
  }

  static ObjectNode document(List<Kind> kinds) {
    ObjectNode doc = F.objectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", Discovery.GIT_VERSION);
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    for (Kind kind : kinds) {
      schemas.set(kind.component(), objectSchema(kind));
      schemas.set(kind.component() + "List", listSchema(kind));
      String collection = kind.served().collection("{namespace}");
      String item = collection + "/{name}";
      ObjectNode list = paths.putObject(collection);
      list.set("get", operation(kind, "list", kind.component() + "List", null));
      list.set("post", operation(kind, "post", kind.component(), List.of("application/json")));
      ObjectNode one = paths.putObject(item);
      one.set("get", operation(kind, "get", kind.component(), null));
      one.set("put", operation(kind, "put", kind.component(), List.of("application/json")));
      one.set("patch", operation(kind, "patch", kind.component(),
          List.of("application/json-patch+json", "application/merge-patch+json")));
      one.set("delete", operation(kind, "delete", META + "Status", null));
      if (kind.served().status()) {
        ObjectNode status = paths.putObject(item + "/status");
        status.set("get", operation(kind, "get", kind.component(), null));
        status.set("put", operation(kind, "put", kind.component(), List.of("application/json")));
        status.set("patch", operation(kind, "patch", kind.component(),
            List.of("application/json-patch+json", "application/merge-patch+json")));
      }
    }
    schemas.set(META + "ObjectMeta", objectMeta());
    schemas.set(META + "ListMeta", F.objectNode().put("type", "object")
        .put("description", "ListMeta describes metadata that synthetic resources must have."));
    schemas.set(META + "Patch", F.objectNode().put("type", "object")
        .put("description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."));
    schemas.set(META + "Status", F.objectNode().put("type", "object")
        .put("description", "Status is a return value for calls that don't return other objects."));
    return doc;
  }

  private static ObjectNode operation(Kind kind, String action, String response, List<String> bodyTypes) {
    ObjectNode op = F.objectNode();
    op.put("operationId", action + kind.kind());
    op.putArray("tags").add(kind.groupVersion().replace('/', '_'));
    ArrayNode parameters = op.putArray("parameters");
    if (kind.served().namespaced()) {
      parameters.add(parameter("namespace", "path", "object name and auth scope, such as for teams and projects"));
    }
    if (!"list".equals(action) && !"post".equals(action)) {
      parameters.add(parameter("name", "path", "name of the " + kind.kind()));
    }
    if (bodyTypes != null) {
      parameters.add(parameter("dryRun", "query", "When present, indicates that modifications should not be persisted."));
      parameters.add(parameter("fieldManager", "query",
          "fieldManager is a name associated with the actor or entity that is making these changes."));
      parameters.add(parameter("fieldValidation", "query", "fieldValidation instructs the server on how to handle "
          + "objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields: Ignore, Warn (the "
          + "default) or Strict."));
      ObjectNode content = op.putObject("requestBody").put("required", true).putObject("content");
      String bodySchema = "patch".equals(action) ? META + "Patch" : response;
      for (String type : bodyTypes) {
        content.putObject(type).set("schema", ref(bodySchema));
      }
    }
    op.putObject("responses").putObject("200").put("description", "OK").putObject("content")
        .putObject("application/json").set("schema", ref(response));
    op.put("x-kubernetes-action", action);
    op.set("x-kubernetes-group-version-kind", gvk(kind));
    return op;
  }

  private static ObjectNode objectSchema(Kind kind) {
    ObjectNode schema = kind.schema() != null && kind.schema().isObject()
        ? (ObjectNode) kind.schema().deepCopy() : F.objectNode().put("type", "object");
    if (!schema.has("description")) {
      schema.put("description", kind.kind() + " as local mode serves it.");
    }
    ObjectNode properties = schema.get("properties") instanceof ObjectNode p ? p : schema.putObject("properties");
    properties.putObject("apiVersion").put("type", "string").put("description", "APIVersion defines the versioned "
        + "schema of this representation of an object.");
    properties.putObject("kind").put("type", "string").put("description", "Kind is a string value representing the "
        + "REST resource this object represents.");
    ObjectNode metadata = properties.putObject("metadata");
    metadata.putArray("allOf").add(ref(META + "ObjectMeta"));
    metadata.put("description", "Standard object's metadata.");
    if (kind.schema() == null) {
      schema.put("x-kubernetes-preserve-unknown-fields", true);
    }
    schema.putArray("x-kubernetes-group-version-kind").add(gvk(kind));
    return schema;
  }

  private static ObjectNode listSchema(Kind kind) {
    ObjectNode schema = F.objectNode().put("type", "object").put("description", kind.kind() + "List is a list of "
        + kind.kind() + ".");
    schema.putArray("required").add("items");
    ObjectNode properties = schema.putObject("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("items").put("type", "array").set("items", ref(kind.component()));
    properties.putObject("metadata").putArray("allOf").add(ref(META + "ListMeta"));
    schema.putArray("x-kubernetes-group-version-kind").add(F.objectNode().put("group", kind.group())
        .put("kind", kind.kind() + "List").put("version", kind.version()));
    return schema;
  }

  private static ObjectNode objectMeta() {
    ObjectNode schema = F.objectNode().put("type", "object").put("description", "ObjectMeta is metadata that all "
        + "persisted resources must have, which includes all objects users must create.");
    ObjectNode p = schema.putObject("properties");
    for (String name : List.of("name", "namespace", "generateName", "uid", "resourceVersion")) {
      p.putObject(name).put("type", "string");
    }
    p.putObject("generation").put("type", "integer").put("format", "int64");
    p.putObject("creationTimestamp").put("type", "string").put("format", "date-time");
    p.putObject("deletionTimestamp").put("type", "string").put("format", "date-time");
    for (String name : List.of("labels", "annotations")) {
      p.putObject(name).put("type", "object").putObject("additionalProperties").put("type", "string");
    }
    p.putObject("finalizers").put("type", "array").putObject("items").put("type", "string");
    p.putObject("ownerReferences").put("type", "array").putObject("items").put("type", "object")
        .put("x-kubernetes-preserve-unknown-fields", true);
    p.putObject("managedFields").put("type", "array").putObject("items").put("type", "object")
        .put("x-kubernetes-preserve-unknown-fields", true);
    return schema;
  }

  private static ObjectNode parameter(String name, String in, String description) {
    ObjectNode p = F.objectNode().put("name", name).put("in", in).put("description", description);
    if ("path".equals(in)) {
      p.put("required", true);
    }
    p.putObject("schema").put("type", "string").put("uniqueItems", true);
    return p;
  }

  private static ObjectNode gvk(Kind kind) {
    return F.objectNode().put("group", kind.group()).put("kind", kind.kind()).put("version", kind.version());
  }

  private static ObjectNode ref(String component) {
    return F.objectNode().put("$ref", "#/components/schemas/" + component);
  }

  private static String hash(String document) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-512").digest(document.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
