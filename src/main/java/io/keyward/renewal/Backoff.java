package io.keyward.renewal;

import java.time.Duration;

/**
 * Exponential backoff with ±20 % jitter for transient failures (5xx, timeouts, 429), honouring a
 * provider's {@code Retry-After} (capped at one hour).
 *
 * @param initial the delay after the first failure, before jitter
 * @param max the longest delay before jitter
 * @param factor how much each further failure multiplies the delay by, at least 1
 */
public record Backoff(Duration initial, Duration max, double factor) {
  /** The longest {@code Retry-After} honoured; a provider asking for more is retried after this. */
  public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  /** No retry comes sooner than this, whatever the configuration: failures never spin. */
  public static final Duration MIN_DELAY = Duration.ofSeconds(1);
  static final double JITTER = 0.2;

  public Backoff {
    if (initial == null || initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial: must be positive, was " + initial);
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max: must not be shorter than initial, was " + max);
    }
    if (!(factor >= 1)) {
      throw new IllegalArgumentException("factor: must be at least 1, was " + factor);
    }
  }

  /** 5 s after the first failure, doubling up to 5 min. */
  public static Backoff defaults() {
    return new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(5), 2.0);
  }

  /**
   * How long to wait after the {@code consecutiveFailures}-th failure in a row: {@code min(max,
   * initial × factor^(n-1))}, jittered by ±20 %, kept within [{@link #MIN_DELAY}, 1.2 × max] (the
   * floor wins should max be under a second), then lengthened to {@code retryAfter} if the provider
   * asked for longer. Rounded up to whole milliseconds.
   *
   * @param consecutiveFailures at least 1
   * @param retryAfter what the provider asked for, or {@code null}
   * @param jitterSeed in [0, 1): 0 gives 0.8× the base delay, towards 1 gives 1.2×
   */
  public Duration delay(int consecutiveFailures, Duration retryAfter, double jitterSeed) {
    if (consecutiveFailures < 1) {
      throw new IllegalArgumentException("consecutiveFailures: must be at least 1, was " + consecutiveFailures);
    }
    double maxMillis = millis(max);
    // in doubles, so a thousand failures cannot overflow: the power goes to infinity and min() caps it
    double base = Math.min(maxMillis, millis(initial) * Math.pow(factor, consecutiveFailures - 1));
    double seed = Double.isNaN(jitterSeed) ? 0.5 : Math.max(0, Math.min(jitterSeed, 1));
    double jittered = base * (1 - JITTER + 2 * JITTER * seed);
    double upper = maxMillis * (1 + JITTER);
    double clamped = Math.max(MIN_DELAY.toMillis(), Math.min(upper, jittered));
    // to the nearest nanosecond first, so floating-point noise (6000.000000001) does not round up a whole ms
    long nanos = Math.round(clamped * 1e6);
    Duration delay = Duration.ofMillis(-Math.floorDiv(-nanos, 1_000_000L));
    if (retryAfter != null) {
      Duration asked = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
      delay = asked.compareTo(delay) > 0 ? asked : delay;
    }
    return delay;
  }

  private static double millis(Duration d) {
    return d.getSeconds() * 1e3 + d.getNano() / 1e6;
  }
}
