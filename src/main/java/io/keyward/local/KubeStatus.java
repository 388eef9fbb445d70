package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;
import java.util.Map;

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
    return io.keyward.admission.GoValues.quote(s);
  }

  /** The object as Go's json.Marshal writes it: keys sorted, no spaces. */
  static String goJson(JsonNode node) {
    return io.keyward.admission.GoValues.marshal(node);
  }
}
