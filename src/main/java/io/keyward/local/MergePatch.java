package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;

/** JSON merge patch (RFC 7396) done right: read the object, merge, write it back with a PUT. */
final class MergePatch {
  private MergePatch() {}

  static MockResponse apply(Dispatcher crud, RecordedRequest patch) {
    var headers = patch.getHeaders().newBuilder().set("Content-Type", "application/json").build();
    MockResponse current = crud.dispatch(new RecordedRequest(patch.getHttpVersion(), HttpMethod.GET, patch.getPath(),
        headers, new Buffer()));
    String body = current.getBody() == null ? "" : current.getBody().readUtf8();
    if (current.getStatus() == null || !current.getStatus().contains(" 200")) {
      return current.setBody(body);
    }
    try {
      JsonNode merged = merge(Serialization.jsonMapper().readTree(body),
          Serialization.jsonMapper().readTree(patch.getBody().getBytes()));
      byte[] updated = Serialization.jsonMapper().writeValueAsBytes(merged);
      return crud.dispatch(new RecordedRequest(patch.getHttpVersion(), HttpMethod.PUT, patch.getPath(), headers,
          new Buffer(updated)));
    } catch (IOException e) {
      return LocalApiDispatcher.json(400, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
          + "\"reason\":\"BadRequest\",\"message\":\"the patch is not JSON\",\"code\":400}");
    }
  }

  static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : Serialization.jsonMapper().createObjectNode();
    patch.fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
      }
    });
    return result;
  }
}
