package io.keyward.credential.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.testing.SteppingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/** A host's turns on a stepping clock: the rate, the provider's pause, and the order of those waiting. */
class HostTurnsTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  final SteppingClock clock = new SteppingClock(T0);

  HostTurns turns(double perSecond, int burst) {
    return new HostTurns(perSecond, burst, Duration.ofSeconds(10), clock, () -> 0.5);
  }

  @Test
  void aBurstGoesAtOnceThenTheRateApplies() {
    HostTurns host = turns(2, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(host.take("c" + i, T0.plusSeconds(60)).go()).isTrue();
    }
    HostTurns.Turn fourth = host.take("c3", T0.plusSeconds(60));
    assertThat(fourth.go()).isFalse();
    assertThat(fourth.cause()).isEqualTo(HostTurns.Cause.RATE);
    // the next request of the rate is 0.5 s away; plus half an interval of jitter
    assertThat(fourth.comeBackAt()).isEqualTo(T0.plusMillis(750));

    clock.set(fourth.comeBackAt());
    assertThat(host.take("c3", T0.plusSeconds(60)).go()).isTrue();
  }

  @Test
  void aPauseHoldsEveryCallerUntilItEndsAndTheyComeBackOneIntervalApartSoonestExpiringFirst() {
    HostTurns host = turns(4, 4);
    host.pause(T0.plusSeconds(5));
    // callers arrive in an order unrelated to when their credentials expire
    int[] expiresIn = {300, 60, 900, 120, 30};
    List<HostTurns.Turn> told = new ArrayList<>();
    for (int i = 0; i < expiresIn.length; i++) {
      HostTurns.Turn t = host.take("c" + i, T0.plusSeconds(expiresIn[i]));
      assertThat(t.go()).isFalse();
      assertThat(t.cause()).isEqualTo(HostTurns.Cause.PAUSED);
      assertThat(t.comeBackAt()).isAfterOrEqualTo(T0.plusSeconds(5));
      told.add(t);
    }
    assertThat(host.booked()).isEqualTo(5);

    // replay: every caller comes back when told, and again when told again, until it goes
    record Visit(Instant at, int caller) {}
    PriorityQueue<Visit> visits = new PriorityQueue<>(Comparator.comparing(Visit::at).thenComparingInt(Visit::caller));
    for (int i = 0; i < told.size(); i++) {
      visits.add(new Visit(told.get(i).comeBackAt(), i));
    }
    List<Integer> served = new ArrayList<>();
    List<Instant> servedAt = new ArrayList<>();
    while (!visits.isEmpty()) {
      Visit v = visits.poll();
      clock.set(v.at());
      HostTurns.Turn t = host.take("c" + v.caller(), T0.plusSeconds(expiresIn[v.caller()]));
      if (t.go()) {
        served.add(expiresIn[v.caller()]);
        servedAt.add(v.at());
      } else {
        assertThat(t.comeBackAt()).isAfter(v.at());
        visits.add(new Visit(t.comeBackAt(), v.caller()));
      }
    }

    assertThat(served).as("expires-in of the callers in the order served").containsExactly(30, 60, 120, 300, 900);
    assertThat(servedAt).allSatisfy(at -> assertThat(at).isAfterOrEqualTo(T0.plusSeconds(5)));
    for (int i = 1; i < servedAt.size(); i++) {
      assertThat(Duration.between(servedAt.get(i - 1), servedAt.get(i))).as("at most the rate")
          .isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }
    assertThat(host.booked()).isZero();
  }

  @Test
  void aLaterPauseExtendsAndAnEarlierOneDoesNotShorten() {
    HostTurns host = turns(10, 10);
    host.pause(T0.plusSeconds(30));
    host.pause(T0.plusSeconds(5));
    assertThat(host.pausedUntil()).isEqualTo(T0.plusSeconds(30));
    host.pause(T0.plusSeconds(60));
    assertThat(host.pausedUntil()).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void aCallerThatNeverComesBackDoesNotHoldTheHost() {
    HostTurns host = turns(1, 1);
    assertThat(host.take("first", T0).go()).isTrue();
    HostTurns.Turn gone = host.take("deleted-connector", T0.plusSeconds(10)); // booked, never returns
    assertThat(gone.go()).isFalse();

    clock.set(gone.comeBackAt().plusSeconds(5));
    HostTurns.Turn later = host.take("other", T0.plusSeconds(600));
    assertThat(later.go()).as("within the grace, the more urgent booking still goes first").isFalse();
    assertThat(later.cause()).isEqualTo(HostTurns.Cause.QUEUED);

    clock.set(gone.comeBackAt().plusSeconds(11));
    assertThat(host.take("other", T0.plusSeconds(600)).go()).as("after the grace, the no-show is dropped").isTrue();
    clock.advance(Duration.ofSeconds(5));
    assertThat(host.idle()).isTrue();
  }

  @Test
  void aHostWithNothingBookedNoPauseAndAFullRateIsIdle() {
    HostTurns host = turns(5, 2);
    assertThat(host.idle()).isTrue();
    host.take("a", T0);
    assertThat(host.idle()).as("the rate is not full again").isFalse();
    clock.advance(Duration.ofMillis(200));
    assertThat(host.idle()).isTrue();
    host.pause(T0.plusSeconds(3));
    assertThat(host.idle()).isFalse();
  }

  @Test
  void aCallerThatIsNotBookedWaitsOutThePauseButHoldsUpNobodyAfterIt() {
    HostTurns host = turns(4, 4);
    host.pause(T0.plusSeconds(5));
    HostTurns.Turn once = host.take("jwks-fetch", T0, false);
    assertThat(once.go()).isFalse();
    assertThat(once.cause()).isEqualTo(HostTurns.Cause.PAUSED);
    assertThat(host.booked()).isZero();

    HostTurns.Turn named = host.take("sales/crm", T0.plusSeconds(300));
    clock.set(named.comeBackAt());
    assertThat(host.take("sales/crm", T0.plusSeconds(300)).go()).as("nothing booked ahead of it").isTrue();
  }
}
