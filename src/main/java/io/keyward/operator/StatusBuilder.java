package io.keyward.operator;

import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.Notice;
import io.keyward.renewal.RenewalPlan;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one writer of {@code status}. Builds the whole status from what the reconcile observed;
 * keeps {@code lastTransitionTime} of conditions whose status did not change. Messages come from
 * classified failures and never carry secret values.
 */
final class StatusBuilder {
  static final String READY = "Ready";
  static final String DEGRADED = "Degraded";
  static final String WARNING = "Warning";

  /**
   * What one reconcile saw.
   *
   * @param authType the auth block that is set, or {@code null} when the spec is invalid
   * @param credential the credential last issued (from state), or {@code null}
   * @param published whether the output Secret holds it
   * @param plan when it will be renewed, or {@code null}
   * @param failure the failure since the last success, or {@code null}
   * @param refreshRequest the refresh annotation acted on, or {@code null}
   * @param deferral why this reconcile's issue was put off (the provider's host or the namespace's share
   *     was busy: {@code ProviderBusy}, {@code NamespaceBusy}), or {@code null}
   * @param lastIssue why the stored credential was issued (reason and message), or {@code null}
   * @param nextCheck when the connector is looked at again by itself, or {@code null}
   */
  record Observation(long generation, String authType, String secretName, IssuedCredential credential,
      boolean published, RenewalPlan plan, FailureTracker.Failure failure, String refreshRequest, Notice deferral,
      Notice lastIssue, Instant nextCheck, List<io.keyward.api.v1alpha1.RolloutTargetStatus> rolloutTargets,
      List<Notice> rolloutNotices, ConnectorSettings.Provider provider) {
    Observation(long generation, String authType, String secretName, IssuedCredential credential,
        boolean published, RenewalPlan plan, FailureTracker.Failure failure, String refreshRequest, Notice deferral,
        Notice lastIssue, Instant nextCheck, List<io.keyward.api.v1alpha1.RolloutTargetStatus> rolloutTargets,
        List<Notice> rolloutNotices) {
      this(generation, authType, secretName, credential, published, plan, failure, refreshRequest, deferral, lastIssue,
          nextCheck, rolloutTargets, rolloutNotices, null);
    }

    Observation(long generation, String authType, String secretName, IssuedCredential credential,
        boolean published, RenewalPlan plan, FailureTracker.Failure failure, String refreshRequest) {
      this(generation, authType, secretName, credential, published, plan, failure, refreshRequest, null, null, null,
          null, List.of());
    }

    /** The same, with what the connector's rollout did ({@code targets} null without a rollout). */
    Observation withRollout(List<io.keyward.api.v1alpha1.RolloutTargetStatus> targets, List<Notice> notices) {
      return new Observation(generation, authType, secretName, credential, published, plan, failure, refreshRequest,
          deferral, lastIssue, nextCheck, targets, notices, provider);
    }

    /**
     * From the typed results of one reconcile. A credential kept only for its issuer state (never
     * published) counts as none.
     */
    static Observation of(long generation, Optional<ConnectorSettings> spec, Optional<Holding> holding,
        boolean published, Optional<FailureTracker.Failure> failure, Optional<String> refreshRequest,
        Optional<Notice> deferral, Optional<Instant> nextCheck) {
      Optional<Holding> shown = holding.filter(Holding::publishable);
      return new Observation(generation, spec.map(s -> s.auth().type()).orElse(null),
          spec.map(ConnectorSettings::outputSecretName).orElse(null),
          shown.map(h -> h.stored().credential()).orElse(null), published,
          shown.flatMap(Holding::plan).orElse(null), failure.orElse(null), refreshRequest.orElse(null),
          deferral.orElse(null),
          shown.map(Holding::stored).filter(st -> st.issueReason() != null)
              .map(st -> new Notice(st.issueReason(), st.issueMessage())).orElse(null),
          nextCheck.orElse(null), null, List.of(), spec.map(ConnectorSettings::provider).orElse(null));
    }
  }

  private StatusBuilder() {}

