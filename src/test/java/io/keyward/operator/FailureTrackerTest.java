package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import io.keyward.operator.FailureTracker.Failure;
import io.keyward.operator.FailureTracker.Step;
import io.keyward.renewal.Backoff;
import io.keyward.renewal.RefreshDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which failure a reconcile leaves behind, and what a later failure does to an unresolved failed issue. */
class FailureTrackerTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final RefreshDecision DUE = RefreshDecision.due("RefreshRequested", "A refresh was requested");
  static final CredentialException UNAVAILABLE =
      CredentialException.transientFailure("TokenEndpointUnavailable", "token endpoint answered HTTP 503", null);
  static final CredentialException REJECTED =
      CredentialException.terminal("ReauthorizationRequired", "the provider rejected the refresh token");
  static final CredentialException OUTPUT =
      CredentialException.transientFailure("OutputWriteFailed", "could not write Secret crm-credentials (HTTP 403)", null);
  static final CredentialException MISSING =
      CredentialException.terminal("SecretNotFound", "Secret sales/crm-oauth (key client-secret) does not exist");

  final List<String> warnings = new ArrayList<>();
  final List<String> normals = new ArrayList<>();
  final FailureTracker tracker = new FailureTracker(new Backoff(Duration.ofSeconds(20), Duration.ofMinutes(5), 2.0),
      new Events() {
        @Override
        public void normal(ApiConnector connector, String reason, String message) {
          normals.add(reason + ": " + message);
        }

        @Override
        public void warning(ApiConnector connector, String reason, String message) {
          warnings.add(reason);
        }
      });
  final ApiConnector connector = new ApiConnector();

  FailureTrackerTest() {
    connector.setMetadata(new ObjectMetaBuilder().withName("crm").withNamespace("sales").withUid("u-1").build());
  }

  static Gathered gathered(String fingerprint, String request) {
    return new Gathered(Optional.empty(), Optional.empty(),
        Optional.ofNullable(fingerprint).map(fp -> new Gathered.Inputs(ref -> "", fp)), Optional.ofNullable(request),
        false, Optional.empty());
  }

  static Holding issued() {
    return new Holding(new StoredCredential(IssuedCredential.authorization("Bearer", "t", T0, T0.plusSeconds(3600)),
        "a"), Optional.empty());
  }

  Optional<Failure> settle(Gathered g, Attempt attempt, Optional<CredentialException> projection, Instant now) {
    return tracker.settle(connector, g, tracker.sinceLastSuccess(connector, g), attempt, projection, now);
  }

  @Test
  void aFailedIssueRemembersItsInputsBackoffAndTheRequestItActedOn() {
    Failure f = settle(gathered("a", "r1"), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0).orElseThrow();
    assertThat(f.step()).isEqualTo(Step.ISSUE);
    assertThat(f.fingerprint()).isEqualTo("a");
    assertThat(f.refreshRequest()).isEqualTo("r1");
    assertThat(f.retryNotBefore()).isAfter(T0);
    assertThat(f.last().duringIssue()).isTrue();
    assertThat(warnings).containsExactly("TokenEndpointUnavailable");
  }

  @Test
  void aReadFailureOnTopOfAFailedIssueShowsItsReasonButKeepsTheIssuesInputsAndRequest() {
    settle(gathered("a", "r1"), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0);
    Failure f = settle(gathered(null, "r1"), Attempt.notGathered(MISSING), Optional.empty(), T0.plusSeconds(5))
        .orElseThrow();
    assertThat(f.reason()).isEqualTo("SecretNotFound");
    assertThat(f.count()).isEqualTo(2);
    assertThat(f.step()).as("its retry is still an issue").isEqualTo(Step.ISSUE);
    assertThat(f.fingerprint()).isEqualTo("a");
    assertThat(f.refreshRequest()).isEqualTo("r1");
    assertThat(f.terminal()).as("the issue's failure was transient").isFalse();
    assertThat(f.retryNotBefore()).isAfter(T0.plusSeconds(5));
  }

  @Test
  void anOutputWriteFailureOnTopOfAPermanentIssueFailureStaysPermanent() {
    settle(gathered("a", null), Attempt.failed(DUE, REJECTED), Optional.empty(), T0);
    Failure f = settle(gathered("a", null), Attempt.notDue(RefreshDecision.notDue("AwaitingChange", "")),
        Optional.of(OUTPUT), T0.plusSeconds(5)).orElseThrow();
    assertThat(f.reason()).isEqualTo("OutputWriteFailed");
    assertThat(f.terminal()).as("the rejected grant is not retried").isTrue();
    assertThat(f.step()).isEqualTo(Step.ISSUE);
  }

  @Test
  void anIssueThatSucceedsResolvesTheFailedOneBeforeAnOutputWriteFailureIsCounted() {
    settle(gathered("a", "r1"), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0);
    Failure f = settle(gathered("a", "r2"), Attempt.issued(DUE, issued()), Optional.of(OUTPUT), T0.plusSeconds(5))
        .orElseThrow();
    assertThat(f.step()).isEqualTo(Step.PROJECT);
    assertThat(f.count()).isEqualTo(1);
    assertThat(f.refreshRequest()).as("the request is settled in the state Secret").isNull();
    assertThat(f.last().duringIssue()).isFalse();
  }

  @Test
  void aFailedOutputWriteIsResolvedByTheNextReconcileThatWritesWithoutFailing() {
    settle(gathered("a", null), Attempt.notDue(RefreshDecision.notDue("UpToDate", "")), Optional.of(OUTPUT), T0);
    assertThat(settle(gathered("a", null), Attempt.notDue(RefreshDecision.notDue("BackingOff", "")), Optional.empty(),
        T0.plusSeconds(1))).as("written now, though inside its backoff").isEmpty();
    assertThat(tracker.get(io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(connector))).isEmpty();
  }

  @Test
  void aDeferralLeavesAFailedIssueAsItWasSoThatItsRetryStillComes() {
    Failure before = settle(gathered("a", "r1"), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0).orElseThrow();
    Instant later = before.retryNotBefore().plusSeconds(1);
    CredentialException busy = CredentialException.deferred("ProviderBusy", "host busy", Duration.ofSeconds(2));
    assertThat(settle(gathered("a", "r1"), Attempt.deferred(RefreshDecision.due("Retrying", ""), busy),
        Optional.empty(), later)).contains(before);
  }

  @Test
  void aFailureOnOtherInputsIsDroppedWhenNothingFailsOnTheNewOnes() {
    settle(gathered("a", null), Attempt.failed(DUE, REJECTED), Optional.empty(), T0);
    assertThat(settle(gathered("b", null), Attempt.notDue(RefreshDecision.notDue("UpToDate", "")), Optional.empty(),
        T0.plusSeconds(1))).isEmpty();
  }

  @Test
  void aNewReasonIsOneWarningEventARepeatedOneIsNone() {
    settle(gathered("a", null), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0);
    settle(gathered("a", null), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0.plusSeconds(60));
    settle(gathered("a", null), Attempt.failed(DUE, REJECTED), Optional.empty(), T0.plusSeconds(120));
    assertThat(warnings).containsExactly("TokenEndpointUnavailable", "ReauthorizationRequired");
  }

  @Test
  void theEndOfAFailureIsOneRecoveredEventADeferralIsNoEnd() {
    settle(gathered("a", null), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0);
    Failure f = settle(gathered("a", null), Attempt.failed(DUE, UNAVAILABLE), Optional.empty(), T0.plusSeconds(60))
        .orElseThrow();
    CredentialException busy = CredentialException.deferred("ProviderBusy", "host busy", Duration.ofSeconds(2));
    settle(gathered("a", null), Attempt.deferred(RefreshDecision.due("Retrying", ""), busy), Optional.empty(),
        f.retryNotBefore().plusSeconds(1));
    assertThat(normals).as("put off, not recovered").isEmpty();
    settle(gathered("a", null), Attempt.issued(RefreshDecision.due("Retrying", ""), issued()), Optional.empty(),
        f.retryNotBefore().plusSeconds(3));
    assertThat(normals).containsExactly("Recovered: Recovered from TokenEndpointUnavailable after 2 failed attempts");
    settle(gathered("a", null), Attempt.notDue(RefreshDecision.notDue("UpToDate", "")), Optional.empty(),
        f.retryNotBefore().plusSeconds(5));
    assertThat(normals).as("once").hasSize(1);
  }
}
