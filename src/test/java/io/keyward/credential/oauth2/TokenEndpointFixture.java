package io.keyward.credential.oauth2;

import io.keyward.testing.Loopback;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.IssueContext;
import io.keyward.credential.SecretValues;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.TokenServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The OAuth 2.0 issuer, a token endpoint on loopback that knows one client, and a fixed clock. */
abstract class TokenEndpointFixture {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final String SECRET = "s3cr3t-client-value";
  static final SecretKeyRef SECRET_REF = new SecretKeyRef("crm-oauth", "client-secret");

  TokenServer server;
  OAuth2Issuer issuer = new OAuth2Issuer(Loopback.sender());
  IssueContext context = new IssueContext(
      SecretValues.of(Map.of(SECRET_REF, SECRET)), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(45));

  @BeforeEach
  void start() throws Exception {
    server = new TokenServer().client("my-client", SECRET);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** client credentials for {@code my-client}, authenticated with its secret. */
  OAuth2Auth auth() {
    OAuth2Auth a = new OAuth2Auth();
    a.tokenUrl = server.tokenUrl();
    a.clientId = "my-client";
    a.clientSecretRef = SECRET_REF;
    return a;
  }
}
