package io.keyward.credential.jwt;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jwt: the exchange's token type and headers from the spec, and the exchanged token from the
 * endpoint, are checked before they reach a header; generated keys obey the same limits as given ones.
 */
class JwtHeaderSafetyTest {
  static String pem;
  final TokenServer endpoint;

  JwtHeaderSafetyTest() throws Exception {
    endpoint = new TokenServer();
  }

  @BeforeAll
  static void key() throws Exception {
    JwtIssuerTest.keys();
    pem = JwtIssuerTest.pkcs8(JwtIssuerTest.rsa.toPrivateKey().getEncoded());
  }

  @AfterEach
  void close() {
    endpoint.close();
  }

  JwtAuth exchanging() {
    JwtAuth auth = JwtIssuerTest.auth(JwtAuth.Algorithm.RS256);
    auth.exchange = new JwtAuth.Exchange();
    auth.exchange.url = endpoint.tokenUrl().replace("/oauth2/token", "/exchange");
    return auth;
  }

  IssuedCredential issue(JwtAuth auth) throws CredentialException {
    return new JwtIssuer(Loopback.sender()).issue(auth, JwtIssuerTest.context(pem));
  }

  static void refused(ThrowingCallable call, String reason, String field) {
    assertThatThrownBy(call).isInstanceOfSatisfying(CredentialException.class, e -> {
      assertThat(e.reason()).isEqualTo(reason);
      assertThat(e.getMessage()).contains(field).doesNotContain("evil").doesNotContain("Injected")
          .doesNotContain("\r").doesNotContain("\n").doesNotContain("ghs_");
    });
  }

  @Test
  void aTokenTypeWithALineBreakIsInvalidConfigurationAndNothingIsSent() {
    endpoint.override(r -> Response.json(201, "{\"token\":\"ghs_ok\"}"));
    JwtAuth auth = exchanging();
    auth.exchange.tokenType = "token\r\nX-Injected: evil";
    refused(() -> issue(auth), "InvalidConfiguration", "spec.auth.jwt.exchange.tokenType");
    assertThat(endpoint.requests()).isEmpty();
  }

  @Test
  void exchangeHeadersWithABadNameOrValueAreInvalidConfigurationNotARuntimeException() {
    endpoint.override(r -> Response.json(201, "{\"token\":\"ghs_ok\"}"));
    JwtAuth badValue = exchanging();
    badValue.exchange.headers = Map.of("Accept", "application/json\r\nX-Injected: evil");
    refused(() -> issue(badValue), "InvalidConfiguration", "spec.auth.jwt.exchange.headers.Accept");

    JwtAuth badName = exchanging();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    headers.put("X-Injected: evil\r\nHost", "x");
    badName.exchange.headers = headers;
    refused(() -> issue(badName), "InvalidConfiguration", "spec.auth.jwt.exchange.headers (entry 2)");
    assertThat(endpoint.requests()).isEmpty();
  }

  @Test
  void anExchangedTokenWithALineBreakIsNeverPublished() {
    endpoint.override(r -> Response.json(201, "{\"token\":\"ghs_1\\r\\nX-Injected: evil\"}"));
    refused(() -> issue(exchanging()), "InvalidTokenResponse", "field token");
  }

  @Test
  void anExchangedExpiresInOfZeroOrLessIsExpiredOnIssue() throws Exception {
    endpoint.override(r -> Response.json(201, "{\"token\":\"ghs_1\",\"expires_in\":0}"));
    IssuedCredential c = issue(exchanging());
    assertThat(c.expiresAt()).isEqualTo(c.issuedAt()).isEqualTo(JwtIssuerTest.NOW);
    endpoint.override(r -> Response.json(201, "{\"token\":\"ghs_1\",\"expires_in\":\"-1\"}"));
    assertThat(issue(exchanging()).expiresAt()).isEqualTo(JwtIssuerTest.NOW);
    endpoint.override(r -> Response.json(201, "{\"token\":\"ghs_1\",\"expires_in\":120}"));
    assertThat(issue(exchanging()).expiresAt()).isEqualTo(JwtIssuerTest.NOW.plusSeconds(120));
    endpoint.override(r -> Response.json(201, "{\"token\":\"ghs_1\"}"));
    assertThat(issue(exchanging()).expiresAt()).isEqualTo(JwtIssuerTest.NOW.plus(Duration.ofHours(1)));
  }

  // ---- generated keys ----------------------------------------------------------------------------

  static JwtAuth generated(JwtAuth.Generate.KeyType type, JwtAuth.Algorithm algorithm) {
    JwtAuth auth = new JwtAuth();
    auth.algorithm = algorithm;
    auth.signingKey = new JwtAuth.SigningKey();
    auth.signingKey.generate = new JwtAuth.Generate();
    auth.signingKey.generate.type = type;
    return auth;
  }

  static IssueContext noSecrets() {
    return new IssueContext(SecretValues.of(Map.of()), Clock.fixed(JwtIssuerTest.NOW, ZoneOffset.UTC),
        Duration.ofHours(1));
  }

  @Test
  void aGeneratedKeyRefusesATtlBelowOneSecondLikeAGivenKey() {
    JwtAuth auth = generated(JwtAuth.Generate.KeyType.EC, JwtAuth.Algorithm.ES256);
    auth.ttl = "500ms";
    refused(() -> new JwtIssuer().issue(auth, noSecrets()), "InvalidConfiguration", "spec.auth.jwt.ttl");
    JwtAuth given = JwtIssuerTest.auth(JwtAuth.Algorithm.RS256);
    given.ttl = "500ms";
    refused(() -> new JwtIssuer().issue(given, JwtIssuerTest.context(pem)), "InvalidConfiguration",
        "spec.auth.jwt.ttl");
  }

  @Test
  void aGeneratedRsaKeyMustBe2048Or3072Or4096BitsAndNoIntOverflowSneaksPast() {
    for (long size : new long[] {1024, 16384, 4294967296L + 2048, -2048}) {
      JwtAuth auth = generated(JwtAuth.Generate.KeyType.RSA, JwtAuth.Algorithm.RS256);
      auth.signingKey.generate.size = size;
      refused(() -> new JwtIssuer().issue(auth, noSecrets()), "InvalidConfiguration",
          "spec.auth.jwt.signingKey.generate.size: must be 2048, 3072 or 4096");
    }
  }

  @Test
  void aGeneratedEcKeyMustBeP256OrP384() throws Exception {
    JwtAuth auth = generated(JwtAuth.Generate.KeyType.EC, JwtAuth.Algorithm.ES256);
    auth.signingKey.generate.curve = "P-521";
    refused(() -> new JwtIssuer().issue(auth, noSecrets()), "InvalidConfiguration",
        "spec.auth.jwt.signingKey.generate.curve: must be P-256 or P-384");
    auth.signingKey.generate.curve = "P-256";
    assertThat(new JwtIssuer().issue(auth, noSecrets()).tokenType()).isEqualTo("Bearer");
  }
}
