package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.credential.CredentialException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves the Secret keys an auth block references, from the cache, in the connector's own
 * namespace only, and only Secrets the {@link SecretReferencePolicy} allows. A missing Secret or
 * key, or a refused one, is a condition that clears by itself once the Secret appears or changes
 * (the Secret informer triggers the reconcile).
 */
final class SecretInputs {
  static final String FORBIDDEN = "ForbiddenSecretReference";
  private final Lookup secrets;
  private final SecretReferencePolicy policy;

  /** Where Secrets are read from: the informer cache ({@link Secrets#get}). */
  interface Lookup {
    java.util.Optional<Secret> get(String namespace, String name);
  }

  SecretInputs(Lookup secrets, SecretReferencePolicy policy) {
    this.secrets = secrets;
    this.policy = policy;
  }

  /** The resolved values, keyed by reference, in spec order. */
  Map<SecretKeyRef, String> resolve(ApiConnector connector, AuthMethod auth) throws CredentialException {
    return resolve(connector, auth, field -> true);
  }

  /** The resolved values of the references whose field {@code wanted} accepts. */
  Map<SecretKeyRef, String> resolve(ApiConnector connector, AuthMethod auth, java.util.function.Predicate<String> wanted)
      throws CredentialException {
    String namespace = connector.getMetadata().getNamespace();
    Map<SecretKeyRef, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, SecretKeyRef> field : auth.secretRefsByField().entrySet()) {
      if (!wanted.test(field.getKey())) {
        continue;
      }
      SecretKeyRef ref = field.getValue();
      if (ref.name == null || ref.name.isBlank() || ref.key == null || ref.key.isBlank()) {
        throw CredentialException.invalidConfiguration("spec.auth." + auth.type(), "a Secret reference needs name and key");
      }
      if (ref.namespace != null && !ref.namespace.isBlank() && !ref.namespace.equals(namespace)) {
        throw CredentialException.terminal("CrossNamespaceReference",
            "Secret " + ref.namespace + "/" + ref.name + " is in another namespace; a connector may only read"
                + " Secrets in its own namespace (" + namespace + ")");
      }
      var byName = SecretReferencePolicy.refusalByName(ref.name);
      if (byName.isPresent()) {
        throw forbidden(field.getKey(), namespace, ref.name, ref.key, byName.get());
      }
      Secret secret = secrets.get(namespace, ref.name).orElseThrow(() -> CredentialException.terminal(
          "SecretNotFound", "Secret " + namespace + "/" + ref.name + " (key " + ref.key + ") does not exist"));
      var refusal = policy.refusal(secret);
      if (refusal.isPresent()) {
        throw forbidden(field.getKey(), namespace, ref.name, ref.key, refusal.get());
      }
      String value = SecretData.decode(secret).get(ref.key);
      if (value == null && auth.isOptional(field.getKey())) {
        continue; // left out, as the block allows
      }
      if (value == null) {
        throw CredentialException.terminal("SecretNotFound",
            "Secret " + namespace + "/" + ref.name + " has no key " + ref.key);
      }
      values.put(ref, value);
    }
    return values;
  }

  private static CredentialException forbidden(String field, String namespace, String name, String key, String why) {
    return CredentialException.terminal(FORBIDDEN, field + ": Secret " + namespace + "/" + name + " (key " + key + ") " + why);
  }
}
