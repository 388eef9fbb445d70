package io.keyward.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenewalScheduleTest {
  static final Instant ISSUED = Instant.parse("2026-03-01T10:00:00Z");

  @ParameterizedTest(name = "{0} token, renewBefore={1}, pct={2} -> renew after {3}, short={4}")
  @CsvSource({
    // lifetime, renewBefore, percentage, renew after, shortLifetime
    "PT1H,   ,      ,   PT40M12S, false",  // 33 % of 60 m = 19m48s > 2 m
    "PT10M,  ,      ,   PT6M42S,  false",  // 33 % = 3m18s
    "PT5M,   ,      ,   PT3M,     false",  // 2 m > 33 %: the kubelet margin wins
    "PT3M,   ,      ,   PT1M30S,  true",   // 2 m > half-life 1m30: half-life, flagged
    "PT6S,   ,      ,   PT3S,     true",
    "PT1.5S, ,      ,   PT1S,     true",   // half-life 0.75 s, rounded down to 0 s: the 1 s floor between two issues wins
    "PT1H,   PT50M, ,   PT10M,    false",  // an explicit large renewBefore is honoured
    "PT1H,   PT5M,  10, PT54M,    false",  // max(5m, 6m) = 6m
    "PT1H,   PT2H,  ,   PT30M,    false",  // longer than the lifetime: half-life
    "PT24H,  ,      50, PT12H,    false",
  })
  void renewalPointWithoutJitter(Duration lifetime, Duration renewBefore, Integer pct, Duration renewAfter,
      boolean shortLifetime) {
    RenewalPlan plan = RenewalSchedule.plan(ISSUED, ISSUED.plus(lifetime), new RenewalPolicy(renewBefore, pct), 0);

    assertThat(plan.renewAt()).isEqualTo(ISSUED.plus(renewAfter));
    assertThat(plan.shortLifetime()).isEqualTo(shortLifetime);
    assertThat(plan.handover()).isEqualTo(lifetime.minus(renewAfter));
  }

  @ParameterizedTest
  @CsvSource({"PT1H", "PT10M", "PT5M", "PT3M", "PT6S"})
  void jitterOnlyEverMovesTheRenewalEarlierByAtMostFivePercent(Duration lifetime) {
    Instant expires = ISSUED.plus(lifetime);
    RenewalPlan none = RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0);
    RenewalPlan most = RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0.999);

    assertThat(most.renewAt()).isBeforeOrEqualTo(none.renewAt()).isAfterOrEqualTo(ISSUED);
    Duration untilRenewal = Duration.between(ISSUED, none.renewAt());
    assertThat(Duration.between(most.renewAt(), none.renewAt()))
        .isLessThanOrEqualTo(untilRenewal.multipliedBy(5).dividedBy(100).plusSeconds(1));
    assertThat(most.renewAt().getNano()).isZero();
  }

  @Test
  void aLongTokenHasNoticeableJitter() {
    Instant expires = ISSUED.plus(Duration.ofHours(1));
    assertThat(RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0.999).renewAt())
        .isBefore(RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0).renewAt().minusSeconds(100));
  }

  @Test
  void aCredentialIssuedAlreadyExpiredIsRenewedAfterTheMinimumIntervalNotInALoop() {
    for (Instant expires : new Instant[] {ISSUED, ISSUED.minusSeconds(3600), ISSUED.plusMillis(500)}) {
      RenewalPlan plan = RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0.5);
      assertThat(plan.renewAt()).isEqualTo(expires.isAfter(ISSUED)
          ? ISSUED.plus(RenewalPolicy.MIN_REFRESH_INTERVAL) : ISSUED.plus(RenewalPolicy.EXPIRED_ON_ISSUE_RETRY));
      assertThat(plan.shortLifetime()).isTrue();
    }
  }

  @ParameterizedTest(name = "renewal at {0}, expiry at {1}, restart at 10:00 -> renewed in [{2}, {3})")
  @CsvSource({
    // renewAt,  expiresAt, earliest,  latest (exclusive): times of 2026-03-01, UTC
    "09:40:00, 10:20:00, 10:00:01, 10:02:00", // 20 min left: spread over the 2-minute window, never at the restart itself
    "09:55:00, 10:03:00, 10:00:01, 10:01:00", // 3 min left: only as far as leaves the kubelet's 2 minutes
    "09:58:00, 10:01:30, 09:58:00, 09:58:01", // 1.5 min left: no room, renewed at once (the plan unchanged)
    "09:00:00, 09:30:00, 09:00:00, 09:00:01", // expired: unchanged, due at once
    "10:05:00, 10:30:00, 10:05:00, 10:05:01", // not overdue at the restart: unchanged
  })
  void aRenewalOverdueAtARestartIsSpreadOverTheCatchUpWindowWhileTheCredentialLeavesRoom(String renewAt,
      String expiresAt, String earliest, String latest) {
    Instant since = at("10:00:00");
    RenewalPlan plan = new RenewalPlan(at(renewAt), Duration.between(at(renewAt), at(expiresAt)), false);
    Set<Instant> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      RenewalPlan moved = RenewalSchedule.catchUp(plan, at(expiresAt), since, RenewalSchedule.jitterSeed("uid-" + i, since));
      assertThat(moved.renewAt()).isAfterOrEqualTo(at(earliest)).isBefore(at(latest));
      assertThat(moved.renewAt().getNano()).isZero();
      assertThat(moved.handover()).isEqualTo(Duration.between(moved.renewAt(), at(expiresAt)));
      seen.add(moved.renewAt());
    }
    long windowSeconds = Duration.between(at(earliest), at(latest)).toSeconds();
    // 200 connectors land on most of the window's seconds, not on one
    assertThat(seen.size()).isGreaterThanOrEqualTo((int) Math.min(windowSeconds, 200) * 6 / 10);
    assertThat(RenewalSchedule.catchUp(plan, at(expiresAt), since, 0.0).renewAt())
        .as("the smallest seed").isEqualTo(plan.renewAt().isBefore(since) && seen.size() > 1 ? since.plusSeconds(1)
            : plan.renewAt());
    assertThat(RenewalSchedule.catchUp(plan, at(expiresAt), since, 0.37))
        .as("the same connector at the same restart: the same point").isEqualTo(
            RenewalSchedule.catchUp(plan, at(expiresAt), since, 0.37));
  }

  private static Instant at(String time) {
    return Instant.parse("2026-03-01T" + time + "Z");
  }

  @Test
  void jitterSeedIsStableAndSpreads() {
    assertThat(RenewalSchedule.jitterSeed("uid-1", ISSUED)).isEqualTo(RenewalSchedule.jitterSeed("uid-1", ISSUED));
    assertThat(RenewalSchedule.jitterSeed("uid-1", ISSUED)).isNotEqualTo(RenewalSchedule.jitterSeed("uid-2", ISSUED));
    Set<Integer> buckets = new HashSet<>();
    IntStream.range(0, 1000).mapToDouble(i -> RenewalSchedule.jitterSeed("uid-" + i, ISSUED)).forEach(s -> {
      assertThat(s).isGreaterThanOrEqualTo(0).isLessThan(1);
      buckets.add((int) (s * 20));
    });
    assertThat(buckets).hasSize(20);
  }

  @Test
  void invalidPolicyNamesTheField() {
    assertThatThrownBy(() -> new RenewalPolicy(null, 100)).hasMessageStartingWith("spec.refresh.renewBeforePercentage");
    assertThatThrownBy(() -> new RenewalPolicy(Duration.ofSeconds(-1), null)).hasMessageStartingWith("spec.refresh.renewBefore");
  }
}
