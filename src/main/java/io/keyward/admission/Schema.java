package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node of a CRD's structural schema ({@code openAPIV3Schema}), read from the CRD as written.
 * Keywords this validator does not implement make reading fail, so that a CRD that starts using
 * one is noticed by the build instead of being half-checked.
 */
final class Schema {
  private static final Set<String> UNSUPPORTED = Set.of("allOf", "anyOf", "oneOf", "not", "uniqueItems",
      "$ref", "patternProperties", "dependencies", "additionalItems", "definitions");

  final String type;
  final boolean nullable;
  final String format;
  final GoPattern pattern;
  final List<JsonNode> enumValues;
  final Double minimum;
  final Double maximum;
  final boolean exclusiveMinimum;
  final boolean exclusiveMaximum;
  final Double multipleOf;
  final Long minLength;
  final Long maxLength;
  final Long minItems;
  final Long maxItems;
  final Long minProperties;
  final Long maxProperties;
  final List<String> required;
  final Map<String, Schema> properties;
  /** The schema of map values, or null. */
  final Schema additionalProperties;
  final Schema items;
  final boolean preserveUnknownFields;
  final boolean intOrString;
  final boolean embeddedResource;
  final JsonNode defaultValue;
  final List<CelRules.Rule> rules;

  private Schema(JsonNode n, String at, CelRules cel) {
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (UNSUPPORTED.contains(name)) {
        throw new IllegalArgumentException(at + ": the schema keyword " + name + " is not supported by this validator");
      }
    }
    type = text(n, "type");
    nullable = n.path("nullable").asBoolean(false);
    format = text(n, "format");
    if (format != null) {
      Formats.requireImplemented(format, at);
    }
    pattern = n.hasNonNull("pattern") ? GoPattern.compile(n.get("pattern").asText()) : null;
    List<JsonNode> values = new ArrayList<>();
    n.path("enum").forEach(values::add);
    enumValues = List.copyOf(values);
    minimum = number(n, "minimum");
    maximum = number(n, "maximum");
    exclusiveMinimum = n.path("exclusiveMinimum").asBoolean(false);
    exclusiveMaximum = n.path("exclusiveMaximum").asBoolean(false);
    multipleOf = number(n, "multipleOf");
    minLength = integer(n, "minLength");
    maxLength = integer(n, "maxLength");
    minItems = integer(n, "minItems");
    maxItems = integer(n, "maxItems");
    minProperties = integer(n, "minProperties");
    maxProperties = integer(n, "maxProperties");
    List<String> req = new ArrayList<>();
    n.path("required").forEach(r -> req.add(r.asText()));
    required = List.copyOf(req);
    Map<String, Schema> props = new LinkedHashMap<>();
    n.path("properties").fields().forEachRemaining(e ->
        props.put(e.getKey(), new Schema(e.getValue(), at + ".properties." + e.getKey(), cel)));
    properties = props;
    JsonNode ap = n.get("additionalProperties");
    if (ap != null && ap.isBoolean() && !ap.booleanValue()) {
      throw new IllegalArgumentException(at + ": additionalProperties: false is not structural");
    }
    additionalProperties = ap != null && ap.isObject() ? new Schema(ap, at + ".additionalProperties", cel) : null;
    items = n.has("items") ? new Schema(n.get("items"), at + ".items", cel) : null;
    preserveUnknownFields = n.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
        || (ap != null && ap.isBoolean() && ap.booleanValue());
    intOrString = n.path("x-kubernetes-int-or-string").asBoolean(false);
    embeddedResource = n.path("x-kubernetes-embedded-resource").asBoolean(false);
    String listType = text(n, "x-kubernetes-list-type");
    if (listType != null && !listType.equals("atomic")) {
      throw new IllegalArgumentException(at + ": x-kubernetes-list-type " + listType + " is not supported by this validator");
    }
    defaultValue = n.get("default");
    List<CelRules.Rule> compiled = new ArrayList<>();
    n.path("x-kubernetes-validations").forEach(r -> compiled.add(cel.compile(r, at)));
    rules = List.copyOf(compiled);
  }

  static Schema read(JsonNode openApiV3Schema, CelRules cel) {
    return new Schema(openApiV3Schema, "openAPIV3Schema", cel);
  }

  /** The type names kube-openapi checks a value against ({@code integer,string} for int-or-string). */
  List<String> types() {
    if (intOrString) {
      return List.of("integer", "string");
    }
    return type == null ? List.of() : List.of(type);
  }

  /** True if this node or one below it has a CEL rule. */
  boolean hasRules() {
    if (!rules.isEmpty()) {
      return true;
    }
    for (Schema p : properties.values()) {
      if (p.hasRules()) {
        return true;
      }
    }
    return (additionalProperties != null && additionalProperties.hasRules()) || (items != null && items.hasRules());
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.doubleValue();
  }

  private static Long integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.longValue();
  }
}
