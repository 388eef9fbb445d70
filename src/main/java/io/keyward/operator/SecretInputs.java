package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.credential.CredentialException;
import io.keyward.credential.SecretValues;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves the Secret keys an auth block references, from the cache, in the connector's own
 * namespace only. A missing Secret or key is a condition that clears by itself once the Secret
 * appears (the Secret informer triggers the reconcile).
 */
final class SecretInputs {
  private final Secrets secrets;

  SecretInputs(Secrets secrets) {
    this.secrets = secrets;
  }

  /** The resolved values, keyed by reference, in spec order. */
  Map<SecretKeyRef, String> resolve(ApiConnector connector, AuthMethod auth) throws CredentialException {
    String namespace = connector.getMetadata().getNamespace();
    Map<SecretKeyRef, String> values = new LinkedHashMap<>();
    for (SecretKeyRef ref : auth.secretRefs()) {
      if (ref.name == null || ref.name.isBlank() || ref.key == null || ref.key.isBlank()) {
        throw CredentialException.invalidConfiguration("spec.auth." + auth.type(), "a Secret reference needs name and key");
      }
      if (ref.namespace != null && !ref.namespace.isBlank() && !ref.namespace.equals(namespace)) {
        throw CredentialException.terminal("CrossNamespaceReference",
            "Secret " + ref.namespace + "/" + ref.name + " is in another namespace; a connector may only read"
                + " Secrets in its own namespace (" + namespace + ")");
      }
      Secret secret = secrets.get(namespace, ref.name).orElseThrow(() -> CredentialException.terminal(
          "SecretNotFound", "Secret " + namespace + "/" + ref.name + " (key " + ref.key + ") does not exist"));
      String value = SecretData.decode(secret).get(ref.key);
      if (value == null) {
        throw CredentialException.terminal("SecretNotFound",
            "Secret " + namespace + "/" + ref.name + " has no key " + ref.key);
      }
      values.put(ref, value);
    }
    return values;
  }

  static SecretValues asValues(Map<SecretKeyRef, String> resolved) {
    return SecretValues.of(resolved);
  }
}
