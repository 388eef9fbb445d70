package io.keyward.credential.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.PrivateKey;

/**
 * A private key read from a Secret, as a JWK (RSA, EC or Ed25519), with what came with it.
 *
 * @param jwk the private key and its public half
 * @param keyId a key ID given with the key (JWK {@code kid}, service-account {@code private_key_id}), or {@code null}
 * @param algorithm the JWS algorithm that fits the key by default
 * @param serviceAccountEmail the {@code client_email} of a Google service-account key file, or {@code null}
 * @param serviceAccountTokenUri the {@code token_uri} of a Google service-account key file, or {@code null}
 */
public record SigningKey(JWK jwk, String keyId, JWSAlgorithm algorithm, String serviceAccountEmail,
    String serviceAccountTokenUri) {

  /** The public half, for verification and for a JWKS. */
  public JWK publicJwk() {
    return jwk.toPublicJWK();
  }

  /** The JCA private key (RSA and EC only). */
  public PrivateKey privateKey() throws JOSEException {
    if (jwk instanceof RSAKey rsa) {
      return rsa.toPrivateKey();
    }
    if (jwk instanceof ECKey ec) {
      return ec.toPrivateKey();
    }
    throw new JOSEException("no JCA private key for " + jwk.getKeyType());
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "SigningKey[" + jwk.getKeyType() + ", kid=" + keyId + "]";
  }
}
