package io.keyward.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Merges a Secret's {@code stringData} into base64 {@code data}, as the API server does on write. */
final class StringData {
  private StringData() {}

  static byte[] toData(byte[] body) {
    try {
      JsonNode json = Serialization.jsonMapper().readTree(body);
      if (!(json instanceof ObjectNode secret) || !(secret.get("stringData") instanceof ObjectNode stringData)) {
        return body;
      }
      ObjectNode data = secret.get("data") instanceof ObjectNode d ? d : secret.putObject("data");
      stringData.fields().forEachRemaining(e -> data.put(e.getKey(),
          Base64.getEncoder().encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8))));
      secret.remove("stringData");
      return Serialization.jsonMapper().writeValueAsBytes(secret);
    } catch (IOException e) {
      return body; // not JSON (e.g. a JSON patch array): leave it to the server
    }
  }
}
