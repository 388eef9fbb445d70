package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.renewal.Backoff;
import io.keyward.renewal.Standing;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure of each connector since its last success, kept in memory: which step failed, its
 * backoff, and the refresh request the attempt acted on. A restart forgets them, which costs at most
 * one extra attempt per connector.
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

  private static final Logger LOG = LoggerFactory.getLogger(FailureTracker.class);
  private final Map<ResourceID, Failure> failures = new ConcurrentHashMap<>();
  private final Backoff backoff;
  private final Events events;

  FailureTracker(Backoff backoff, Events events) {
    this.backoff = backoff;
    this.events = events;
  }

  /** The failure since the last success, unless it was a state write that the gathering has now done. */
  Optional<Failure> before(ApiConnector connector, Gathered gathered) {
    ResourceID id = ResourceID.fromResource(connector);
    if (gathered.flushedPendingWrite()) {
      failures.remove(id);
    }
    return get(id);
  }

  /**
   * The failure record after a reconcile: what failed now (the first step that failed counts; a
   * later one is only logged), else the earlier failure while it still stands (a deferral settles
   * nothing), else none, and the record is cleared. A failure whose reason is new is a Warning Event.
   */
  Optional<Failure> settle(ApiConnector connector, Gathered g, Optional<Failure> before, Attempt attempt,
      Optional<CredentialException> projectionFailure, Instant now) {
    Optional<Failure> failed = attempt.failure()
        .map(e -> record(connector, e, attempt.decision().isPresent() ? Step.ISSUE : Step.GATHER, g, now));
    if (failed.isEmpty()) {
      failed = projectionFailure.map(e -> record(connector, e, Step.PROJECT, g, now));
    } else {
      projectionFailure.ifPresent(e -> log(connector, e));
    }
    String fingerprint = g.fingerprint().orElse(null);
    Optional<Failure> after = failed.isPresent() ? failed
        : attempt.deferral().isPresent() ? before.filter(f -> Objects.equals(f.fingerprint(), fingerprint))
        : attempt.issued().isPresent() ? Optional.empty()
        : before.filter(f -> f.standsAt(fingerprint, now));
    if (after.isEmpty()) {
      failures.remove(ResourceID.fromResource(connector));
    }
    return after;
  }

  private Failure record(ApiConnector connector, CredentialException e, Step step, Gathered g, Instant now) {
    ResourceID id = ResourceID.fromResource(connector);
    String previousReason = get(id).map(Failure::reason).orElse(null);
    Failure failure = record(id, e, step, g.fingerprint().orElse(null), g.refreshRequest().orElse(null), now,
        Holding.jitterSeed(connector, now));
    if (!e.reason().equals(previousReason)) {
      events.warning(connector, e.reason(), e.getMessage());
    }
    log(connector, e);
    return failure;
  }

  private static void log(ApiConnector connector, CredentialException e) {
    LOG.warn("{}/{}: {}: {}{}", connector.getMetadata().getNamespace(), connector.getMetadata().getName(),
        e.reason(), e.getMessage(), e.isTerminal() ? " (waiting for a change)" : " (will retry)");
  }

  /**
   * Counts a failure of {@code step}. An issue that failed stays an issue failure until an issue
   * succeeds, whatever fails after it: its retry is an issue.
   */
  private Failure record(ResourceID id, CredentialException e, Step step, String fingerprint, String refreshRequest,
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
