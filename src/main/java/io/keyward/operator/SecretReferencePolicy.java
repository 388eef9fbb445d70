package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.Map;
import java.util.Optional;

/**
 * Which Secrets of its namespace a connector may read (DESIGN §9). Whoever may create an
 * ApiConnector may use the namespace's Secrets as a pod author may; Keyward refuses, in every mode:
 *
 * <ul>
 *   <li>Keyward's own state Secrets (refresh tokens, generated private keys), of any connector:
 *       recognised by the reserved name suffix {@code -keyward-state} alone (so a state Secret whose
 *       labels were stripped is still refused), by the label {@code keyward.io/role=state}, and by
 *       any Secret labelled {@code app.kubernetes.io/managed-by=keyward} whose role is not
 *       {@code output} (Keyward-internal by default). A tenant who dresses up a Secret of their
 *       own as one only refuses it to themselves;
 *   <li>service-account token Secrets ({@code kubernetes.io/service-account-token}): an identity
 *       for the API server, not an integration credential.
 * </ul>
 *
 * Other connectors' output Secrets are allowed: they hold what any pod of the namespace may
 * mount. In strict mode ({@code --require-secret-label}) a Secret must also carry
 * {@link #REFERENCEABLE}{@code ="true"}. Nothing here reads a Secret's data.
 */
final class SecretReferencePolicy {
  /** The opt-in label strict mode requires on every Secret a connector reads. */
  static final String REFERENCEABLE = "keyward.io/referenceable";
  static final String SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";

  private final boolean requireLabel;

  SecretReferencePolicy(boolean requireLabel) {
    this.requireLabel = requireLabel;
  }

  /** Why no connector may read a Secret of this name, known before it is looked up. */
  static Optional<String> refusalByName(String name) {
    return name.endsWith(ConnectorSettings.STATE_SUFFIX)
        ? Optional.of("is Keyward's state (the name suffix " + ConnectorSettings.STATE_SUFFIX
            + " is reserved for it: refresh tokens, generated keys); connectors may not read Keyward's state")
        : Optional.empty();
  }

  /** Why a connector may not read {@code secret}, or empty when it may. Looks only at name, type and labels. */
  Optional<String> refusal(Secret secret) {
    Optional<String> byName = refusalByName(secret.getMetadata().getName());
    if (byName.isPresent()) {
      return byName;
    }
    Map<String, String> labels = secret.getMetadata().getLabels() == null ? Map.of() : secret.getMetadata().getLabels();
    String role = labels.get(Labels.ROLE);
    if (StateStore.ROLE.equals(role)) {
      return Optional.of("is Keyward's state (label " + Labels.ROLE + "=" + StateStore.ROLE
          + "); connectors may not read Keyward's state");
    }
    if (Labels.KEYWARD.equals(labels.get(Labels.MANAGED_BY)) && !OutputSecret.ROLE.equals(role)) {
      return Optional.of("is managed by Keyward and is not an output Secret (label " + Labels.MANAGED_BY + "="
          + Labels.KEYWARD + " without " + Labels.ROLE + "=" + OutputSecret.ROLE
          + "); connectors may not read Keyward's state");
    }
    if (SERVICE_ACCOUNT_TOKEN.equals(secret.getType())) {
      return Optional.of("is a service-account token (type " + SERVICE_ACCOUNT_TOKEN
          + "); connectors may not read service-account tokens");
    }
    if (requireLabel && !"true".equals(labels.get(REFERENCEABLE))) {
      return Optional.of("does not carry the label " + REFERENCEABLE + "=true, which this operator requires"
          + " (--require-secret-label); add it to the Secret to let connectors read it");
    }
    return Optional.empty();
  }
}
