package io.keyward.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.api.v1alpha1.auth.BasicAuth;
import io.keyward.credential.apikey.ApiKeyIssuer;
import io.keyward.credential.basic.BasicIssuer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The issuers that need no provider: API keys and Basic. */
class ApiKeyAndBasicIssuerTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final SecretKeyRef KEY = new SecretKeyRef("erp", "api-key");
  static final SecretKeyRef USER = new SecretKeyRef("ledger", "username");
  static final SecretKeyRef PASSWORD = new SecretKeyRef("ledger", "password");

  IssueContext context(Map<SecretKeyRef, String> values) {
    return new IssueContext(SecretValues.of(values), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
  }

  ApiKeyAuth apiKey() {
    ApiKeyAuth a = new ApiKeyAuth();
    a.keyRef = KEY;
    return a;
  }

  @Test
  void apiKeyDefaultsToTheXApiKeyHeaderAndNeverExpires() throws Exception {
    IssuedCredential c = new ApiKeyIssuer().issue(apiKey(), context(Map.of(KEY, "k-123\n")));

    assertThat(c.headerName()).isEqualTo("X-API-Key");
    assertThat(c.headerValue()).isEqualTo("k-123");
    assertThat(c.token()).isEqualTo("k-123");
    assertThat(c.expiresAt()).isNull();
    assertThat(c.notices()).isEmpty();
  }

  @Test
  void apiKeyWithHeaderAndPrefix() throws Exception {
    ApiKeyAuth a = apiKey();
    a.header = "Authorization";
    a.prefix = "ApiKey ";

    IssuedCredential c = new ApiKeyIssuer().issue(a, context(Map.of(KEY, "k-123")));

    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("ApiKey k-123");
  }

  @Test
  void apiKeyInQueryCarriesQueryKeysAndAWarning() throws Exception {
    ApiKeyAuth a = apiKey();
    a.in = ApiKeyAuth.Location.query;
    a.queryParameter = "key";

    IssuedCredential c = new ApiKeyIssuer().issue(a, context(Map.of(KEY, "k-123")));

    assertThat(c.extraOutput()).containsEntry("query-name", "key").containsEntry("query-value", "k-123");
    assertThat(c.headerName()).isEmpty();
    assertThat(c.notices()).extracting(Notice::reason).containsExactly("ApiKeyInQuery");
    assertThat(c.notices().get(0).message()).doesNotContain("k-123");
  }

  @Test
  void anEmptyApiKeyIsRefused() {
    assertThatThrownBy(() -> new ApiKeyIssuer().issue(apiKey(), context(Map.of(KEY, " \n"))))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.isTerminal()).isTrue();
          assertThat(e.getMessage()).contains("erp").contains("api-key");
        });
  }

  @Test
  void basicEncodesUtf8UsernameAndPassword() throws Exception {
    BasicAuth b = new BasicAuth();
    b.usernameRef = USER;
    b.passwordRef = PASSWORD;

    IssuedCredential c = new BasicIssuer().issue(b, context(Map.of(USER, "zoë", PASSWORD, "pa:ss wörd")));

    assertThat(c.headerName()).isEqualTo("Authorization");
    assertThat(c.headerValue()).isEqualTo("Basic em/DqzpwYTpzcyB3w7ZyZA==");
    assertThat(c.token()).isEqualTo("em/DqzpwYTpzcyB3w7ZyZA==");
    assertThat(c.tokenType()).isEqualTo("Basic");
    assertThat(c.expiresAt()).isNull();
  }

  @Test
  void basicUsernameWithAColonIsRefusedNamingTheField() {
    BasicAuth b = new BasicAuth();
    b.username = "a:b";
    b.passwordRef = PASSWORD;

    assertThatThrownBy(() -> new BasicIssuer().issue(b, context(Map.of(PASSWORD, "x"))))
        .isInstanceOfSatisfying(CredentialException.class,
            e -> assertThat(e.getMessage()).startsWith("spec.auth.basic.username"));
  }
}
