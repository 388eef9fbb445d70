package io.keyward.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyward.admission.Admission;
import io.keyward.admission.Cause;
import io.keyward.admission.ConnectorValidator;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.StoredSpec;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The spec a connector that names a provider stands for: the profile merged with the connector's
 * own fields, judged by the CRD's schema and CEL rules (the very ones the API server applied to the
 * connector's part), so a merged spec that lacks something fails with the message a full spec
 * lacking it would get.
 *
 * @param spec the merged spec, naming no provider
 * @param profile the profile it came from
 */
public record EffectiveSpec(ApiConnectorSpec spec, ProviderProfile profile) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code spec} merged with the profile it names; {@code spec.provider} must be set. */
  public static EffectiveSpec resolve(ApiConnectorSpec spec, String name, String namespace, ProviderSource catalog)
      throws ProfileException {
    ProviderProfile profile = catalog.require(spec.provider);
    ObjectNode merged = ProfileMerge.merge(profile, JSON.valueToTree(spec));
    ObjectNode connector = JSON.createObjectNode();
    connector.put("apiVersion", "keyward.io/v1alpha1").put("kind", "ApiConnector");
    connector.putObject("metadata").put("name", name).put("namespace", namespace);
    connector.set("spec", merged);
    Admission admission = ConnectorValidator.fromGeneratedCrd().admit(connector, Optional.empty());
    if (!admission.unknownFields().isEmpty()) {
      // the connector's own unknown fields were pruned by the API server: these came from the profile
      throw new ProfileException("InvalidProfile", "provider " + profile.name() + " (" + profile.source()
          + ") sets fields an ApiConnector spec does not have: " + String.join(", ", admission.unknownFields()));
    }
    if (!admission.errors().isEmpty()) {
      throw new ProfileException("InvalidConfiguration", "the spec merged with provider " + profile.name() + " ("
          + profile.source() + ") is invalid: " + admission.errors().stream().map(Cause::toString)
          .collect(Collectors.joining("; ")));
    }
    JsonNode pruned = admission.pruned().path("spec");
    ApiConnectorSpec read = StoredSpec.read(pruned);
    if (read.problem().isPresent()) {
      throw new ProfileException("InvalidConfiguration", "the spec merged with provider " + profile.name()
          + " cannot be read: " + read.problem().get().message());
    }
    return new EffectiveSpec(read, profile);
  }
}
