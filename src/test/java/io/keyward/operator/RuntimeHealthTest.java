package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The probes answer at once, also while JOSDK's runtime information is locked by a starting controller. */
class RuntimeHealthTest {
  final AtomicLong nanos = new AtomicLong();

  @Test
  void whileTheStartHoldsTheLockTheProcessIsLiveButNotReadyUntilItIsStuck() throws Exception {
    CountDownLatch syncing = new CountDownLatch(1);
    try (RuntimeHealth health = new RuntimeHealth(() -> {
      try {
        syncing.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new RuntimeHealth.State(true, true);
    }, Duration.ofMillis(20), Duration.ofMinutes(10), nanos::get)) {
      assertThat(health.live()).as("busy starting is alive").isTrue();
      assertThat(health.ready()).isFalse();
      nanos.addAndGet(Duration.ofMinutes(11).toNanos());
      assertThat(health.live()).as("a start that holds the lock for 11 minutes is stuck").isFalse();

      syncing.countDown();
      assertThat(awaitReady(health)).isTrue();
      assertThat(health.live()).isTrue();
    }
  }

  @Test
  void aStartedOperatorWithAnUnhealthyInformerIsNeitherLiveNorReady() {
    try (RuntimeHealth health = new RuntimeHealth(() -> new RuntimeHealth.State(true, false), Duration.ofSeconds(5),
        Duration.ofMinutes(10), nanos::get)) {
      assertThat(health.live()).isFalse();
      assertThat(health.ready()).isFalse();
    }
  }

  @Test
  void notStartedYetIsLiveAndNotReady() {
    try (RuntimeHealth health = new RuntimeHealth(() -> new RuntimeHealth.State(false, false), Duration.ofSeconds(5),
        Duration.ofMinutes(10), nanos::get)) {
      assertThat(health.live()).isTrue();
      assertThat(health.ready()).isFalse();
    }
  }

  /** The probe's own answer once the lock is free: the kubelet asks again every few seconds. */
  private static boolean awaitReady(RuntimeHealth health) {
    for (int i = 0; i < 500; i++) {
      if (health.ready()) {
        return true;
      }
    }
    return false;
  }
}
