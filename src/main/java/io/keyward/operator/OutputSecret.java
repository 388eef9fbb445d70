package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Secret workloads mount, one shape for every auth type: {@code header-name},
 * {@code header-value}, {@code token}, {@code token-type}, {@code expires-at} (plus type-specific
 * extras such as {@code query-name}). Projected from state; written only when it differs.
 */
final class OutputSecret {
  static final String ROLE = "output";
  private final Secrets secrets;

  OutputSecret(Secrets secrets) {
    this.secrets = secrets;
  }

  static Secret desired(ApiConnector connector, String name, IssuedCredential c) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.CONNECTOR, connector.getMetadata().getName());
    annotations.put(Labels.ISSUED_AT, c.issuedAt().toString());
    annotations.put(Labels.EXPIRES_AT, c.expiresAt() == null ? "" : c.expiresAt().toString());
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(connector.getMetadata().getNamespace())
        .withLabels(Labels.owned(connector, ROLE))
        .withAnnotations(annotations)
        .withOwnerReferences(Labels.ownerReference(connector))
        .endMetadata()
        .withType("Opaque")
        .withData(SecretData.encode(c.outputData()))
        .build();
  }

  /** Writes the output Secret when its content differs from {@code credential}; returns whether it wrote. */
  boolean project(ApiConnector connector, String name, IssuedCredential credential) throws CredentialException {
    Secret existing = secrets.get(connector.getMetadata().getNamespace(), name).orElse(null);
    if (existing != null && !Labels.ownedBy(existing, connector)) {
      throw CredentialException.terminal("SecretConflict", "Secret " + connector.getMetadata().getNamespace() + "/"
          + name + " exists and is not managed by this connector; Keyward will not overwrite it"
          + " (choose another spec.output.secretName)");
    }
    Secret desired = desired(connector, name, credential);
    if (existing != null && upToDate(existing, desired)) {
      return false;
    }
    // derived from state: whatever a conflicting writer put there, the projection of state is right
    secrets.write(ResourceID.fromResource(connector), desired, existing, latest -> true);
    return true;
  }

  private static boolean upToDate(Secret existing, Secret desired) {
    var m = existing.getMetadata();
    return Objects.equals(existing.getData(), desired.getData())
        && m.getLabels() != null && m.getLabels().entrySet().containsAll(desired.getMetadata().getLabels().entrySet())
        && m.getAnnotations() != null
        && m.getAnnotations().entrySet().containsAll(desired.getMetadata().getAnnotations().entrySet());
  }
}