  static ApiConnectorStatus build(ApiConnectorStatus previous, Observation o, Instant now) {
    ApiConnectorStatus s = new ApiConnectorStatus();
    s.observedGeneration = o.generation();
    s.authType = o.authType();
    s.secretName = o.secretName();
    if (o.provider() != null) {
      s.provider = o.provider().name();
      s.providerSource = o.provider().source();
    }
    IssuedCredential c = o.credential();
    FailureTracker.Failure f = o.failure();
    if (c != null) {
      s.issuedAt = time(c.issuedAt());
      s.expiresAt = time(c.expiresAt());
      s.renewalTime = o.plan() == null ? null : time(o.plan().renewAt());
      if (c.publication() != null) {
        s.currentKeyId = c.publication().currentKeyId();
        s.nextKeyRotation = time(c.publication().nextRotation());
      }
    }
    if (o.lastIssue() != null) {
      s.lastIssueReason = o.lastIssue().reason();
      s.lastIssueMessage = o.lastIssue().message();
    }
    s.nextCheckTime = time(o.nextCheck());
    s.lastFailureTime = f != null ? time(f.at()) : previous == null ? null : previous.lastFailureTime;
    s.consecutiveFailures = f == null ? 0 : f.count();
    s.lastRefreshRequest = o.refreshRequest() != null ? o.refreshRequest()
        : previous == null ? null : previous.lastRefreshRequest;
    s.rolloutTargets = o.rolloutTargets() == null || o.rolloutTargets().isEmpty() ? null : o.rolloutTargets();

    List<Condition> conditions = new ArrayList<>();
    conditions.add(ready(o, now));
    conditions.add(f == null
        ? new Condition(DEGRADED, "False", "RefreshSucceeded", "The last attempt succeeded")
        : new Condition(DEGRADED, "True", f.reason(), failureMessage(f)));
    List<Notice> notices = notices(o);
    if (!notices.isEmpty()) {
      conditions.add(new Condition(WARNING, "True", notices.get(0).reason(),
          notices.stream().map(Notice::message).collect(Collectors.joining("; "))));
    }
    for (Condition condition : conditions) {
      condition.observedGeneration = o.generation();
      condition.lastTransitionTime = previous == null
          ? time(now)
          : previous.condition(condition.type)
              .filter(p -> condition.status.equals(p.status) && p.lastTransitionTime != null)
              .map(p -> p.lastTransitionTime)
              .orElse(time(now));
    }
    s.conditions = conditions;
    return s;
  }

  private static Condition ready(Observation o, Instant now) {
    IssuedCredential c = o.credential();
    FailureTracker.Failure f = o.failure();
    if (c != null && o.published() && (c.expiresAt() == null || now.isBefore(c.expiresAt()))) {
      String validity = c.expiresAt() == null ? "does not expire" : "is valid until " + time(c.expiresAt());
      return new Condition(READY, "True", "CredentialIssued",
          "Secret " + o.secretName() + " holds a credential that " + validity);
    }
    if (f != null) {
      return new Condition(READY, "False", f.reason(), failureMessage(f));
    }
    if (c == null && o.deferral() != null) {
      return new Condition(READY, "False", o.deferral().reason(), o.deferral().message());
    }
    if (c != null) {
      return new Condition(READY, "False", "Expired", "The credential expired at " + time(c.expiresAt()));
    }
    return new Condition(READY, "False", "Pending", "No credential has been issued yet");
  }

  private static String failureMessage(FailureTracker.Failure f) {
    if (f.terminal()) {
      return f.message();
    }
    return f.message() + " (attempt " + f.count() + "; next retry at " + time(f.retryNotBefore()) + ")";
  }

  private static List<Notice> notices(Observation o) {
    List<Notice> notices = new ArrayList<>();
    if (o.credential() != null) {
      notices.addAll(o.credential().notices());
    }
    var c = o.credential();
    if (c != null && c.expiresAt() != null && !c.expiresAt().isAfter(c.issuedAt())) {
      notices.add(new Notice("ExpiredOnIssue", "the provider issued a credential that had already expired (expiry "
          + time(c.expiresAt()) + "); Keyward asks again every "
          + io.keyward.renewal.RenewalPolicy.EXPIRED_ON_ISSUE_RETRY.toSeconds() + " s, not in a loop"));
    } else if (o.plan() != null && o.plan().shortLifetime()) {
      notices.add(new Notice("ShortLifetime", "the credential lives too briefly to stay valid "
          + "2 minutes after its replacement is written; it is refreshed at half-life, and a pod may briefly read "
          + "an expired credential before the kubelet syncs the Secret"));
    }
    notices.addAll(o.rolloutNotices());
    return notices;
  }

  static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
