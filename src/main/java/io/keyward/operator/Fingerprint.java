package io.keyward.operator;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * A digest of everything a credential was issued from: the auth block, the referenced Secret
 * values and the assumed lifetime. When it changes, the credential is re-issued. It is stored only
 * in the state Secret, next to the values it was computed from.
 */
final class Fingerprint {
  private Fingerprint() {}

  /** @param validation the connector's validation rules: fixing them retries a token that failed them */
  static String of(AuthMethod auth, Map<SecretKeyRef, String> inputs, Duration defaultLifetime, Object validation) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      update(digest, auth.type());
      update(digest, tokenRequestJson(auth));
      update(digest, defaultLifetime.toString());
      if (validation != null) {
        update(digest, validation.toString());
      }
      for (var e : inputs.entrySet()) {
        update(digest, e.getKey().name);
        update(digest, e.getKey().key);
        update(digest, e.getValue());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The auth block as JSON, without oauth2.authorizationUrl and revocationUrl: they name where users grant access and where tokens end, not how tokens are asked. */
  private static String tokenRequestJson(AuthMethod auth) {
    if (auth instanceof io.keyward.api.v1alpha1.auth.OAuth2Auth o && (o.authorizationUrl != null || o.revocationUrl != null)) {
      var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Serialization.jsonMapper().valueToTree(auth);
      tree.remove("authorizationUrl");
      tree.remove("revocationUrl");
      return tree.toString();
    }
    return Serialization.asJson(auth);
  }

  private static void update(MessageDigest digest, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
    digest.update((byte) ':');
    digest.update(bytes);
  }
}
