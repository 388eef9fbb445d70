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

  /**
   * The failure since the last success as a reconcile starts from it: none when the gathering has
   * just written the credential whose state write had failed.
   */
  Optional<Failure> sinceLastSuccess(ApiConnector connector, Gathered gathered) {
    ResourceID id = ResourceID.fromResource(connector);
    if (gathered.flushedPendingWrite()) {
      failures.remove(id); // the write that failed is done
    }
    return get(id);
  }

  /**
   * The failure record after a reconcile, and the record kept for the next one:
   * <ul>
   *   <li>what failed now (the first step that failed counts; a later one is only logged); an issue
   *       that succeeded now resolves an earlier failed one first;
   *   <li>else an earlier failed issue while it still stands (permanent, or backing off, on the same
   *       inputs; a deferral leaves it as it was, so that its retry still comes);
   *   <li>else none: a failed read or output write is resolved by this reconcile's reading and
   *       writing without failure.
   * </ul>
   * A failure whose reason is new is a Warning Event; the end of a failure (not by a deferral, which
   * only puts an attempt off) is a Normal Event {@code Recovered}.
   */
  Optional<Failure> settle(ApiConnector connector, Gathered g, Optional<Failure> before, Attempt attempt,
      Optional<CredentialException> projectionFailure, Instant now) {
    ResourceID id = ResourceID.fromResource(connector);
    if (attempt.issued().isPresent()) {
      failures.remove(id);
    }
    Optional<Failure> failed = attempt.failure()
        .map(e -> record(connector, e, attempt.decision().isPresent() ? Step.ISSUE : Step.GATHER, g, now));
    if (failed.isEmpty()) {
      failed = projectionFailure.map(e -> record(connector, e, Step.PROJECT, g, now));
    } else {
      projectionFailure.ifPresent(e -> log(connector, e));
    }
    String fingerprint = g.fingerprint().orElse(null);
    Optional<Failure> after = failed.isPresent() ? failed
        : attempt.issued().isPresent() || attempt.deferral().filter(CredentialException::isAwaiting).isPresent()
            ? Optional.empty() // issued, or the provider now waits for a person: what failed before is over
        : before.filter(f -> f.step() == Step.ISSUE).filter(attempt.deferral().isPresent()
            ? f -> Objects.equals(f.fingerprint(), fingerprint)
            : f -> f.standsAt(fingerprint, now));
    if (after.isEmpty()) {
      failures.remove(id);
      before.filter(f -> attempt.deferral().isEmpty())
          .ifPresent(f -> events.normal(connector, "Recovered", "Recovered from " + f.reason() + " after " + f.count()
              + (f.count() == 1 ? " failed attempt" : " failed attempts")));
    }
    return after;
  }

  private Failure record(ApiConnector connector, CredentialException e, Step step, Gathered g, Instant now) {
    ResourceID id = ResourceID.fromResource(connector);
    String previousReason = get(id).map(Failure::reason).orElse(null);
    Failure failure = failures.compute(id, (k, previous) -> next(previous, e, step, g.fingerprint().orElse(null),
        g.refreshRequest().orElse(null), now, Holding.jitterSeed(connector, now)));
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
   * The record after a failure of {@code step}, counting on from {@code previous}. A failed issue is
   * resolved only by an issue that succeeds (or by a change of its inputs): a read or output write
   * that fails on top of it shows its own reason and message, but the record stays the issue's (its
   * inputs, whether it was permanent, the refresh request it acted on), so that its retry is still
   * an issue, and a permanent one is still not retried.
   */
  private Failure next(Failure previous, CredentialException e, Step step, String fingerprint, String refreshRequest,
      Instant now, double jitterSeed) {
    int count = previous == null ? 1 : previous.count() + 1;
    boolean onFailedIssue = step != Step.ISSUE && previous != null && previous.step() == Step.ISSUE;
    boolean terminal = onFailedIssue ? previous.terminal() : e.isTerminal();
    Instant retry = terminal ? null : now.plus(backoff.delay(count, e.retryAfter().orElse(null), jitterSeed));
    return onFailedIssue
        ? new Failure(e.reason(), e.getMessage(), terminal, previous.fingerprint(), count, now, retry, Step.ISSUE,
            previous.refreshRequest())
        : new Failure(e.reason(), e.getMessage(), terminal, fingerprint, count, now, retry, step,
            step == Step.ISSUE ? refreshRequest : null);
  }

  Optional<Failure> get(ResourceID id) {
    return Optional.ofNullable(failures.get(id));
  }

  void clear(ResourceID id) {
    failures.remove(id);
  }
}
