package io.keyward.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RolloutSlotsTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void atMostTheCapRollAtOnceAndTheWaitersGoInTheOrderTheyFirstAsked() {
    RolloutSlots slots = new RolloutSlots(2);
    assertThat(slots.tryAcquire("a", "c-a", T0)).isTrue();
    assertThat(slots.tryAcquire("b", "c-b", T0)).isTrue();
    assertThat(slots.tryAcquire("c", "c-c", T0)).isFalse();
    assertThat(slots.tryAcquire("d", "c-d", T0.plusSeconds(1))).isFalse();
    assertThat(slots.queued()).isEqualTo(2);

    slots.release("a");
    // d asks first after the release, but c was waiting before it
    assertThat(slots.tryAcquire("d", "c-d", T0.plusSeconds(2))).isFalse();
    assertThat(slots.tryAcquire("c", "c-c", T0.plusSeconds(2))).isTrue();
    assertThat(slots.inProgress()).isEqualTo(2);
    assertThat(slots.tryAcquire("b", "c-b", T0.plusSeconds(2))).as("already rolling for it: no second slot").isTrue();
    assertThat(slots.inProgress()).isEqualTo(2);
    assertThat(slots.tryAcquire("b", "another connector", T0.plusSeconds(2)))
        .as("rolling for another connector: this one waits for that rollout").isFalse();
  }

  @Test
  void aWaiterThatStopsAskingLosesItsPlaceAndAStuckRolloutFreesItsSlotAfterTenMinutes() {
    RolloutSlots slots = new RolloutSlots(1);
    assertThat(slots.tryAcquire("a", "c-a", T0)).isTrue();
    assertThat(slots.tryAcquire("gone", "c-gone", T0)).isFalse();
    assertThat(slots.tryAcquire("b", "c-b", T0.plusSeconds(1))).isFalse();
    // b keeps asking; "gone" (its connector was deleted) does not
    for (int s = 3; s <= 45; s += 3) {
      assertThat(slots.tryAcquire("b", "c-b", T0.plusSeconds(s))).isFalse();
    }
    assertThat(slots.queued()).isEqualTo(1);
    assertThat(slots.tryAcquire("b", "c-b", T0.plus(RolloutSlots.MAX_HOLD).minusSeconds(1))).isFalse();
    assertThat(slots.tryAcquire("b", "c-b", T0.plus(RolloutSlots.MAX_HOLD))).as("a's slot expired").isTrue();
  }
}
