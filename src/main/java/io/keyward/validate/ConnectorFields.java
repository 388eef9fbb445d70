package io.keyward.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyward.admission.ConnectorValidator;
import java.util.List;
import java.util.Optional;

/** The fields of a partial ApiConnector spec (an ApiProvider's {@code spec.connector}) that the CRD does not have. */
final class ConnectorFields {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConnectorFields() {}

  /** Paths such as {@code spec.auth.oauth2.tokenUri}, as the API server's pruning names them. */
  static List<String> unknown(ConnectorValidator validator, JsonNode spec) {
    if (spec == null || !spec.isObject()) {
      return List.of();
    }
    ObjectNode connector = JSON.createObjectNode();
    connector.put("apiVersion", validator.group() + "/v1alpha1").put("kind", validator.kind());
    connector.putObject("metadata").put("name", "profile").put("namespace", "default");
    connector.set("spec", spec.deepCopy());
    return validator.admit(connector, Optional.empty()).unknownFields();
  }
}
