package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads what the API server stores into the model without ever failing.
 *
 * <p>A cluster may hold an {@code ApiConnector} that this model cannot read: an enum value a newer
 * CRD added, a number past an {@code int}, a field of the wrong type, written under an older or
 * newer CRD or straight into etcd. If reading threw, the Fabric8 informer would stop, JOSDK would
 * stop the operator, and every connector of every namespace would go unserved. So a spec is read
 * leniently: unknown fields are dropped (as a structural schema prunes them), and a spec that still
 * cannot be read becomes an {@link ApiConnectorSpec} that carries only the {@link SpecProblem}
 * (which field, what is wrong; never the value) and the stored JSON, written back unchanged so that
 * a copy of the resource is as unreadable as the original. The reconciler reports it on that one
 * connector ({@code InvalidSpec}).
 *
 * <p>The status is Keyward's own; one it cannot read (a newer version's) is read as none and
 * rebuilt on the next reconcile.
 */
public final class StoredSpec {
  private static final ObjectReader SPEC = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build()
      .readerFor(ApiConnectorSpec.class);
  private static final ObjectReader STATUS = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build()
      .readerFor(ApiConnectorStatus.class);

  private StoredSpec() {}

  /** A spec as stored, read into the model, or into a spec that carries only what is wrong with it. */
  public static ApiConnectorSpec read(JsonNode stored) {
    if (stored == null || stored.isNull() || stored.isMissingNode()) {
      return null;
    }
    if (!stored.isObject()) {
      return ApiConnectorSpec.unreadable(new SpecProblem("spec", "must be an object"), stored);
    }
    try {
      return SPEC.readValue(stored);
    } catch (DatabindException e) {
      return ApiConnectorSpec.unreadable(problem(e), stored);
    } catch (IOException | RuntimeException e) {
      // e.g. a number past an int, which the parser reports without a path
      return ApiConnectorSpec.unreadable(new SpecProblem("spec", "cannot be read (" + e.getClass().getSimpleName()
          + "); a value is out of range or of the wrong type"), stored);
    }
  }

  /** Names the field and says what is wrong with its value, without the value (it may be a secret). */
  static SpecProblem problem(DatabindException e) {
    String field = "spec" + ((JsonMappingException) e).getPath().stream()
        .map(r -> r.getFieldName() != null ? "." + fieldName(r.getFieldName()) : "[" + r.getIndex() + "]")
        .collect(Collectors.joining());
    if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
      String allowed = Arrays.stream(f.getTargetType().getEnumConstants()).map(Object::toString)
          .collect(Collectors.joining(", "));
      return new SpecProblem(field, "is not a supported value; this version of Keyward knows " + allowed);
    }
    if (e instanceof InvalidFormatException f && f.getTargetType() != null) {
      return new SpecProblem(field, "is not a valid " + kind(f.getTargetType()));
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return new SpecProblem(field, "has the wrong type: expected " + kind(m.getTargetType()));
    }
    if (e.getCause() instanceof InputCoercionException c) {
      return new SpecProblem(field, "is out of range for " + kind(c.getTargetType()));
    }
    return new SpecProblem(field, "cannot be read (" + e.getClass().getSimpleName() + ")");
  }

  /**
   * A field name as the path shows it. Names of the model's fields are identifiers; a map key
   * (extraParams, headers) is the user's text and may hold anything, a secret or a line break, so
   * it is shown only when it is a short plain identifier.
   */
  private static String fieldName(String name) {
    return name.matches("[A-Za-z0-9_.-]{1,64}") ? name : "[a key]";
  }

  private static String kind(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "integer";
    }
    if (Number.class.isAssignableFrom(type)) {
      return "number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "boolean";
    }
    if (type == String.class || type.isEnum()) {
      return "string";
    }
    if (List.class.isAssignableFrom(type) || type.isArray()) {
      return "list";
    }
    return "object";
  }

  /** Reads {@code spec} through {@link StoredSpec#read}. */
  public static final class Reader extends StdDeserializer<ApiConnectorSpec> {
    public Reader() {
      super(ApiConnectorSpec.class);
    }

    @Override
    public ApiConnectorSpec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return read(p.readValueAsTree());
    }
  }

  /** Writes a readable spec as usual and an unreadable one exactly as it was stored. */
  public static final class Writer extends StdSerializer<ApiConnectorSpec> {
    public Writer() {
      super(ApiConnectorSpec.class);
    }

    @Override
    public void serialize(ApiConnectorSpec spec, JsonGenerator gen, SerializerProvider provider) throws IOException {
      if (spec.stored() != null) {
        gen.writeTree(spec.stored());
      } else {
        provider.findValueSerializer(ApiConnectorSpec.class).serialize(spec, gen, provider);
      }
    }

    @Override
    public void acceptJsonFormatVisitor(JsonFormatVisitorWrapper visitor, JavaType type)
        throws JsonMappingException {
      visitor.getProvider().findValueSerializer(type).acceptJsonFormatVisitor(visitor, type);
    }
  }

  /** Reads {@code status}; one this version cannot read is read as none (the status builder rebuilds it). */
  public static final class StatusReader extends StdDeserializer<ApiConnectorStatus> {
    public StatusReader() {
      super(ApiConnectorStatus.class);
    }

    @Override
    public ApiConnectorStatus deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode stored = p.readValueAsTree();
      try {
        return stored == null || !stored.isObject() ? null : STATUS.readValue(stored);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }
  }
}
