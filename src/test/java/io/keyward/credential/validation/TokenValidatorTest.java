package io.keyward.credential.validation;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenValidatorTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static RSAKey provider;
  static RSAKey rotated;
  final TokenServer jwks;
  final AtomicInteger fetches = new AtomicInteger();
  volatile JWKSet published;
  final TokenValidator validator = new TokenValidator(Loopback.sender());

  TokenValidatorTest() throws Exception {
    jwks = new TokenServer();
    published = new JWKSet(provider.toPublicJWK());
    jwks.override(r -> {
      fetches.incrementAndGet();
      return Response.json(200, published.toString());
    });
  }

  @BeforeAll
  static void keys() throws Exception {
    provider = new RSAKeyGenerator(2048).keyID("k1").generate();
    rotated = new RSAKeyGenerator(2048).keyID("k2").generate();
  }

  @AfterEach
  void close() {
    jwks.close();
  }

  TokenValidator.Rules rules() {
    return new TokenValidator.Rules(jwks.tokenUrl().replace("/oauth2/token", "/jwks"), "https://idp", "crm-api");
  }

  static IssuedCredential token(RSAKey key, String iss, String aud, Instant exp) throws Exception {
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer(iss).audience(aud).expirationTime(Date.from(exp)).build());
    jwt.sign(new RSASSASigner(key));
    String t = jwt.serialize();
    return new IssuedCredential("Authorization", "Bearer " + t, t, "Bearer", NOW, exp, Map.of(), List.of());
  }

  static CredentialException failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    try {
      call.call();
    } catch (CredentialException e) {
      return e;
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
    throw new AssertionError("no failure");
  }

  @Test
  void aGoodTokenPassesAndTheJwksIsFetchedOnce() throws Exception {
    var good = token(provider, "https://idp", "crm-api", NOW.plusSeconds(600));
    assertThatCode(() -> validator.check(rules(), good, NOW)).doesNotThrowAnyException();
    assertThatCode(() -> validator.check(rules(), good, NOW)).doesNotThrowAnyException();
    assertThat(fetches.get()).isEqualTo(1);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"RS256", "PS256", "ES256", "ES384", "EdDSA"})
  void tokensSignedWithEveryAlgorithmVerify(String name) throws Exception {
    JWSAlgorithm alg = JWSAlgorithm.parse(name);
    com.nimbusds.jose.jwk.JWK key = switch (name) {
      case "ES256" -> new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("e").generate();
      case "ES384" -> new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_384).keyID("e").generate();
      case "EdDSA" -> new com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator(com.nimbusds.jose.jwk.Curve.Ed25519)
          .keyID("e").generate();
      default -> new RSAKeyGenerator(2048).keyID("e").generate();
    };
    published = new JWKSet(key.toPublicJWK());
    var jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID("e").build(), new JWTClaimsSet.Builder()
        .issuer("https://idp").audience("crm-api").expirationTime(Date.from(NOW.plusSeconds(600))).build());
    jwt.sign(io.keyward.credential.keys.JwsSigners.jdk()
        .signer(new io.keyward.credential.keys.SigningKey(key, "e", alg, null, null)));
    String t = jwt.serialize();
    var good = new IssuedCredential("Authorization", "Bearer " + t, t, "Bearer", NOW, NOW.plusSeconds(600), Map.of(),
        List.of());

    assertThatCode(() -> validator.check(rules(), good, NOW)).as(name).doesNotThrowAnyException();

    var other = new com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator(com.nimbusds.jose.jwk.Curve.Ed25519).keyID("e")
        .generate();
    published = new JWKSet(key.getKeyType().equals(com.nimbusds.jose.jwk.KeyType.OKP)
        ? other.toPublicJWK() : new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("e").generate().toPublicJWK());
    var stranger = new TokenValidator(Loopback.sender());
    assertThat(failure(() -> stranger.check(rules(), good, NOW)).getMessage()).as(name + " with another key published")
        .contains("its signature does not verify");
  }

  @Test
  void aKeyTheProviderRotatedInIsFoundByFetchingTheJwksAgain() throws Exception {
    validator.check(rules(), token(provider, "https://idp", "crm-api", NOW.plusSeconds(600)), NOW);
    published = new JWKSet(List.of(provider.toPublicJWK(), rotated.toPublicJWK()));
    assertThatCode(() -> validator.check(rules(), token(rotated, "https://idp", "crm-api", NOW.plusSeconds(600)), NOW))
        .doesNotThrowAnyException();
    assertThat(fetches.get()).isEqualTo(2);
  }

  @Test
  void eachWrongClaimIsTerminalAndNamedWithoutItsValue() throws Exception {
    var wrongIss = failure(() -> validator.check(rules(), token(provider, "https://evil", "crm-api", NOW.plusSeconds(60)), NOW));
    assertThat(wrongIss.isTerminal()).isTrue();
    assertThat(wrongIss.reason()).isEqualTo("TokenValidationFailed");
    assertThat(wrongIss.getMessage()).contains("iss is not spec.validation.issuer").doesNotContain("evil");

    var wrongAud = failure(() -> validator.check(rules(), token(provider, "https://idp", "other-api", NOW.plusSeconds(60)), NOW));
    assertThat(wrongAud.getMessage()).contains("aud does not contain").doesNotContain("other-api");

    var expired = failure(() -> validator.check(rules(), token(provider, "https://idp", "crm-api", NOW.minusSeconds(600)), NOW));
    assertThat(expired.getMessage()).contains("expired");
  }

  @Test
  void anUnknownKeyIsTransientAndAnOpaqueTokenIsTerminal() throws Exception {
    var stranger = failure(() -> validator.check(rules(), token(rotated, "https://idp", "crm-api", NOW.plusSeconds(60)), NOW));
    assertThat(stranger.isTerminal()).isFalse();
    assertThat(stranger.getMessage()).contains("signature").contains("127.0.0.1").doesNotContain("/jwks");

    var opaque = new IssuedCredential("Authorization", "Bearer opaque-123", "opaque-123", "Bearer", NOW,
        NOW.plusSeconds(60), Map.of(), List.of());
    var notJwt = failure(() -> validator.check(rules(), opaque, NOW));
    assertThat(notJwt.isTerminal()).isTrue();
    assertThat(notJwt.getMessage()).contains("not a JWT").doesNotContain("opaque-123");
  }

  @Test
  void theJwksCacheIsBoundedAndAnEvictedUrlIsFetchedAgain() throws Exception {
    TokenValidator small = new TokenValidator(Loopback.sender(), 2);
    IssuedCredential t = token(provider, "https://idp", "crm-api", NOW.plusSeconds(300));
    String base = jwks.tokenUrl().replace("/oauth2/token", "/jwks/");
    for (String tenant : List.of("a", "b", "c")) {
      small.check(new TokenValidator.Rules(base + tenant, "https://idp", "crm-api"), t, NOW);
    }
    assertThat(fetches.get()).isEqualTo(3);
    assertThat(small.cachedSources()).isEqualTo(2);

    small.check(new TokenValidator.Rules(base + "c", "https://idp", "crm-api"), t, NOW);
    assertThat(fetches.get()).as("c is cached").isEqualTo(3);
    small.check(new TokenValidator.Rules(base + "a", "https://idp", "crm-api"), t, NOW);
    assertThat(fetches.get()).as("a was evicted: fetched again").isEqualTo(4);
    assertThat(small.cachedSources()).isEqualTo(2);
  }
}
