package io.keyward.credential.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.credential.CredentialException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * The one place Keyward builds and signs a JWT: minted tokens ({@code auth.jwt}) and RFC 7523
 * assertions ({@code privateKeyJwt}, {@code jwtBearer}) alike get {@code typ: JWT}, a {@code kid},
 * {@code iat}, an {@code exp} a lifetime of at least {@link #MIN_LIFETIME} later, a unique
 * {@code jti}, and a condition naming the key's field when the key cannot sign.
 */
public final class Jwts {
  /** The shortest lifetime of a JWT Keyward signs: shorter ones would be refreshed in a loop. */
  public static final Duration MIN_LIFETIME = Duration.ofSeconds(1);

  private Jwts() {}

  /** A lifetime from the spec ({@code fallback} when none), refused under {@link #MIN_LIFETIME}. */
  public static Duration lifetime(String text, Duration fallback, String field) throws CredentialException {
    try {
      Duration lifetime = text == null ? fallback : GoDuration.parse(text, field);
      if (lifetime == null || lifetime.compareTo(MIN_LIFETIME) < 0) {
        throw CredentialException.invalidConfiguration(field, "must be at least 1s");
      }
      return lifetime;
    } catch (IllegalArgumentException e) {
      throw CredentialException.terminal("InvalidConfiguration", e.getMessage());
    }
  }

  /** The signer for a parsed key, or a clear condition naming {@code keyField} when the key cannot sign. */
  public static JWSSigner signer(JwsSigners signers, SigningKey key, JWSAlgorithm algorithm, String keyField)
      throws CredentialException {
    try {
      return signers.signer(key);
    } catch (JOSEException e) {
      throw CredentialException.invalidConfiguration(keyField, JwsSigners.cannotSign(e, algorithm));
    }
  }

  /**
   * Completes {@code claims} with {@code iat}, {@code exp} and a fresh {@code jti} and signs them.
   *
   * @param certificateThumbprint the {@code x5t#S256} header, or {@code null}
   */
  public static SignedJWT sign(JWSAlgorithm algorithm, String keyId, Base64URL certificateThumbprint,
      JWTClaimsSet.Builder claims, Instant issuedAt, Instant expiresAt, JWSSigner signer, String keyField)
      throws CredentialException {
    claims.issueTime(Date.from(issuedAt))
        .expirationTime(Date.from(expiresAt))
        .jwtID(UUID.randomUUID().toString());
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(keyId)
        .x509CertSHA256Thumbprint(certificateThumbprint).build(), claims.build());
    try {
      jwt.sign(signer);
      return jwt;
    } catch (JOSEException e) {
      throw CredentialException.invalidConfiguration(keyField, JwsSigners.cannotSign(e, algorithm));
    }
  }
}
