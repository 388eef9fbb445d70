package io.keyward.credential.oauth2;

import io.keyward.testing.Loopback;
import io.keyward.credential.http.HttpSender;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The refresh-token grant and the response quirks, against a strict rotating token endpoint. */
class RefreshTokenGrantTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final SecretKeyRef SECRET_REF = new SecretKeyRef("crm-oauth", "client-secret");
  static final SecretKeyRef SEED_REF = new SecretKeyRef("crm-seed", "refresh-token");
  static final String SECRET = "client-secret-value";

  TokenServer server;
  // fifty refreshes in a row from one caller: a rate budget of its own, far above what the test sends
  OAuth2Issuer issuer = new OAuth2Issuer(new HttpSender(io.keyward.credential.http.HttpLimits.defaults()
      .withHostRate(1000, 100), Loopback.only()));

  @BeforeEach
  void start() throws Exception {
    server = new TokenServer().client("crm", SECRET).seedRefreshToken("seed-1");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  OAuth2Auth auth() {
    OAuth2Auth a = new OAuth2Auth();
    a.grant = OAuth2Auth.Grant.refreshToken;
    a.tokenUrl = server.tokenUrl();
    a.clientId = "crm";
    a.clientSecretRef = SECRET_REF;
    a.refreshTokenRef = SEED_REF;
    return a;
  }

  IssueContext context(String seed, Map<String, String> previousState) {
    return new IssueContext(SecretValues.of(Map.of(SECRET_REF, SECRET, SEED_REF, seed)),
        Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1), previousState);
  }

  @Test
  void fiftyConsecutiveRefreshesUseEachRotatedTokenOnce() throws Exception {
    Map<String, String> state = Map.of();
    for (int i = 1; i <= 50; i++) {
      IssuedCredential c = issuer.issue(auth(), context("seed-1", state));
      assertThat(c.token()).isEqualTo(TokenServer.token(i));
      state = c.state();
      assertThat(server.liveRefreshTokens()).containsExactly(state.get("refresh-token"));
    }
    assertThat(server.invalidGrants()).isZero();
    assertThat(server.requests().get(0).form()).containsEntry("refresh_token", "seed-1")
        .containsEntry("grant_type", "refresh_token");
    assertThat(server.requests().get(1).form().get("refresh_token")).startsWith("rotated-refresh-token-");
  }

  @Test
  void aProviderThatDoesNotRotateKeepsTheSameToken() throws Exception {
    server.rotateRefreshTokens(false);
    IssuedCredential first = issuer.issue(auth(), context("seed-1", Map.of()));
    IssuedCredential second = issuer.issue(auth(), context("seed-1", first.state()));

    assertThat(first.state()).containsEntry("refresh-token", "seed-1");
    assertThat(second.state()).containsEntry("refresh-token", "seed-1");
  }

  @Test
  void aNewSeedWinsOverTheKeptToken() throws Exception {
    IssuedCredential first = issuer.issue(auth(), context("seed-1", Map.of()));
    server.seedRefreshToken("seed-2");

    issuer.issue(auth(), context("seed-2", first.state()));

    assertThat(server.requests().get(1).form()).containsEntry("refresh_token", "seed-2");
    assertThat(server.invalidGrants()).isZero();
  }

  @Test
  void invalidGrantAsksForReauthorisationWithoutShowingTheToken() {
    assertThatThrownBy(() -> issuer.issue(auth(), context("revoked-seed", Map.of())))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.reason()).isEqualTo("ReauthorizationRequired");
          assertThat(e.getMessage()).contains("invalid_grant").contains("crm-seed").doesNotContain("revoked-seed");
        });
  }

  @Test
  void expiresInMillisecondsAnAbsoluteExpiryAndOutputFields() throws Exception {
    OAuth2Auth a = auth();
    a.grant = OAuth2Auth.Grant.clientCredentials;
    a.expiresInUnit = OAuth2Auth.ExpiresInUnit.milliseconds;
    a.outputFields = List.of("instance_url", "missing");
    server.override(r -> Response.json(200, "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":\"90000\","
        + "\"instance_url\":\"https://eu12.example.com\"}"));

    IssuedCredential c = issuer.issue(a, context("seed-1", Map.of()));

    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(90));
    assertThat(c.extraOutput()).containsExactly(Map.entry("instance_url", "https://eu12.example.com"));
    assertThat(c.state()).isEmpty();

    a.expiresInUnit = null;
    a.expiresAtField = "expires_at";
    server.override(r -> Response.json(200, "{\"access_token\":\"t\",\"expires_at\":\"2026-03-01T10:30:00Z\"}"));
    assertThat(issuer.issue(a, context("seed-1", Map.of())).expiresAt()).isEqualTo(Instant.parse("2026-03-01T10:30:00Z"));
  }

  @Test
  void tokensAreNeverCopiedAsOutputFields() {
    OAuth2Auth a = auth();
    a.outputFields = List.of("refresh_token");
    assertThatThrownBy(() -> issuer.issue(a, context("seed-1", Map.of())))
        .isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.getMessage()).startsWith("spec.auth.oauth2.outputFields"));
  }
}
