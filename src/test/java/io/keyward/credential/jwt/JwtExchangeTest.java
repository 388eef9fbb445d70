package io.keyward.credential.jwt;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two-step minting against a loopback server that behaves like GitHub's
 * {@code POST /app/installations/{id}/access_tokens}: it verifies the app JWT and answers with an
 * installation token and an absolute {@code expires_at}.
 */
class JwtExchangeTest {
  static final String APP_ID = "123456";
  static final String INSTALLATION_TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
  static RSAKey appKey;
  final TokenServer github;
  final List<TokenServer.Request> seen = new CopyOnWriteArrayList<>();

  JwtExchangeTest() throws Exception {
    github = new TokenServer();
  }

  @BeforeAll
  static void key() throws Exception {
    appKey = new RSAKeyGenerator(2048).generate();
  }

  @AfterEach
  void close() {
    github.close();
  }

  String base() {
    return github.tokenUrl().replace("/oauth2/token", "");
  }

  /** What GitHub checks: RS256 by the app's key, iss = app id, iat in the past, exp at most 10 minutes ahead. */
  Response githubLike(TokenServer.Request r) {
    seen.add(r);
    try {
      String auth = r.header("Authorization");
      SignedJWT jwt = SignedJWT.parse(auth.substring("Bearer ".length()));
      var claims = jwt.getJWTClaimsSet();
      Instant now = JwtIssuerTest.NOW;
      boolean ok = r.path().equals("/app/installations/42/access_tokens") && "POST".equals(r.method())
          && jwt.verify(new RSASSAVerifier(appKey.toRSAPublicKey()))
          && APP_ID.equals(claims.getIssuer())
          && !claims.getIssueTime().toInstant().isAfter(now.minusSeconds(60))
          && !claims.getExpirationTime().toInstant().isAfter(now.plusSeconds(600));
      return ok ? Response.json(201, "{\"token\":\"" + INSTALLATION_TOKEN + "\",\"expires_at\":\"2026-03-01T11:00:00Z\","
              + "\"permissions\":{\"contents\":\"read\"}}")
          : Response.json(401, "{\"message\":\"A JSON web token could not be decoded\"}");
    } catch (Exception e) {
      return Response.json(401, "{\"message\":\"bad\"}");
    }
  }

  JwtAuth githubApp(String url) {
    JwtAuth auth = JwtIssuerTest.auth(JwtAuth.Algorithm.RS256);
    auth.claims = new JwtAuth.Claims();
    auth.claims.issuer = APP_ID;
    auth.ttl = "9m";
    auth.backdate = "60s";
    auth.exchange = new JwtAuth.Exchange();
    auth.exchange.url = url;
    auth.exchange.headers = Map.of("Accept", "application/vnd.github+json", "X-GitHub-Api-Version", "2022-11-28");
    return auth;
  }

  String pem() {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
        assertDoesNotThrow(() -> appKey.toPrivateKey().getEncoded())) + "\n-----END PRIVATE KEY-----\n";
  }

  static <T> T assertDoesNotThrow(java.util.concurrent.Callable<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anAppJwtIsExchangedForAnInstallationTokenThatExpiresWhenGithubSays() throws Exception {
    github.override(this::githubLike);

    IssuedCredential c = new JwtIssuer(Loopback.sender())
        .issue(githubApp(base() + "/app/installations/42/access_tokens"), JwtIssuerTest.context(pem()));

    assertThat(c.token()).isEqualTo(INSTALLATION_TOKEN);
    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("Bearer " + INSTALLATION_TOKEN);
    assertThat(c.expiresAt()).isEqualTo(Instant.parse("2026-03-01T11:00:00Z"));
    assertThat(seen).singleElement().satisfies(r -> {
      assertThat(r.header("Accept")).isEqualTo("application/vnd.github+json");
      assertThat(r.header("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
    });
    SignedJWT sent = SignedJWT.parse(seen.get(0).header("Authorization").substring(7));
    assertThat(sent.getJWTClaimsSet().getIssueTime().toInstant()).isEqualTo(JwtIssuerTest.NOW.minusSeconds(60));
    assertThat(sent.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(JwtIssuerTest.NOW.plusSeconds(540));
  }

  @Test
  void aRefusedJwtIsTerminalAndTheMessageCarriesNeitherTheJwtNorTheBody() {
    github.override(r -> Response.json(401, "{\"message\":\"A JSON web token could not be decoded\"}"));

    assertThatThrownBy(() -> new JwtIssuer(Loopback.sender())
        .issue(githubApp(base() + "/app/installations/42/access_tokens"), JwtIssuerTest.context(pem())))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.reason()).isEqualTo("TokenRequestRejected");
          assertThat(e.getMessage()).contains("HTTP 401").doesNotContain("decoded").doesNotContain("eyJ");
        });
  }

  @Test
  void aBusyEndpointIsRetriedAndAMissingTokenFieldIsAnInvalidResponse() {
    github.override(r -> Response.json(503, "{}"));
    assertThatThrownBy(() -> new JwtIssuer(Loopback.sender())
        .issue(githubApp(base() + "/app/installations/42/access_tokens"), JwtIssuerTest.context(pem())))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isFalse();
          assertThat(e.errorClass()).isEqualTo("server_error");
        });

    github.override(r -> Response.json(201, "{\"expires_at\":\"2026-03-01T11:00:00Z\"}"));
    assertThatThrownBy(() -> new JwtIssuer(Loopback.sender())
        .issue(githubApp(base() + "/app/installations/42/access_tokens"), JwtIssuerTest.context(pem())))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidTokenResponse");
          assertThat(e.getMessage()).contains("token");
        });
  }

  @Test
  void aBadUrlAndTooMuchBackdateNameTheirFields() {
    assertThatThrownBy(() -> new JwtIssuer(Loopback.sender())
        .issue(githubApp("not a url"), JwtIssuerTest.context(pem())))
        .isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.getMessage()).startsWith("spec.auth.jwt.exchange.url"));
    JwtAuth auth = githubApp(base() + "/x");
    auth.backdate = "1h";
    assertThatThrownBy(() -> new JwtIssuer(Loopback.sender()).issue(auth, JwtIssuerTest.context(pem())))
        .isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.getMessage()).startsWith("spec.auth.jwt.backdate"));
  }
}
