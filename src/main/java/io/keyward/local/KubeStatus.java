package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code Status} answers and {@code Warning} headers of kube-apiserver, in its words, for what
 * local mode refuses itself (the admission's own refusals come whole from {@link LocalAdmission}).
 */
final class KubeStatus {
  private KubeStatus() {}

  /** HTTP 400, reason {@code BadRequest}. */
  static ObjectNode badRequest(String message) {
    return failure(400, "BadRequest", message);
  }

  /** HTTP 500, reason {@code InternalError}. */
  static ObjectNode internalError(String message) {
    return failure(500, "InternalError", message);
  }

  /**
   * HTTP 422, reason {@code Invalid}, as {@code errors.NewInvalid} builds it: one cause per field
   * error, the message {@code <kind> "<name>" is invalid: <field>: <detail>, ...}.
   *
   * @param group the group of the kind ("" for none)
   * @param kind "" for none
   * @param causes each {field, message}, the message as {@code field.Error.ErrorBody()} writes it
   */
  static ObjectNode invalid(String group, String kind, String name, List<Map.Entry<String, String>> causes) {
    return io.keyward.admission.KubeStatus.invalid(group, kind, name, causes.stream()
        .map(c -> new io.keyward.admission.Cause(c.getKey(), io.keyward.admission.Cause.INVALID, c.getValue()))
        .toList());
  }

  /** {@code fieldValidation} with a value kube does not know: what {@code ValidateFieldValidation} answers. */
  static ObjectNode unsupportedFieldValidation(String options, String value) {
    ObjectNode status = failure(422, "Invalid", options + ".meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: "
        + quote(value) + ": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"");
    ObjectNode details = status.putObject("details");
    details.put("group", "meta.k8s.io").put("kind", options);
    details.putArray("causes").addObject().put("reason", "FieldValueNotSupported")
        .put("message", "Unsupported value: " + quote(value) + ": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"")
        .put("field", "fieldValidation");
    JsonNode code = status.remove("code");
    status.set("code", code);
    return status;
  }

  static ObjectNode failure(int code, String reason, String message) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return status;
  }

  static MockResponse response(JsonNode status) {
    int code = status.path("code").asInt(500);
    return LocalApiDispatcher.json(code, status.toString());
  }

  /** A {@code Warning} header value as kube writes it: {@code 299 - "<text>"}. */
  static String warning(String text) {
    return "299 - " + quote(text);
  }

  /** Go's {@code %q} (strconv.Quote): what kube's messages show values in. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    s.codePoints().forEach(c -> {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0x07 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case 0x0B -> out.append("\\v");
        default -> {
          if (c < 0x20 || c == 0x7F) {
            out.append(String.format("\\x%02x", c));
          } else if (Character.isISOControl(c) || !Character.isDefined(c)) {
            out.append(c > 0xFFFF ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
          } else {
            out.appendCodePoint(c);
          }
        }
      }
    });
    return out.append('"').toString();
  }

  /** The object as Go's json.Marshal writes a map: keys sorted, no spaces. */
  static String goJson(JsonNode node) {
    return sorted(node).toString();
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      Map<String, JsonNode> fields = new TreeMap<>();
      node.fields().forEachRemaining(e -> fields.put(e.getKey(), sorted(e.getValue())));
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      fields.forEach(copy::set);
      return copy;
    }
    if (node.isArray()) {
      var copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> copy.add(sorted(e)));
      return copy;
    }
    return node;
  }
}
