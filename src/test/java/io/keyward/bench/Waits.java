package io.keyward.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polling with a deadline: every wait of the benchmark ends, reached or not. */
final class Waits {
  private Waits() {}

  /** Polls {@code condition} every {@code every} until it holds (true) or {@code timeout} has passed (false). */
  static boolean until(Duration timeout, Duration every, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      pause(every);
    }
  }

  /**
   * Waits until nothing has happened for {@code quiet} (by {@code lastEventNanos}, a {@link System#nanoTime()}),
   * at most {@code timeout}.
   */
  static boolean quiet(Duration quiet, Duration timeout, java.util.function.LongSupplier lastEventNanos) {
    return until(timeout, Duration.ofMillis(100), () -> System.nanoTime() - lastEventNanos.getAsLong() >= quiet.toNanos());
  }

  /** Parks the calling thread for {@code d} (a measurement window, a poll interval). */
  static void pause(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    for (long left = d.toNanos(); left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
