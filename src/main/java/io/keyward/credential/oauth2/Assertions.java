package io.keyward.credential.oauth2;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.api.v1alpha1.auth.JwtAssertion;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.keys.JwsSigners;
import io.keyward.credential.keys.Jwts;
import io.keyward.credential.keys.PrivateKeys;
import io.keyward.credential.keys.SigningKey;
import com.nimbusds.jose.util.Base64URL;
import io.keyward.credential.keys.Certificates;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Signs RFC 7523 JWTs: client assertions ({@code privateKeyJwt}) and authorization grants
 * ({@code jwtBearer}), with the injected clock, a unique {@code jti} and a short {@code exp}.
 */
final class Assertions {
  static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  private Assertions() {}

  /**
   * @param field the spec field of the assertion, named in errors
   * @param defaultIssuer iss when neither the spec nor a service-account key gives one
   * @param scopes put into a {@code scope} claim with {@code scopeClaim}, by default for service-account
   *     keys (Google and DocuSign read them there)
   */
  static SignedJWT sign(JwtAssertion spec, String field, IssueContext context, String defaultIssuer, URI tokenUrl,
      List<String> scopes, JwsSigners signers) throws CredentialException {
    SigningKey key = PrivateKeys.parse(context.secrets().get(spec.keyRef), field + ".keyRef");
    JWSAlgorithm algorithm = spec.algorithm == null ? key.algorithm() : JWSAlgorithm.parse(spec.algorithm);
    PrivateKeys.requireFits(key, algorithm, field + ".algorithm");
    Duration lifetime = Jwts.lifetime(spec.lifetime, DEFAULT_LIFETIME, field + ".lifetime");
    boolean serviceAccount = key.serviceAccountEmail() != null;
    String issuer = spec.issuer != null ? spec.issuer : serviceAccount ? key.serviceAccountEmail() : defaultIssuer;
    if (issuer == null) {
      throw CredentialException.invalidConfiguration(field + ".issuer", "is required when there is no client ID");
    }
    String subject = spec.subject != null ? spec.subject : serviceAccount ? null : issuer;
    Instant now = context.clock().instant();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(subject)
        .audience(spec.audience != null ? spec.audience : tokenUrl.toString());
    boolean scopeClaim = spec.scopeClaim != null ? spec.scopeClaim : serviceAccount;
    if (scopeClaim && scopes != null && !scopes.isEmpty()) {
      claims.claim("scope", String.join(" ", scopes));
    }
    String keyId = spec.keyId != null ? spec.keyId : key.keyId();
    Base64URL certificateThumbprint = spec.certificateRef == null ? null
        : Certificates.sha256Thumbprint(context.secrets().get(spec.certificateRef), key, field + ".certificateRef");
    return Jwts.sign(algorithm, keyId, certificateThumbprint, claims, now, now.plus(lifetime),
        Jwts.signer(signers, key, algorithm, field + ".keyRef"), field + ".keyRef");
  }
}
