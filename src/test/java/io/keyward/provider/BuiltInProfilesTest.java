package io.keyward.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.testing.Loopback;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Request;
import io.keyward.testing.TokenServer.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each built-in profile, merged with a connector as its example writes it, through the real issuers
 * against a loopback fake that answers as the provider documents. The connector overrides only the
 * token URL (the fake is on loopback); the test asserts the request the provider received and what
 * the output Secret would hold.
 */
class BuiltInProfilesTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  static final SecretKeyRef SECRET = new SecretKeyRef("app", "client-secret");
  static final SecretKeyRef SEED = new SecretKeyRef("app", "refresh-token");
  static final SecretKeyRef KEY = new SecretKeyRef("app", "api-key");

  TokenServer server;
  CredentialIssuers issuers = CredentialIssuers.standard(Loopback.sender());

  @BeforeEach
  void start() throws Exception {
    server = new TokenServer().client("app", "client-secret-value").seedRefreshToken("seed-1");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  IssuedCredential issue(String yaml) throws Exception {
    EffectiveSpec e = ProfileMergeTest.resolve(yaml.replace("$TOKEN_URL", server.tokenUrl()));
    return issuers.issue(e.spec().auth.active(), new IssueContext(SecretValues.of(Map.of(SECRET, "client-secret-value",
        SEED, "seed-1", KEY, "sk_test_51abc")), Clock.fixed(NOW, ZoneOffset.UTC),
        e.spec().refresh != null && e.spec().refresh.defaultLifetime != null
            ? io.keyward.api.v1alpha1.GoDuration.parse(e.spec().refresh.defaultLifetime, "defaultLifetime")
            : Duration.ofHours(1)));
  }

  Request only() {
    assertThat(server.requests()).hasSize(1);
    return server.requests().get(0);
  }

  static String oauth2(String provider, String parameters, String extra) {
    return """
        provider: %s
        parameters: {%s}
        auth:
          oauth2:
            tokenUrl: $TOKEN_URL
            clientId: app
            clientSecretRef: {name: app, key: client-secret}
        %s""".formatted(provider, parameters, extra.indent(4));
  }

  @Test
  void keycloakSendsTheClientInBasicAndAsksClientCredentials() throws Exception {
    IssuedCredential c = issue(oauth2("keycloak", "host: sso.example.com, realm: sales", ""));
    Request r = only();
    assertThat(r.header("Authorization")).startsWith("Basic ");
    assertThat(r.form()).containsEntry("grant_type", "client_credentials").doesNotContainKey("client_secret");
    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("Bearer " + TokenServer.token(1));
  }

  @Test
  void auth0SendsTheAudienceAndTheClientInTheBody() throws Exception {
    issue(oauth2("auth0", "tenantDomain: acme.eu.auth0.com, audience: \"https://api.acme.example/\"", ""));
    Request r = only();
    assertThat(r.form()).containsEntry("audience", "https://api.acme.example/")
        .containsEntry("client_id", "app").containsEntry("client_secret", "client-secret-value");
    assertThat(r.header("Authorization")).isNull();
  }

  @Test
  void salesforceAnswersWithoutExpiresInSoTheProfilesLifetimeAppliesAndInstanceUrlIsCopied() throws Exception {
    server.override(req -> Response.json(200, "{\"access_token\":\"00Dxx!AQ0\",\"token_type\":\"Bearer\","
        + "\"instance_url\":\"https://acme.my.salesforce.com\",\"id\":\"https://login.salesforce.com/id/00D/005\","
        + "\"issued_at\":\"1764669600000\",\"signature\":\"c2ln\"}"));
    IssuedCredential c = issue(oauth2("salesforce", "myDomain: acme.my.salesforce.com", ""));
    assertThat(only().form()).containsEntry("grant_type", "client_credentials").containsEntry("client_id", "app");
    assertThat(c.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(2)));
    assertThat(c.extraOutput()).containsEntry("instance_url", "https://acme.my.salesforce.com");
  }

  @Test
  void hubspotRefreshesWithTheClientInTheBodyAndKeepsTheThirtyMinuteExpiry() throws Exception {
    server.expiresIn(1800);
    IssuedCredential c = issue(oauth2("hubspot", "", "refreshTokenRef: {name: app, key: refresh-token}"));
    Request r = only();
    assertThat(r.form()).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", "seed-1")
        .containsEntry("client_secret", "client-secret-value");
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(1800));
    assertThat(c.state()).containsEntry("refresh-token", server.liveRefreshTokens().iterator().next());
  }

  @Test
  void xeroAndQuickbooksAndSlackRefreshWithBasicAndKeepTheRotatedToken() throws Exception {
    for (String provider : new String[] {"xero", "quickbooks", "slack"}) {
      server.close();
      start();
      IssuedCredential c = issue(oauth2(provider, "", "refreshTokenRef: {name: app, key: refresh-token}"));
      Request r = only();
      assertThat(r.header("Authorization")).as(provider).startsWith("Basic ");
      assertThat(r.form()).as(provider).containsEntry("grant_type", "refresh_token").doesNotContainKey("client_secret");
      assertThat(c.state().get("refresh-token")).as(provider).isNotEqualTo("seed-1")
          .isEqualTo(server.liveRefreshTokens().iterator().next());
    }
  }

  @Test
  void zendeskAndAtlassianRefreshWithTheClientInTheBodyAndKeepTheRotatedToken() throws Exception {
    for (String[] p : new String[][] {{"zendesk", "subdomain: acme"}, {"atlassian", ""}}) {
      server.close();
      start();
      IssuedCredential c = issue(oauth2(p[0], p[1], "refreshTokenRef: {name: app, key: refresh-token}"));
      Request r = only();
      assertThat(r.form()).as(p[0]).containsEntry("grant_type", "refresh_token").containsEntry("client_id", "app")
          .containsEntry("client_secret", "client-secret-value");
      assertThat(c.state().get("refresh-token")).as(p[0]).isNotEqualTo("seed-1");
    }
  }

  @Test
  void entraAsksTheDefaultScopeAndReadsExpiresInSentAsAString() throws Exception {
    server.override(req -> Response.json(200, "{\"access_token\":\"eyJ0\",\"token_type\":\"Bearer\","
        + "\"expires_in\":\"3599\",\"ext_expires_in\":\"3599\"}"));
    IssuedCredential c = issue(oauth2("microsoft-entra-id", "tenant: contoso.onmicrosoft.com", ""));
    assertThat(only().form()).containsEntry("scope", "https://graph.microsoft.com/.default")
        .containsEntry("client_secret", "client-secret-value");
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(3599));
  }

  @Test
  void stripeSendsTheSecretKeyAsABearerToken() throws Exception {
    IssuedCredential c = issue("provider: stripe\nauth: {apiKey: {keyRef: {name: app, key: api-key}}}\n");
    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("Bearer sk_test_51abc");
  }

  @Test
  void datadogSendsTheKeyInItsOwnHeader() throws Exception {
    IssuedCredential c = issue("provider: datadog\nauth: {apiKey: {keyRef: {name: app, key: api-key}}}\n");
    assertThat(c.headerName()).isEqualTo("DD-API-KEY");
    assertThat(c.headerValue()).isEqualTo("sk_test_51abc");
  }
}
