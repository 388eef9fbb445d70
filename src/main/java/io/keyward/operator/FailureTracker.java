package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.credential.CredentialException;
import io.keyward.renewal.Backoff;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The failures of each connector since its last success, kept in memory. A restart forgets them,
 * which costs at most one extra attempt per connector.
 */
final class FailureTracker {
  /**
   * @param fingerprint the inputs the failed attempt used ({@code null} when inputs could not be resolved)
   * @param retryNotBefore when a transient failure may be retried ({@code null} for terminal ones)
   */
  record Failure(String reason, String message, boolean terminal, String fingerprint, int count, Instant at,
      Instant retryNotBefore) {}

  private final Map<ResourceID, Failure> failures = new ConcurrentHashMap<>();
  private final Backoff backoff;

  FailureTracker(Backoff backoff) {
    this.backoff = backoff;
  }

  /** Counts a failure; a deferral ({@link CredentialException#isDeferred()}) is none and leaves the record as it was. */
  Failure record(ResourceID id, CredentialException e, String fingerprint, Instant now, double jitterSeed) {
    if (e.isDeferred()) {
      return failures.get(id);
    }
    return failures.compute(id, (k, previous) -> {
      int count = previous == null ? 1 : previous.count() + 1;
      Instant retry = e.isTerminal()
          ? null
          : now.plus(backoff.delay(count, e.retryAfter().orElse(null), jitterSeed));
      return new Failure(e.reason(), e.getMessage(), e.isTerminal(), fingerprint, count, now, retry);
    });
  }

  Optional<Failure> get(ResourceID id) {
    return Optional.ofNullable(failures.get(id));
  }

  void clear(ResourceID id) {
    failures.remove(id);
  }
}
