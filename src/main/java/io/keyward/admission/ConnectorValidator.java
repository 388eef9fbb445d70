package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Judges an {@code ApiConnector} as kube-apiserver judges it on create and update, by the CRD the
 * build generates from the Java classes (one source of truth, DESIGN §10): prune unknown fields,
 * check {@code apiVersion}/{@code kind}, {@code metadata}, the {@code openAPIV3Schema}, then the
 * {@code x-kubernetes-validations} rules with a CEL engine, unless an earlier error already makes
 * the object unfit for them (apiextensions-apiserver {@code pkg/registry/customresource/strategy.go}:
 * a Required, NotSupported, TooLong, TooMany or TypeInvalid cause skips CEL and adds
 * {@code <nil>: Invalid value: null: some validation rules were not checked ...}).
 *
 * <p>Immutable and safe to share between threads.
 */
public final class ConnectorValidator {
  /** Where the crd-generator writes the CRD (process-classes), on the classpath of the build and the jar. */
  public static final String GENERATED_CRD = "/META-INF/fabric8/apiconnectors.keyward.io-v1.yml";
  public static final String GENERATED_PROVIDER_CRD = "/META-INF/fabric8/apiproviders.keyward.io-v1.yml";

  static final String NOT_CHECKED = "some validation rules were not checked because the object was invalid;"
      + " correct the existing errors to complete validation";
  private static final Set<String> BLOCKING = Set.of(Cause.NOT_SUPPORTED, Cause.REQUIRED, Cause.TOO_LONG,
      Cause.TOO_MANY, Cause.TYPE_INVALID);

  private static final Map<String, ConnectorValidator> GENERATED = new java.util.concurrent.ConcurrentHashMap<>();

  private final String group;
  private final String kind;
  private final String storageVersion;
  private final Map<String, Schema> schemas;
  private final CelRules cel;

  private ConnectorValidator(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    group = spec.path("group").asText();
    kind = spec.path("names").path("kind").asText();
    cel = new CelRules();
    Map<String, Schema> byVersion = new LinkedHashMap<>();
    String storage = null;
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      String name = version.path("name").asText();
      byVersion.put(name, Schema.read(version.path("schema").path("openAPIV3Schema"), cel));
      if (version.path("storage").asBoolean(false) || storage == null) {
        storage = name;
      }
    }
    if (byVersion.isEmpty()) {
      throw new IllegalArgumentException("the CRD serves no version with a schema");
    }
    schemas = byVersion;
    storageVersion = storage;
  }

  /** The validator of the CRD the build generated ({@link #GENERATED_CRD}); read once. */
  public static ConnectorValidator fromGeneratedCrd() {
    return generated(GENERATED_CRD);
  }

  /** The validator of the cluster-scoped ApiProvider CRD the build generated ({@link #GENERATED_PROVIDER_CRD}); read once. */
  public static ConnectorValidator fromGeneratedProviderCrd() {
    return generated(GENERATED_PROVIDER_CRD);
  }

  private static ConnectorValidator generated(String resource) {
    return GENERATED.computeIfAbsent(resource, r -> {
      try (InputStream in = ConnectorValidator.class.getResourceAsStream(r)) {
        if (in == null) {
          throw new IllegalStateException(r + " is not on the classpath (the crd-generator writes it"
              + " at process-classes)");
        }
        return fromCrd(new YAMLMapper().readTree(in));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** A validator of any CRD of this shape (tests, and later Keyward kinds). */
  static ConnectorValidator fromCrd(JsonNode crd) {
    return new ConnectorValidator(crd);
  }

  /** The API group, {@code keyward.io}. */
  public String group() {
    return group;
  }

  /** The kind, {@code ApiConnector}. */
  public String kind() {
    return kind;
  }

  /**
   * What the API server would make of {@code object} on a create ({@code old} empty) or an update
   * ({@code old} the stored object, for transition rules that use {@code oldSelf}).
   */
  public Admission admit(JsonNode object, Optional<JsonNode> old) {
    if (object == null || !object.isObject()) {
      String type = GoValues.jsonType(object);
      return new Admission(List.of(Cause.typeInvalid("<nil>", GoValues.quote(type),
          "a " + kind + " must be a JSON object, not " + type)), List.of(), object);
    }
    ObjectNode pruned = object.deepCopy();
    String apiVersion = pruned.path("apiVersion").asText("");
    String version = apiVersion.startsWith(group + "/") ? apiVersion.substring(group.length() + 1) : null;
    Schema root = schemas.getOrDefault(version, schemas.get(storageVersion));
    List<String> warnings = new ArrayList<>();
    Pruning.prune(pruned, root).forEach(path -> warnings.add(Admission.unknownFieldWarning(path)));

    List<Cause> errors = new ArrayList<>(typeMeta(pruned));
    if (errors.isEmpty()) {
      errors.addAll(ObjectMetaValidation.validate(pruned.get("metadata")));
      errors.addAll(SchemaValidation.validate(root, pruned));
    }
    if (root.hasRules()) {
      if (errors.stream().anyMatch(c -> BLOCKING.contains(c.type()))) {
        errors.add(Cause.invalid("<nil>", "null", NOT_CHECKED));
      } else {
        errors.addAll(RuleValidation.validate(cel, root, pruned, old.map(o -> pruned(o, root)).orElse(null)));
      }
    }
    return new Admission(errors, warnings, pruned);
  }

  /** The stored object as the API server holds it (a caller may hand it over unpruned). */
  private static JsonNode pruned(JsonNode old, Schema root) {
    if (!(old instanceof ObjectNode object)) {
      return old;
    }
    ObjectNode copy = object.deepCopy();
    Pruning.prune(copy, root);
    return copy;
  }

  /** {@code ValidateTypeMeta}: the object's kind and apiVersion must be this resource's. */
  private List<Cause> typeMeta(JsonNode object) {
    List<Cause> causes = new ArrayList<>();
    String k = object.path("kind").asText("");
    if (!k.equals(kind)) {
      causes.add(Cause.invalid("kind", GoValues.quote(k), "must be " + kind));
    }
    String apiVersion = object.path("apiVersion").asText("");
    String expected = group + "/" + storageVersion;
    boolean served = apiVersion.startsWith(group + "/") && schemas.containsKey(apiVersion.substring(group.length() + 1));
    if (!served) {
      causes.add(Cause.invalid("apiVersion", GoValues.quote(apiVersion), "must be " + expected));
    }
    return causes;
  }

  /** kube-apiserver's 422 {@code Status} for refusing the connector {@code name} for {@code causes}. */
  public static ObjectNode invalidStatus(String name, List<Cause> causes) {
    ConnectorValidator v = fromGeneratedCrd();
    return KubeStatus.invalid(v.group, v.kind, name, causes);
  }
}
