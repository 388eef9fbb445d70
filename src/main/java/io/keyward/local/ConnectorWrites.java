package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates, updates and patches of ApiConnectors, through {@link LocalAdmission} as a real API
 * server puts them through the CRD's schema: a patch is applied to the stored object first and the
 * result admitted; what the admission pruned is reported as unknown fields by
 * {@link FieldValidation}; {@code dryRun} writes nothing. Everything else reaches the CRUD
 * dispatcher as before.
 */
final class ConnectorWrites {
  private static final Pattern PATH =
      Pattern.compile("^/apis/keyward\\.io/v1alpha1/namespaces/([^/]+)/apiconnectors(?:/([^/]+))?$");
  private static final int PATCH_ATTEMPTS = 5;

  private final Dispatcher crud;
  private final LocalAdmission admission;

  ConnectorWrites(Dispatcher crud, LocalAdmission admission) {
    this.crud = crud;
    this.admission = admission;
  }

  /** A create, update or patch of an ApiConnector (not its status). */
  static boolean handles(String method, String bare) {
    return ("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method)) && PATH.matcher(bare).matches();
  }

  /**
   * @param request the request with the write parameters already taken off its path
   * @param query the original query parameters
   */
  MockResponse write(RecordedRequest request, Map<String, String> query) {
    String method = request.getMethod();
    String options = switch (method) {
      case "POST" -> "CreateOptions";
      case "PUT" -> "UpdateOptions";
      default -> "PatchOptions";
    };
    String directive = query.getOrDefault("fieldValidation", "");
    Optional<FieldValidation> validation = FieldValidation.parse(directive);
    if (validation.isEmpty()) {
      return KubeStatus.response(KubeStatus.unsupportedFieldValidation(options, directive));
    }
    boolean dryRun = query.containsKey("dryRun");
    Matcher path = PATH.matcher(request.getPath().replaceAll("\\?.*$", ""));
    path.matches();
    String namespace = path.group(1);
    try {
      return switch (method) {
        case "POST" -> create(request, namespace, validation.get(), dryRun);
        case "PUT" -> update(request, namespace, validation.get(), dryRun);
        default -> patch(request, validation.get(), dryRun);
      };
    } catch (BadBody e) {
      return KubeStatus.response(e.status);
    }
  }

  private MockResponse create(RecordedRequest request, String namespace, FieldValidation validation, boolean dryRun) {
    ObjectNode object = body(request, namespace);
    Decision decision = decide(object, Optional.empty(), validation, false);
    if (decision.refusal != null) {
      return decision.refusal;
    }
    if (dryRun) {
      return withWarnings(LocalApiDispatcher.json(201, decision.stored.toString()), decision.warnings);
    }
    return withWarnings(crud.dispatch(with(request, HttpMethod.POST, request.getPath(), decision.stored)), decision.warnings);
  }

  private MockResponse update(RecordedRequest request, String namespace, FieldValidation validation, boolean dryRun) {
    ObjectNode object = body(request, namespace);
    Optional<JsonNode> old = current(request).map(Current::object);
    Decision decision = decide(object, old, validation, false);
    if (decision.refusal != null) {
      return decision.refusal;
    }
    if (dryRun) {
      return withWarnings(LocalApiDispatcher.json(200, decision.stored.toString()), decision.warnings);
    }
    return withWarnings(crud.dispatch(with(request, HttpMethod.PUT, request.getPath(), decision.stored)), decision.warnings);
  }

  private MockResponse patch(RecordedRequest request, FieldValidation validation, boolean dryRun) {
    String type = request.getHeader("Content-Type");
    boolean json = type != null && type.startsWith("application/json-patch+json");
    boolean merge = type != null && type.startsWith("application/merge-patch+json");
    if (!json && !merge) {
      return crud.dispatch(request); // apply patches and the like: the mock answers 415 as before
    }
    JsonNode patch;
    try {
      patch = Serialization.jsonMapper().readTree(request.getBody().getBytes());
    } catch (IOException e) {
      return KubeStatus.response(KubeStatus.badRequest("the patch is not JSON"));
    }
    boolean pinned = merge && patch.path("metadata").has("resourceVersion")
        || json && patch.toString().contains("/metadata/resourceVersion");
    MockResponse answer = null;
    for (int attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
      Current current = currentOrAnswer(request);
      if (current.answer != null) {
        return current.answer;
      }
      JsonNode patched;
      try {
        patched = merge ? MergePatch.merge(current.object.deepCopy(), patch) : JsonPatch.apply(patch, current.object);
      } catch (RuntimeException e) {
        return KubeStatus.response(KubeStatus.invalid("", "", "",
            List.of(Map.entry("patch", "Invalid value: " + KubeStatus.quote(patch.toString()) + ": "
                + e.getClass().getSimpleName()))));
      }
      if (!(patched instanceof ObjectNode object)) {
        return KubeStatus.response(KubeStatus.badRequest("the patched object is not a JSON object"));
      }
      Decision decision = decide(object, Optional.of(current.object), validation, true);
      if (decision.refusal != null) {
        return decision.refusal;
      }
      if (dryRun) {
        return withWarnings(LocalApiDispatcher.json(200, decision.stored.toString()), decision.warnings);
      }
      var put = request.getHeaders().newBuilder().set("Content-Type", "application/json").build();
      answer = withWarnings(crud.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.PUT, request.getPath(),
          put, new Buffer(bytes(decision.stored)))), decision.warnings);
      if (answer.code() != 409 || pinned) {
        return answer;
      }
      // someone wrote between our read and our write, and the patch named no resourceVersion:
      // a real server retries such a patch on the new object, and so do we
    }
    return answer;
  }

  /** The admission's verdict, then what kube's decoder says about unknown fields. */
  private Decision decide(ObjectNode object, Optional<JsonNode> old, FieldValidation validation, boolean patch) {
    LocalAdmission.Verdict verdict;
    try {
      verdict = admission.admit(object, old);
    } catch (RuntimeException e) {
      return Decision.refuse(KubeStatus.response(KubeStatus.internalError(
          "the admission of ApiConnectors failed (" + e.getClass().getSimpleName() + ")")));
    }
    JsonNode stored = verdict instanceof LocalAdmission.Admitted a ? a.stored() : ((LocalAdmission.Refused) verdict).pruned();
    List<String> unknown = stored == null ? List.of() : UnknownFields.between(object, stored);
    if (validation == FieldValidation.STRICT && !unknown.isEmpty()) {
      return Decision.refuse(KubeStatus.response(strict(object, unknown, patch)));
    }
    Set<String> warnings = new LinkedHashSet<>();
    Set<String> unknownWarnings = new LinkedHashSet<>();
    for (String field : unknown) {
      unknownWarnings.add("unknown field " + KubeStatus.quote(field));
    }
    if (validation == FieldValidation.WARN) {
      warnings.addAll(unknownWarnings);
    }
    List<String> own = verdict instanceof LocalAdmission.Admitted a ? a.warnings() : List.of();
    for (String warning : own) {
      if (!unknownWarnings.contains(warning)) {
        warnings.add(warning);
      }
    }
    if (verdict instanceof LocalAdmission.Refused refused) {
      return Decision.refuse(withWarnings(KubeStatus.response(refused.status()), List.copyOf(warnings)));
    }
    return new Decision(null, stored, List.copyOf(warnings));
  }

  /** kube's strict decoding error: a 400 for a create or update, a 422 on {@code patch} for a patch. */
  private static ObjectNode strict(ObjectNode object, List<String> unknown, boolean patch) {
    List<String> errors = new ArrayList<>();
    for (String field : unknown) {
      errors.add("unknown field " + KubeStatus.quote(field));
    }
    String strict = "strict decoding error: " + String.join(", ", errors);
    if (patch) {
      return KubeStatus.invalid("", "", "", List.of(Map.entry("patch",
          "Invalid value: " + KubeStatus.quote(KubeStatus.goJson(object)) + ": " + strict)));
    }
    String kind = object.path("kind").asText("");
    String apiVersion = object.path("apiVersion").asText("");
    String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
    return KubeStatus.badRequest(kind + " in version " + KubeStatus.quote(version) + " cannot be handled as a ApiConnector: "
        + strict);
  }

  private ObjectNode body(RecordedRequest request, String namespace) {
    JsonNode body;
    try {
      body = Serialization.jsonMapper().readTree(request.getBody().getBytes());
    } catch (IOException e) {
      throw new BadBody(KubeStatus.badRequest(
          "the object provided is unrecognized (must be of type ApiConnector): the body is not JSON"));
    }
    if (!(body instanceof ObjectNode object)) {
      throw new BadBody(KubeStatus.badRequest("the object provided is unrecognized (must be of type ApiConnector)"));
    }
    ObjectNode metadata = object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
    String sent = metadata.path("namespace").asText("");
    if (sent.isEmpty()) {
      metadata.put("namespace", namespace);
    } else if (!sent.equals(namespace)) {
      throw new BadBody(KubeStatus.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request"));
    }
    return object;
  }

  private record Current(JsonNode object, MockResponse answer) {}

  private Optional<Current> current(RecordedRequest request) {
    Current current = currentOrAnswer(request);
    return current.answer == null ? Optional.of(current) : Optional.empty();
  }

  private Current currentOrAnswer(RecordedRequest request) {
    var headers = request.getHeaders().newBuilder().set("Accept", "application/json").build();
    MockResponse response = crud.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.GET, request.getPath(),
        headers, new Buffer()));
    String body = response.getBody() == null ? "" : response.getBody().readUtf8();
    if (response.code() != 200) {
      return new Current(null, response.setBody(body));
    }
    try {
      return new Current(Serialization.jsonMapper().readTree(body), null);
    } catch (IOException e) {
      return new Current(null, KubeStatus.response(KubeStatus.internalError("the stored object is not JSON")));
    }
  }

  private static RecordedRequest with(RecordedRequest request, HttpMethod method, String path, JsonNode body) {
    return new RecordedRequest(request.getHttpVersion(), method, path, request.getHeaders(), new Buffer(bytes(body)));
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return Serialization.jsonMapper().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MockResponse withWarnings(MockResponse response, List<String> warnings) {
    for (String warning : warnings) {
      response.addHeader("Warning", KubeStatus.warning(warning));
    }
    return response;
  }

  private record Decision(MockResponse refusal, JsonNode stored, List<String> warnings) {
    static Decision refuse(MockResponse refusal) {
      return new Decision(refusal, null, List.of());
    }
  }

  private static final class BadBody extends RuntimeException {
    final transient ObjectNode status;

    BadBody(ObjectNode status) {
      super(status.path("message").asText(), null, false, false);
      this.status = status;
    }
  }
}
