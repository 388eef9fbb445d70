package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.Notice;
import io.keyward.renewal.RenewalPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123Z");
  static final Instant T1 = T0.plusSeconds(60);
  static final IssuedCredential TOKEN = new IssuedCredential("Authorization", "Bearer tok-secret", "tok-secret",
      "Bearer", T0, T0.plusSeconds(3600), Map.of(), List.of());
  static final RenewalPlan PLAN = new RenewalPlan(T0.plusSeconds(2400), Duration.ofSeconds(1200), false);

  static StatusBuilder.Observation observed(IssuedCredential c, boolean published, RenewalPlan plan,
      FailureTracker.Failure f) {
    return new StatusBuilder.Observation(3, "oauth2", "crm-credentials", c, published, plan, f, null);
  }

  static FailureTracker.Failure transientFailure(int count) {
    return new FailureTracker.Failure("TokenEndpointUnavailable", "token endpoint answered HTTP 503", false, "fp",
        count, T1, T1.plusSeconds(10), FailureTracker.Step.ISSUE, null);
  }

  @Test
  void issuedCredentialIsReadyWithTimesInWholeSeconds() {
    ApiConnectorStatus s = StatusBuilder.build(null, observed(TOKEN, true, PLAN, null), T0);

    assertThat(s.observedGeneration).isEqualTo(3);
    assertThat(s.authType).isEqualTo("oauth2");
    assertThat(s.secretName).isEqualTo("crm-credentials");
    assertThat(s.issuedAt).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(s.expiresAt).isEqualTo("2026-03-01T11:00:00Z");
    assertThat(s.renewalTime).isEqualTo("2026-03-01T10:40:00Z");
    assertThat(s.consecutiveFailures).isZero();
    assertThat(condition(s, "Ready")).satisfies(c -> {
      assertThat(c.status).isEqualTo("True");
      assertThat(c.reason).isEqualTo("CredentialIssued");
      assertThat(c.message).contains("crm-credentials").contains("2026-03-01T11:00:00Z");
      assertThat(c.observedGeneration).isEqualTo(3);
    });
    assertThat(condition(s, "Degraded").status).isEqualTo("False");
    assertThat(s.condition("Warning")).isEmpty();
  }

  @Test
  void statusSaysWhyTheCredentialWasIssuedAndWhenKeywardLooksAgain() {
    ApiConnectorStatus s = StatusBuilder.build(null, new StatusBuilder.Observation(3, "oauth2", "crm-credentials",
        TOKEN, true, PLAN, null, null, null, new Notice("RenewalDue", "Renewal time 2026-03-01T10:40:00Z reached"),
        PLAN.renewAt(), null, java.util.List.of()), T0);
    assertThat(s.lastIssueReason).isEqualTo("RenewalDue");
    assertThat(s.lastIssueMessage).isEqualTo("Renewal time 2026-03-01T10:40:00Z reached");
    assertThat(s.nextCheckTime).isEqualTo("2026-03-01T10:40:00Z").isEqualTo(s.renewalTime);
    ApiConnectorStatus none = StatusBuilder.build(null, observed(TOKEN, true, PLAN, null), T0);
    assertThat(none.lastIssueReason).isNull();
    assertThat(none.nextCheckTime).isNull();
  }

  @Test
  void aFailedRefreshKeepsReadyButMarksDegradedWithTheRetryTime() {
    ApiConnectorStatus s = StatusBuilder.build(null, observed(TOKEN, true, PLAN, transientFailure(2)), T1);

    assertThat(condition(s, "Ready").status).isEqualTo("True");
    assertThat(condition(s, "Degraded")).satisfies(c -> {
      assertThat(c.status).isEqualTo("True");
      assertThat(c.reason).isEqualTo("TokenEndpointUnavailable");
      assertThat(c.message).contains("HTTP 503").contains("attempt 2").contains("2026-03-01T10:01:10Z");
    });
    assertThat(s.consecutiveFailures).isEqualTo(2);
    assertThat(s.lastFailureTime).isEqualTo("2026-03-01T10:01:00Z");
  }

  @Test
  void withoutACredentialTheFailureIsTheReadyReason() {
    var f = new FailureTracker.Failure("SecretNotFound", "Secret sales/crm-oauth (key client-secret) does not exist",
        true, null, 1, T0, null, FailureTracker.Step.GATHER, null);
    ApiConnectorStatus s = StatusBuilder.build(null, observed(null, false, null, f), T0);

    assertThat(condition(s, "Ready")).satisfies(c -> {
      assertThat(c.status).isEqualTo("False");
      assertThat(c.reason).isEqualTo("SecretNotFound");
      assertThat(c.message).isEqualTo("Secret sales/crm-oauth (key client-secret) does not exist");
    });
    assertThat(s.expiresAt).isNull();
  }

  @Test
  void anUnpublishedOrExpiredCredentialIsNotReady() {
    assertThat(condition(StatusBuilder.build(null, observed(TOKEN, false, PLAN, null), T0), "Ready").status)
        .isEqualTo("False");
    ApiConnectorStatus expired = StatusBuilder.build(null, observed(TOKEN, true, PLAN, null), T0.plusSeconds(3600));
    assertThat(condition(expired, "Ready").reason).isEqualTo("Expired");
  }

  @Test
  void lastTransitionTimeIsKeptWhileTheStatusOfAConditionDoesNotChange() {
    ApiConnectorStatus first = StatusBuilder.build(null, observed(TOKEN, true, PLAN, null), T0);
    ApiConnectorStatus degraded = StatusBuilder.build(first, observed(TOKEN, true, PLAN, transientFailure(1)), T1);

    assertThat(condition(degraded, "Ready").lastTransitionTime).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(condition(degraded, "Degraded").lastTransitionTime).isEqualTo("2026-03-01T10:01:00Z");
  }

  @Test
  void noticesAndShortLifetimesBecomeAWarning() {
    IssuedCredential withNotice = new IssuedCredential("", "", "k", "ApiKey", T0, null, Map.of(),
        List.of(new Notice("ApiKeyInQuery", "the API key is sent as query parameter 'key'")));
    assertThat(condition(StatusBuilder.build(null, observed(withNotice, true, null, null), T0), "Warning"))
        .satisfies(c -> {
          assertThat(c.status).isEqualTo("True");
          assertThat(c.reason).isEqualTo("ApiKeyInQuery");
        });
    RenewalPlan shortPlan = new RenewalPlan(T0.plusSeconds(3), Duration.ofSeconds(3), true);
    assertThat(condition(StatusBuilder.build(null, observed(TOKEN, true, shortPlan, null), T0), "Warning").reason)
        .isEqualTo("ShortLifetime");
  }

  @Test
  void statusNeverCarriesTheCredential() throws Exception {
    ApiConnectorStatus s = StatusBuilder.build(null, observed(TOKEN, true, PLAN, transientFailure(1)), T1);
    String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(s);
    assertThat(json).doesNotContain("tok-secret");
  }

  static Condition condition(ApiConnectorStatus s, String type) {
    return s.condition(type).orElseThrow(() -> new AssertionError("no condition " + type));
  }
}
