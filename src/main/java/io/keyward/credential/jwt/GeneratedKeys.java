package io.keyward.credential.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.keys.JwsSigners;
import io.keyward.credential.keys.PrivateKeys;
import io.keyward.credential.keys.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Minting with keys Keyward generates and rotates; the key ring lives in the credential's state. */
final class GeneratedKeys {
  static final String STATE_KEY = "signing-keys";
  static final Duration DEFAULT_ROTATE_EVERY = Duration.ofDays(30);
  static final Duration DEFAULT_OVERLAP = Duration.ofHours(1);
  private static final String FIELD = "spec.auth.jwt.signingKey.generate";

  private GeneratedKeys() {}

  static IssuedCredential mint(JwtAuth auth, IssueContext context, JwsSigners signers) throws CredentialException {
    JwtAuth.Generate generate = auth.signingKey.generate;
    Duration rotateEvery = duration(generate.rotateEvery, DEFAULT_ROTATE_EVERY, FIELD + ".rotateEvery");
    Duration overlap = duration(generate.overlap, DEFAULT_OVERLAP, FIELD + ".overlap");
    if (overlap.compareTo(rotateEvery) >= 0) {
      throw CredentialException.invalidConfiguration(FIELD + ".overlap", "must be shorter than rotateEvery");
    }
    requireKeyParameters(generate);
    JWSAlgorithm algorithm = JWSAlgorithm.parse(auth.algorithm.name());
    Instant now = context.clock().instant();
    try {
      KeyRing ring = KeyRing.fromState(context.previousState().get(STATE_KEY));
      ring = ring.rotate(now, rotateEvery, overlap, () -> generate(generate));
      KeyRing.ManagedKey current = ring.signing(now).orElseThrow();
      SigningKey key = new SigningKey(current.jwk(), current.kid(), algorithm, null, null);
      PrivateKeys.requireFits(key, algorithm, "spec.auth.jwt.algorithm");
      Duration ttl = JwtIssuer.ttl(auth);
      IssuedCredential minted = JwtIssuer.mint(auth, key, JwtIssuer.signer(signers, key, algorithm), algorithm, current.kid(), null, ttl, now);
      ring = ring.signed(current.kid(), minted.expiresAt());
      return minted.withState(Map.of(STATE_KEY, ring.toState()))
          .withPublication(new IssuedCredential.KeyPublication(ring.publicJwks(), current.kid(),
              ring.nextRotation(now, rotateEvery, overlap)));
    } catch (JOSEException e) {
      throw CredentialException.invalidConfiguration(FIELD, "the key cannot be generated (" + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      throw CredentialException.terminal("InvalidConfiguration", e.getMessage());
    }
  }

  /** RSA sizes and EC curves Keyward generates (the CRD says the same); a 16384-bit key costs a minute of CPU. */
  static final java.util.Set<Long> RSA_SIZES = java.util.Set.of(2048L, 3072L, 4096L);
  static final java.util.Set<String> EC_CURVES = java.util.Set.of("P-256", "P-384");

  private static void requireKeyParameters(JwtAuth.Generate g) throws CredentialException {
    if (g.type == null) {
      throw CredentialException.invalidConfiguration(FIELD + ".type", "is required");
    }
    if (g.size != null && !RSA_SIZES.contains(g.size)) {
      throw CredentialException.invalidConfiguration(FIELD + ".size", "must be 2048, 3072 or 4096");
    }
    if (g.curve != null && !EC_CURVES.contains(g.curve)) {
      throw CredentialException.invalidConfiguration(FIELD + ".curve", "must be P-256 or P-384");
    }
  }

  private static JWK generate(JwtAuth.Generate g) throws JOSEException {
    return switch (g.type) {
      case RSA -> new RSAKeyGenerator(g.size == null ? 2048 : Math.toIntExact(g.size)).keyUse(KeyUse.SIGNATURE)
          .keyIDFromThumbprint(true).generate();
      case EC -> new ECKeyGenerator(g.curve == null ? Curve.P_256 : Curve.parse(g.curve)).keyUse(KeyUse.SIGNATURE)
          .keyIDFromThumbprint(true).generate();
      case OKP -> new OctetKeyPairGenerator(Curve.Ed25519).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
    };
  }

  private static Duration duration(String text, Duration fallback, String field) throws CredentialException {
    try {
      Duration d = GoDuration.parse(text, field);
      return d == null ? fallback : d;
    } catch (IllegalArgumentException e) {
      throw CredentialException.terminal("InvalidConfiguration", e.getMessage());
    }
  }
}
