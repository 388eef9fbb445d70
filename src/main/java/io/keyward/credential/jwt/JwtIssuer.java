package io.keyward.credential.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuer;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import com.nimbusds.jose.util.Base64URL;
import io.keyward.credential.keys.Certificates;
import io.keyward.credential.oauth2.TokenExchange;
import io.keyward.credential.keys.JwsSigners;
import io.keyward.credential.keys.Jwts;
import io.keyward.credential.keys.PrivateKeys;
import io.keyward.credential.keys.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

/**
 * Mints a short-lived JWT signed with the user's private key: {@code iss}, {@code sub},
 * {@code aud}, static claims, {@code iat}, {@code nbf}, {@code exp}, a unique {@code jti}, and a
 * {@code kid} (given, or the JWK thumbprint of RFC 7638), and {@code x5t#S256} when the key's
 * certificate is given.
 */
public final class JwtIssuer implements CredentialIssuer<JwtAuth> {
  static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
  private static final String KEY_FIELD = "spec.auth.jwt.signingKey.secretRef";
  private final TokenExchange exchange;
  private final JwsSigners signers;

  /** Mints only, signing with {@link JwsSigners#auto()}; {@code spec.auth.jwt.exchange} is refused. */
  public JwtIssuer() {
    this(null, JwsSigners.auto());
  }

  /** Mints, and exchanges minted JWTs through {@code http} where the spec asks for it. */
  public JwtIssuer(io.keyward.credential.http.HttpSender http) {
    this(http, JwsSigners.auto());
  }

  /**
   * @param http for {@code spec.auth.jwt.exchange}; {@code null}: exchanges are refused
   * @param signers what computes the signatures
   */
  public JwtIssuer(io.keyward.credential.http.HttpSender http, JwsSigners signers) {
    this.exchange = http == null ? null : new TokenExchange(http);
    this.signers = signers;
  }

  @Override
  public Class<JwtAuth> authClass() {
    return JwtAuth.class;
  }

  @Override
  public IssuedCredential issue(JwtAuth auth, IssueContext context) throws CredentialException {
    IssuedCredential minted = mintOne(auth, context);
    if (auth.exchange == null) {
      return minted;
    }
    if (exchange == null) {
      throw CredentialException.invalidConfiguration("spec.auth.jwt.exchange", "is not supported here");
    }
    var e = auth.exchange;
    IssuedCredential exchanged = exchange.exchange(minted.token(),
        new TokenExchange.Endpoint(e.url, e.tokenField, e.expiresAtField, e.headers, e.tokenType),
        context.clock().instant(), context.defaultLifetime(), context.caller());
    // the minted JWT is spent; generated keys and their publication stay with the connector
    return exchanged.withState(minted.state()).withPublication(minted.publication());
  }

  private IssuedCredential mintOne(JwtAuth auth, IssueContext context) throws CredentialException {
    if (auth.algorithm == null) {
      throw CredentialException.invalidConfiguration("spec.auth.jwt.algorithm", "is required");
    }
    if (auth.signingKey == null || (auth.signingKey.secretRef == null) == (auth.signingKey.generate == null)) {
      throw CredentialException.invalidConfiguration("spec.auth.jwt.signingKey",
          "exactly one of secretRef and generate must be set");
    }
    if (auth.signingKey.generate != null) {
      return GeneratedKeys.mint(auth, context, signers);
    }
    char[] passphrase = auth.signingKey.passphraseRef == null
        ? null : context.secrets().get(auth.signingKey.passphraseRef).strip().toCharArray();
    SigningKey key = PrivateKeys.parse(context.secrets().get(auth.signingKey.secretRef), passphrase, KEY_FIELD);
    Base64URL certificateThumbprint = auth.signingKey.certificateRef == null
        ? null : Certificates.sha256Thumbprint(context.secrets().get(auth.signingKey.certificateRef), key,
            "spec.auth.jwt.signingKey.certificateRef");
    JWSAlgorithm algorithm = JWSAlgorithm.parse(auth.algorithm.name());
    PrivateKeys.requireFits(key, algorithm, "spec.auth.jwt.algorithm");
    Duration ttl = ttl(auth);

    String keyId = auth.keyId != null ? auth.keyId : key.keyId();
    return mint(auth, key, signer(signers, key, algorithm), algorithm, keyId, certificateThumbprint, ttl,
        context.clock().instant());
  }

  /** The signer for a parsed key, or a clear condition when the key cannot sign. */
  static JWSSigner signer(JwsSigners signers, SigningKey key, JWSAlgorithm algorithm) throws CredentialException {
    return Jwts.signer(signers, key, algorithm, KEY_FIELD);
  }

  /** Builds and signs one JWT with a parsed key and its signer (what the benchmark measures). */
  static IssuedCredential mint(JwtAuth auth, SigningKey key, JWSSigner signer, JWSAlgorithm algorithm,
      String givenKeyId,
      Base64URL certificateThumbprint, Duration ttl, Instant instant) throws CredentialException {
    Instant now = instant.truncatedTo(ChronoUnit.SECONDS);
    Instant expiresAt = now.plus(ttl);
    Instant issuedAt = now.minus(backdate(auth));
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
    if (auth.claims != null && auth.claims.extra != null) {
      auth.claims.extra.forEach(claims::claim); // first, so that they cannot override the registered claims
    }
    claims.notBeforeTime(Date.from(issuedAt));
    if (auth.claims != null) {
      claims.issuer(auth.claims.issuer).subject(auth.claims.subject);
      if (auth.claims.audience != null && !auth.claims.audience.isEmpty()) {
        claims.audience(auth.claims.audience);
      }
    }
    String keyId;
    try {
      keyId = givenKeyId != null ? givenKeyId : key.publicJwk().computeThumbprint().toString();
    } catch (JOSEException e) {
      throw CredentialException.invalidConfiguration(KEY_FIELD, JwsSigners.cannotSign(e, algorithm));
    }
    String token = Jwts.sign(algorithm, keyId, certificateThumbprint, claims, issuedAt, expiresAt, signer, KEY_FIELD)
        .serialize();
    return IssuedCredential.authorization("Bearer", token, now, expiresAt);
  }

  private static Duration backdate(JwtAuth auth) throws CredentialException {
    try {
      Duration d = auth.backdate == null ? Duration.ZERO : GoDuration.parse(auth.backdate, "spec.auth.jwt.backdate");
      if (d.compareTo(Duration.ofMinutes(5)) > 0) {
        throw CredentialException.invalidConfiguration("spec.auth.jwt.backdate", "must be at most 5m");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw CredentialException.terminal("InvalidConfiguration", e.getMessage());
    }
  }

  /** {@code spec.auth.jwt.ttl}, at least 1 s; for keys from a Secret and generated keys alike. */
  static Duration ttl(JwtAuth auth) throws CredentialException {
    return Jwts.lifetime(auth.ttl, DEFAULT_TTL, "spec.auth.jwt.ttl");
  }
}
