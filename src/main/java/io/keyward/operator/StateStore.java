package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
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

  Optional<StoredCredential> load(ApiConnector connector, String stateSecretName) throws CredentialException {
    Optional<Secret> secret = secrets.get(connector.getMetadata().getNamespace(), stateSecretName);
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    requireOwned(secret.get(), connector);
    return Optional.ofNullable(StoredCredential.fromData(SecretData.decode(secret.get())));
  }

  /** Persists {@code stored}; a concurrent or stale writer fails with a 409 conflict. */
  void save(ApiConnector connector, String stateSecretName, StoredCredential stored) throws CredentialException {
    String namespace = connector.getMetadata().getNamespace();
    Secret existing = secrets.get(namespace, stateSecretName).orElse(null);
    if (existing != null) {
      requireOwned(existing, connector);
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
        .withData(SecretData.encode(stored.toData()))
        .build();
    // On a conflict, decide again on the latest version: ours replaces it only if it holds nothing newer
    // (a writer whose cache was behind, or emptied by a stop). If another writer stored a credential
    // issued later, the conflict is thrown and the caller keeps ours pending.
    secrets.write(ResourceID.fromResource(connector), desired, existing, latest -> notNewerThan(latest, stored));
  }

  private static boolean notNewerThan(Secret latest, StoredCredential ours) {
    StoredCredential theirs = StoredCredential.fromData(SecretData.decode(latest));
    return theirs == null || !theirs.credential().issuedAt().isAfter(ours.credential().issuedAt());
  }

  private static void requireOwned(Secret secret, ApiConnector connector) throws CredentialException {
    if (!Labels.ownedBy(secret, connector)) {
      throw CredentialException.terminal("SecretConflict", "Secret " + secret.getMetadata().getNamespace() + "/"
          + secret.getMetadata().getName() + " exists and is not managed by this connector; Keyward will not overwrite it");
    }
  }
}
