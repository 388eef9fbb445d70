package io.keyward.credential.keys;

import com.nimbusds.jose.JWSAlgorithm;
import java.security.PrivateKey;

/**
 * A private key read from a Secret, with what came with it.
 *
 * @param key the key
 * @param keyId a key ID given with the key (JWK {@code kid}, service-account {@code private_key_id}), or {@code null}
 * @param algorithm the JWS algorithm that fits the key by default
 * @param serviceAccountEmail the {@code client_email} of a Google service-account key file, or {@code null}
 * @param serviceAccountTokenUri the {@code token_uri} of a Google service-account key file, or {@code null}
 */
public record SigningKey(PrivateKey key, String keyId, JWSAlgorithm algorithm, String serviceAccountEmail,
    String serviceAccountTokenUri) {

  /** Never prints the key. */
  @Override
  public String toString() {
    return "SigningKey[" + key.getAlgorithm() + ", kid=" + keyId + "]";
  }
}
