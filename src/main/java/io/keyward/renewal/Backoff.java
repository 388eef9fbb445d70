package io.keyward.renewal;

import java.time.Duration;

/**
 * Exponential backoff with ±20 % jitter for transient failures, honouring a provider's
 * {@code Retry-After} (capped at one hour).
 */
public record Backoff(Duration initial, Duration max, double factor) {
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  static final double JITTER = 0.2;

  public static Backoff defaults() {
    return new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5), 2.0);
  }

  /**
   * How long to wait after the {@code consecutiveFailures}-th failure in a row.
   *
   * @param retryAfter what the provider asked for, or {@code null}
   * @param jitterSeed in [0, 1): 0 gives 0.8× the base delay, towards 1 gives 1.2×
   */
  public Duration delay(int consecutiveFailures, Duration retryAfter, double jitterSeed) {
    int n = Math.max(1, consecutiveFailures);
    double base = initial.toMillis() * Math.pow(factor, Math.min(n - 1, 64));
    double capped = Math.min(base, max.toMillis());
    double jittered = capped * (1 - JITTER + 2 * JITTER * Math.max(0, Math.min(jitterSeed, 1)));
    long millis = Math.max(1, Math.round(jittered));
    Duration delay = Duration.ofMillis(millis);
    if (retryAfter != null) {
      Duration asked = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
      delay = asked.compareTo(delay) > 0 ? asked : delay;
    }
    return delay;
  }
}
