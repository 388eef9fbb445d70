package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The CRD's schema as a standalone JSON Schema for kubeconform (and kubeval), written as
 * kubeconform's {@code scripts/openapi2jsonschema.py} writes it: the version's
 * {@code openAPIV3Schema} as it is, {@code "additionalProperties": false} added to every object
 * with {@code properties} below the root (the root keeps accepting {@code apiVersion},
 * {@code kind} and {@code metadata}, which the CRD's schema does not list), {@code format:
 * int-or-string} replaced by a {@code oneOf}, in {@code json.dumps(indent=2)}'s layout, in a file
 * named {@code <kind>_<version>.json} in lower case. {@code nullable} and the {@code x-kubernetes-*}
 * keywords stay as they are: JSON Schema validators ignore them, so the CEL rules are checked by
 * {@code keyward validate} and the API server, not by kubeconform.
 */
final class PublishedJsonSchema {
  private PublishedJsonSchema() {}

  /** The file name kubeconform looks for ({@code {{.ResourceKind}}_{{.ResourceAPIVersion}}.json}). */
  static String fileName(JsonNode crd, String version) {
    return (crd.path("spec").path("names").path("kind").asText() + "_" + version).toLowerCase(java.util.Locale.ROOT)
        + ".json";
  }

  /** The JSON Schema of {@code version} of {@code crd}, as the file's text. */
  static String render(JsonNode crd, String version) {
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals(version)) {
        JsonNode schema = v.path("schema").path("openAPIV3Schema").deepCopy();
        additionalProperties(schema, true);
        JsonNode replaced = replaceIntOrString(schema);
        StringBuilder out = new StringBuilder();
        dump(replaced, 0, out);
        return out.append('\n').toString();
      }
    }
    throw new IllegalArgumentException("the CRD has no version " + version);
  }

  /** {@code additional_properties(data, skip)}. */
  private static void additionalProperties(JsonNode data, boolean skip) {
    if (data instanceof ObjectNode object) {
      if (object.has("properties") && !skip && !object.has("additionalProperties")) {
        object.put("additionalProperties", false);
      }
      object.elements().forEachRemaining(v -> additionalProperties(v, false));
    }
  }

  /** {@code replace_int_or_string(data)}. */
  private static JsonNode replaceIntOrString(JsonNode data) {
    if (data instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        JsonNode v = e.getValue();
        if (v.isObject() && "int-or-string".equals(v.path("format").asText(null))) {
          ObjectNode oneOf = GoValues.object();
          oneOf.putArray("oneOf").addObject().put("type", "string");
          ((com.fasterxml.jackson.databind.node.ArrayNode) oneOf.get("oneOf")).addObject().put("type", "integer");
          e.setValue(oneOf);
        } else if (v.isContainerNode()) {
          e.setValue(replaceIntOrString(v));
        }
      }
    } else if (data != null && data.isArray()) {
      for (int i = 0; i < data.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) data).set(i, replaceIntOrString(data.get(i)));
      }
    }
    return data;
  }

  /** Python's {@code json.dumps(value, indent=2)}. */
  private static void dump(JsonNode v, int depth, StringBuilder out) {
    if (v.isObject()) {
      if (v.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        indent(depth + 1, out);
        string(e.getKey(), out);
        out.append(": ");
        dump(e.getValue(), depth + 1, out);
        out.append(fields.hasNext() ? ",\n" : "\n");
      }
      indent(depth, out);
      out.append('}');
    } else if (v.isArray()) {
      if (v.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append("[\n");
      for (int i = 0; i < v.size(); i++) {
        indent(depth + 1, out);
        dump(v.get(i), depth + 1, out);
        out.append(i + 1 < v.size() ? ",\n" : "\n");
      }
      indent(depth, out);
      out.append(']');
    } else if (v.isTextual()) {
      string(v.textValue(), out);
    } else if (v.isBoolean()) {
      out.append(v.booleanValue() ? "true" : "false");
    } else if (v.isNull()) {
      out.append("null");
    } else if (v.isIntegralNumber()) {
      out.append(v.bigIntegerValue());
    } else {
      out.append(pythonFloat(v.doubleValue()));
    }
  }

  /** Python's {@code repr(float)} for the values a CRD holds (99.0, 1.5, 1e+16). */
  private static String pythonFloat(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e16) {
      return (long) d + ".0";
    }
    String s = Double.toString(d);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e).replaceAll("\\.0$", "");
    int exp = Integer.parseInt(s.substring(e + 1));
    return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
  }

  /** A JSON string with {@code ensure_ascii}: non-ASCII as {@code \\uXXXX}. */
  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void indent(int depth, StringBuilder out) {
    out.append("  ".repeat(depth));
  }
}
