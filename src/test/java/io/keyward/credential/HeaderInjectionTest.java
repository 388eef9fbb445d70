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
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DESIGN §9: nothing unchecked reaches a header, whether it comes from the spec or a Secret. */
class HeaderInjectionTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final SecretKeyRef KEY = new SecretKeyRef("erp", "api-key");
  static final SecretKeyRef USER = new SecretKeyRef("ledger", "username");
  static final SecretKeyRef PASSWORD = new SecretKeyRef("ledger", "password");
  static final String EVIL = "evil\r\nX-Injected: 1";

  static IssueContext context(Map<SecretKeyRef, String> values) {
    return new IssueContext(SecretValues.of(values), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
  }

  static ApiKeyAuth apiKey() {
    ApiKeyAuth a = new ApiKeyAuth();
    a.keyRef = KEY;
    return a;
  }

  /** The reason, the field named, and never the bad value (nor the key) in the message. */
  static void refused(ThrowingCallable call, String reason, String field, String... neverShown) {
    assertThatThrownBy(call).isInstanceOfSatisfying(CredentialException.class, e -> {
      assertThat(e.reason()).isEqualTo(reason);
      assertThat(e.getMessage()).contains(field).doesNotContain("evil").doesNotContain("Injected")
          .doesNotContain("\r").doesNotContain("\n");
      for (String s : neverShown) {
        assertThat(e.getMessage()).doesNotContain(s);
      }
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"X-Api Key: evil\r\nInjected", "X-Api-Key\n", "X-Api-Key:", "X\tY", "Ünïcode", "X\u0000Y"})
  void anApiKeyHeaderThatIsNotATokenIsInvalidConfiguration(String header) {
    ApiKeyAuth a = apiKey();
    a.header = header;
    refused(() -> new ApiKeyIssuer().issue(a, context(Map.of(KEY, "k-123"))), "InvalidConfiguration",
        "spec.auth.apiKey.header: is not a valid HTTP header name", "k-123");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer evil\r\nInjected: 1", "ApiKey\n", "Tab\tInjected", "\u0085Injected", "évil "})
  void aPrefixWithAControlOrNonAsciiCharacterIsInvalidConfiguration(String prefix) {
    ApiKeyAuth a = apiKey();
    a.prefix = prefix;
    refused(() -> new ApiKeyIssuer().issue(a, context(Map.of(KEY, "k-123"))), "InvalidConfiguration",
        "spec.auth.apiKey.prefix", "k-123");
  }

  @Test
  void aQueryParameterNameThatIsNotATokenIsInvalidConfiguration() {
    ApiKeyAuth a = apiKey();
    a.in = ApiKeyAuth.Location.query;
    a.queryParameter = "key&evil=1\r\nInjected";
    refused(() -> new ApiKeyIssuer().issue(a, context(Map.of(KEY, "k-123"))), "InvalidConfiguration",
        "spec.auth.apiKey.queryParameter", "k-123");
  }

  @Test
  void anApiKeyWithALineBreakInsideIsRefusedNamingTheSecretAndKeyButNotTheValue() {
    refused(() -> new ApiKeyIssuer().issue(apiKey(), context(Map.of(KEY, "k-123\r\nX-Injected: evil"))),
        "InvalidSecretValue", "Secret erp key api-key", "k-123");
    // a trailing newline (kubectl create secret --from-file) is still stripped, as before
    assertThat(assertDoesNotThrow(() -> new ApiKeyIssuer().issue(apiKey(), context(Map.of(KEY, "k-123\n"))))
        .headerValue()).isEqualTo("k-123");
  }

  @Test
  void aValidHeaderPrefixAndKeyStillWork() throws Exception {
    ApiKeyAuth a = apiKey();
    a.header = "X-Api_Key.v2";
    a.prefix = "Token ";
    IssuedCredential c = new ApiKeyIssuer().issue(a, context(Map.of(KEY, "k-123/=+~")));
    assertThat(c.headerName()).isEqualTo("X-Api_Key.v2");
    assertThat(c.headerValue()).isEqualTo("Token k-123/=+~");
  }

  @Test
  void aBasicUsernameWithAControlCharacterOrAColonIsRefused() {
    BasicAuth b = new BasicAuth();
    b.username = "ann\r\nevil";
    b.passwordRef = PASSWORD;
    refused(() -> new BasicIssuer().issue(b, context(Map.of(PASSWORD, "pw"))), "InvalidConfiguration",
        "spec.auth.basic.username", "pw");

    BasicAuth fromSecret = new BasicAuth();
    fromSecret.usernameRef = USER;
    fromSecret.passwordRef = PASSWORD;
    refused(() -> new BasicIssuer().issue(fromSecret, context(Map.of(USER, "ann\u0000evil", PASSWORD, "pw"))),
        "InvalidSecretValue", "Secret ledger key username");
    refused(() -> new BasicIssuer().issue(fromSecret, context(Map.of(USER, "ann:evil", PASSWORD, "pw"))),
        "InvalidConfiguration", "spec.auth.basic.usernameRef");
  }

  @Test
  void aUnicodeBasicUsernameIsFineBecauseItIsBase64Encoded() throws Exception {
    BasicAuth b = new BasicAuth();
    b.username = "Zoë";
    b.passwordRef = PASSWORD;
    assertThat(new BasicIssuer().issue(b, context(Map.of(PASSWORD, "pw"))).headerValue()).startsWith("Basic ");
  }

  // ---- the last guard: no issuer can build an unsafe credential ---------------------------------

  @Test
  void theCredentialItselfRefusesUnsafeValuesNamingTheOutputKeyOnly() {
    assertThatThrownBy(() -> new IssuedCredential("Authorization", "Bearer " + EVIL, "t", "Bearer", NOW, null,
        Map.of(), List.of()))
        .isInstanceOf(IssuedCredential.UnsafeValueException.class)
        .hasMessageContaining("header-value").hasMessageNotContaining("evil").hasMessageNotContaining("Injected");
    assertThatThrownBy(() -> new IssuedCredential("X Bad", "v", "t", "Bearer", NOW, null, Map.of(), List.of()))
        .hasMessageContaining("header-name");
    assertThatThrownBy(() -> new IssuedCredential("X", "v", "t", "Bea rer", NOW, null, Map.of(), List.of()))
        .hasMessageContaining("token-type");
    assertThatThrownBy(() -> new IssuedCredential("", "", "t", "ApiKey", NOW, null,
        Map.of("query-name", "k", "query-value", "a\nb"), List.of()))
        .hasMessageContaining("query-value");
    assertThatThrownBy(() -> new IssuedCredential("X", "v", "t", "Bearer", NOW, null,
        Map.of("not/a key", "v"), List.of()))
        .hasMessageContaining("Secret key");
  }

  @Test
  void anIssuerThatForgetsTheCheckIsStoppedByTheRegistryWithACondition() {
    CredentialIssuer<ApiKeyAuth> careless = new CredentialIssuer<>() {
      @Override
      public Class<ApiKeyAuth> authClass() {
        return ApiKeyAuth.class;
      }

      @Override
      public IssuedCredential issue(ApiKeyAuth auth, IssueContext context) {
        return new IssuedCredential("X-Key", context.secrets().get(auth.keyRef), "t", "ApiKey", NOW, null, Map.of(),
            List.of());
      }
    };
    refused(() -> new CredentialIssuers(List.of(careless)).issue(apiKey(), context(Map.of(KEY, EVIL))),
        "UnsafeCredential", "header-value");
  }

  @Test
  void theCheckerDescribesTheFlawWithoutQuotingTheValue() {
    assertThat(HttpFields.flaw(HttpFields.Rule.TOKEN, "a b")).isEqualTo("contains a space at position 2");
    assertThat(HttpFields.flaw(HttpFields.Rule.PRINTABLE, "ab\r")).isEqualTo("contains a line break (CR) at position 3");
    assertThat(HttpFields.flaw(HttpFields.Rule.PRINTABLE, "a\u007fb")).contains("U+007F");
    assertThat(HttpFields.flaw(HttpFields.Rule.VISIBLE, "a b")).contains("space");
    assertThat(HttpFields.flaw(HttpFields.Rule.TEXT, "Zoë")).isNull();
    assertThat(HttpFields.flaw(HttpFields.Rule.TEXT, "a\u2028b")).contains("line separator");
    assertThat(HttpFields.flaw(HttpFields.Rule.SECRET_KEY, "instance_url")).isNull();
    assertThat(HttpFields.flaw(HttpFields.Rule.SECRET_KEY, "a".repeat(254))).contains("253");
    assertThat(HttpFields.flaw(HttpFields.Rule.TOKEN, "!#$%&'*+-.^_`|~09AZaz")).isNull();
  }

  @Test
  void theCrdPatternsAgreeWithTheChecker() {
    for (String s : List.of("X-Api-Key", "X Api", "a\r\nb", "Ünï", "!#$%&'*+-.^_`|~", "", "a:b")) {
      assertThat(s.matches(io.keyward.api.v1alpha1.SchemaPatterns.TOKEN)).as(s).isEqualTo(HttpFields.accepts(HttpFields.Rule.TOKEN, s));
      assertThat(s.matches(io.keyward.api.v1alpha1.SchemaPatterns.PRINTABLE)).as(s)
          .isEqualTo(HttpFields.accepts(HttpFields.Rule.PRINTABLE, s));
    }
  }

  static <T> T assertDoesNotThrow(java.util.concurrent.Callable<T> c) {
    try {
      return c.call();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
