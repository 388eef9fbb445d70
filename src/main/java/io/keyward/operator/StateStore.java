package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The state Secret {@code <name>-keyward-state}: written first, with a resourceVersion
 * precondition, before anything is projected into the output Secret.
 */
final class StateStore {
  static final String ROLE = "state";
  private final Secrets secrets;

  StateStore(Secrets secrets) {
    this.secrets = secrets;
  }

  /**
   * The stored credential; for a record kept with the output Secret ({@link StoredCredential#keptWithOutput}),
   * with the credential the output Secret holds, or none when that is not this record's.
   */
  Optional<StoredCredential> load(ApiConnector connector, ConnectorSettings spec) throws CredentialException {
    String namespace = connector.getMetadata().getNamespace();
    Optional<Secret> secret = secrets.owned(namespace, spec.stateSecretName());
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    requireOwned(secret.get(), connector);
    Map<String, String> data = SecretData.decode(secret.get());
    if (!data.containsKey(StoredCredential.IN_OUTPUT)) {
      return Optional.ofNullable(StoredCredential.fromData(data));
    }
    return secrets.owned(namespace, spec.outputSecretName())
        .filter(output -> Labels.ownedBy(output, connector))
        .map(output -> StoredCredential.fromStateAndOutput(data, SecretData.decode(output),
            output.getMetadata().getAnnotations() == null ? Map.of() : output.getMetadata().getAnnotations()));
  }

  /**
   * Persists {@code stored} when the state Secret's data would change (a routine refresh of a credential
   * kept with the output Secret changes nothing here); a concurrent or stale writer fails with a 409
   * conflict.
   */
  void save(ApiConnector connector, String stateSecretName, StoredCredential stored) throws CredentialException {
    String namespace = connector.getMetadata().getNamespace();
    Secret existing = secrets.owned(namespace, stateSecretName).orElse(null);
    if (existing != null) {
      requireOwned(existing, connector);
    }
    Map<String, String> data = stored.toData();
    if (existing != null && StoredCredential.comparable(SecretData.decode(existing)).equals(StoredCredential.comparable(data))) {
      return;
    }
    Secret desired = new SecretBuilder()
        .withNewMetadata()
        .withName(stateSecretName)
        .withNamespace(namespace)
        .withLabels(Labels.owned(connector, ROLE))
        .addToAnnotations(Labels.CONNECTOR, connector.getMetadata().getName())
        .withOwnerReferences(Labels.ownerReference(connector))
        .endMetadata()
        .withType("Opaque")
        .withData(SecretData.encode(data))
        .build();
    // On a conflict, decide again on the latest version: ours replaces it only if it holds nothing newer
    // (a writer whose cache was behind, or emptied by a stop). If another writer stored a credential
    // issued later, the conflict is thrown and the caller keeps ours pending.
    secrets.write(ResourceID.fromResource(connector), desired, existing, latest -> notNewerThan(latest, stored));
  }

  private static boolean notNewerThan(Secret latest, StoredCredential ours) {
    Map<String, String> data = SecretData.decode(latest);
    String since = data.get(StoredCredential.IN_OUTPUT);
    if (since != null) { // a record kept with the output: when it was written
      try {
        return !Instant.parse(since).isAfter(ours.credential().issuedAt());
      } catch (java.time.format.DateTimeParseException e) {
        return true;
      }
    }
    StoredCredential theirs = StoredCredential.fromData(data);
    return theirs == null || !theirs.credential().issuedAt().isAfter(ours.credential().issuedAt());
  }

  private static void requireOwned(Secret secret, ApiConnector connector) throws CredentialException {
    if (!Labels.ownedBy(secret, connector)) {
      throw CredentialException.terminal("SecretConflict", "Secret " + secret.getMetadata().getNamespace() + "/"
          + secret.getMetadata().getName() + " exists and is not managed by this connector; Keyward will not overwrite it");
    }
  }
}
