package io.keyward.credential.oauth2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.SecretValues;
import io.keyward.credential.http.HttpSender;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a token endpoint answers is checked before it can reach a header, and expires_in ≤ 0 means expired. */
class ProviderAnswerTest extends TokenEndpointFixture {
  void answer(String json) {
    server.override(r -> Response.json(200, json));
  }

  void refusedAsInvalidResponse(OAuth2Auth a, String field) {
    assertThatThrownBy(() -> issuer.issue(a, context)).isInstanceOfSatisfying(CredentialException.class, e -> {
      assertThat(e.reason()).isEqualTo("InvalidTokenResponse");
      assertThat(e.isTerminal()).isFalse();
      assertThat(e.errorClass()).isEqualTo("unsafe_response");
      assertThat(e.getMessage()).contains(field).doesNotContain("tok-").doesNotContain("Injected")
          .doesNotContain("evil").doesNotContain("\r").doesNotContain("\n");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"tok-1\\r\\nX-Injected: 1", "tok-1\\nevil", "tok 1", "tok-1\\u0000", "tok-\\u00e9", "tok-1\\t"})
  void anAccessTokenWithAControlCharacterOrSpaceIsNeverPublished(String token) {
    answer("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
    refusedAsInvalidResponse(auth(), "access_token");
  }

  @Test
  void aTokenTypeThatIsNotATokenIsRefused() {
    answer("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\\r\\nX-Injected: evil\",\"expires_in\":3600}");
    refusedAsInvalidResponse(auth(), "token_type");
  }

  @Test
  void anOutputFieldValueWithALineBreakIsRefused() {
    answer("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"instance_url\":\"https://x\\r\\nevil\"}");
    OAuth2Auth a = auth();
    a.outputFields = List.of("instance_url");
    refusedAsInvalidResponse(a, "instance_url");
  }

  @Test
  void anOutputFieldNameThatIsNotASecretKeyIsInvalidConfiguration() {
    answer("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\"}");
    OAuth2Auth a = auth();
    a.outputFields = List.of("instance_url", "../evil");
    assertThatThrownBy(() -> issuer.issue(a, context)).isInstanceOfSatisfying(CredentialException.class, e -> {
      assertThat(e.reason()).isEqualTo("InvalidConfiguration");
      assertThat(e.getMessage()).startsWith("spec.auth.oauth2.outputFields[1]: is not a valid Secret key")
          .doesNotContain("evil");
    });
  }

  @Test
  void aNormalAnswerStillWorksWithItsOutputFields() throws Exception {
    answer("{\"access_token\":\"eyJ.a-b_c~d+e/f=\",\"token_type\":\"bearer\",\"expires_in\":60,"
        + "\"instance_url\":\"https://eu.example.com/ü\"}");
    OAuth2Auth a = auth();
    a.outputFields = List.of("instance_url");
    IssuedCredential c = issuer.issue(a, context);
    assertThat(c.headerValue()).isEqualTo("Bearer eyJ.a-b_c~d+e/f=");
    assertThat(c.extraOutput()).containsEntry("instance_url", "https://eu.example.com/ü");
    assertThat(c.expiresAt()).isEqualTo(NOW.plusSeconds(60));
  }

  // ---- expires_in ≤ 0 is an expired answer, not the default lifetime -----------------------------

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "\"0\"", "\"-30\"", "-0.5"})
  void expiresInZeroOrNegativeIsExpiredOnIssue(String expiresIn) throws Exception {
    answer("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}");
    IssuedCredential c = issuer.issue(auth(), context);
    assertThat(c.expiresAt()).isEqualTo(c.issuedAt()).isEqualTo(NOW);
  }

  @Test
  void expiresInZeroMillisecondsIsExpiredAndASubSecondLifetimeIsNot() throws Exception {
    OAuth2Auth a = auth();
    a.expiresInUnit = OAuth2Auth.ExpiresInUnit.milliseconds;
    answer("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":0}");
    assertThat(issuer.issue(a, context).expiresAt()).isEqualTo(NOW);
    answer("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\",\"expires_in\":500}");
    assertThat(issuer.issue(a, context).expiresAt()).isEqualTo(NOW.plusSeconds(1));
  }

  @Test
  void noExpiresInStillMeansTheDefaultLifetime() throws Exception {
    answer("{\"access_token\":\"tok-1\",\"token_type\":\"Bearer\"}");
    assertThat(issuer.issue(auth(), context).expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(45)));
  }
}
