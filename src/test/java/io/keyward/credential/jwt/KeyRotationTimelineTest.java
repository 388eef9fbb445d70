package io.keyward.credential.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Generated keys over four hours on a stepping clock: a new key is published before it signs; the
 * overlap is honoured; an old key is retired only after its last token expired; and at no step does
 * a still-valid token fail to verify against the JWKS published at that step.
 */
class KeyRotationTimelineTest {
  static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

  @Test
  void rotationTimeline() throws Exception {
    JwtAuth auth = new JwtAuth();
    auth.algorithm = JwtAuth.Algorithm.ES256;
    auth.signingKey = new JwtAuth.SigningKey();
    auth.signingKey.generate = new JwtAuth.Generate();
    auth.signingKey.generate.type = JwtAuth.Generate.KeyType.EC;
    auth.signingKey.generate.rotateEvery = "1h";
    auth.signingKey.generate.overlap = "10m";
    auth.ttl = "10m";

    Map<String, String> state = Map.of();
    List<SignedJWT> issued = new ArrayList<>();
    Map<String, Instant> firstPublished = new HashMap<>();
    Map<String, Instant> firstSigned = new HashMap<>();
    Set<String> retired = new LinkedHashSet<>();
    Set<String> everPublished = new LinkedHashSet<>();

    for (Instant now = START; now.isBefore(START.plus(Duration.ofHours(4))); now = now.plus(Duration.ofMinutes(5))) {
      IssuedCredential c = new JwtIssuer().issue(auth, new IssueContext(SecretValues.of(Map.of()),
          Clock.fixed(now, ZoneOffset.UTC), Duration.ofHours(1), state));
      state = c.state();
      JWKSet published = JWKSet.parse(c.publication().jwks());
      assertThat(published.getKeys()).allSatisfy(k -> assertThat(k.isPrivate()).as("JWKS holds public keys only").isFalse());
      for (JWK k : published.getKeys()) {
        firstPublished.putIfAbsent(k.getKeyID(), now);
        everPublished.add(k.getKeyID());
      }
      SignedJWT jwt = SignedJWT.parse(c.token());
      String kid = jwt.getHeader().getKeyID();
      firstSigned.putIfAbsent(kid, now);
      assertThat(c.publication().currentKeyId()).isEqualTo(kid);
      issued.add(jwt);

      for (SignedJWT token : issued) {
        if (token.getJWTClaimsSet().getExpirationTime().toInstant().isAfter(now)) {
          JWK key = published.getKeyByKeyId(token.getHeader().getKeyID());
          assertThat(key).as("key of a valid token at %s", now).isNotNull();
          assertThat(token.verify(new ECDSAVerifier(key.toECKey().toECPublicKey()))).isTrue();
        }
      }
      for (String was : everPublished) {
        if (published.getKeyByKeyId(was) == null) {
          retired.add(was);
        }
      }
    }

    assertThat(firstSigned).as("keys that signed").hasSizeGreaterThanOrEqualTo(4);
    for (var signed : firstSigned.entrySet()) {
      if (!signed.getValue().equals(START)) {
        assertThat(Duration.between(firstPublished.get(signed.getKey()), signed.getValue()))
            .as("key %s published before it signs", signed.getKey()).isGreaterThanOrEqualTo(Duration.ofMinutes(10));
      }
    }
    assertThat(retired).as("old keys are retired eventually").isNotEmpty();
    assertThat(state.get(GeneratedKeys.STATE_KEY)).contains("\"d\"");
  }
}
