package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.credential.CredentialException;
import io.keyward.renewal.Backoff;
import io.keyward.renewal.Standing;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The failure of each connector since its last success, kept in memory. A restart forgets them,
 * which costs at most one extra attempt per connector.
 */
final class FailureTracker {
  /** The reconcile step that failed. */
  enum Step {
    /** reading the spec, the state Secret or a referenced Secret */
    GATHER,
    /** calling the provider, validating its answer, or writing it to the state Secret */
    ISSUE,
    /** writing the output Secret or the published keys */
    PROJECT
  }

  /**
   * @param fingerprint the inputs the failed step used ({@code null} when inputs could not be resolved)
   * @param retryNotBefore when a transient failure may be retried ({@code null} for terminal ones)
   * @param refreshRequest the refresh annotation when an issue was attempted: that request was acted on
   */
  record Failure(String reason, String message, boolean terminal, String fingerprint, int count, Instant at,
      Instant retryNotBefore, Step step, String refreshRequest) {
    Standing.LastFailure last() {
      return new Standing.LastFailure(terminal, fingerprint, retryNotBefore, step == Step.ISSUE);
    }

    /** Still stands without a new attempt: same inputs, and permanent or still backing off. */
    boolean standsAt(String currentFingerprint, Instant now) {
      return Objects.equals(fingerprint, currentFingerprint) && (terminal || now.isBefore(retryNotBefore));
    }
  }

  private final Map<ResourceID, Failure> failures = new ConcurrentHashMap<>();
  private final Backoff backoff;

  FailureTracker(Backoff backoff) {
    this.backoff = backoff;
  }

  /**
   * Counts a failure of {@code step}. An issue that failed stays an issue failure until an issue
   * succeeds, whatever fails after it: its retry is an issue.
   */
  Failure record(ResourceID id, CredentialException e, Step step, String fingerprint, String refreshRequest,
      Instant now, double jitterSeed) {
    return failures.compute(id, (k, previous) -> {
      int count = previous == null ? 1 : previous.count() + 1;
      Instant retry = e.isTerminal()
          ? null
          : now.plus(backoff.delay(count, e.retryAfter().orElse(null), jitterSeed));
      boolean issueUnresolved = previous != null && previous.step() == Step.ISSUE;
      return new Failure(e.reason(), e.getMessage(), e.isTerminal(), fingerprint, count, now, retry,
          issueUnresolved ? Step.ISSUE : step,
          step == Step.ISSUE ? refreshRequest : previous == null ? null : previous.refreshRequest());
    });
  }

  Optional<Failure> get(ResourceID id) {
    return Optional.ofNullable(failures.get(id));
  }

  void clear(ResourceID id) {
    failures.remove(id);
  }
}
