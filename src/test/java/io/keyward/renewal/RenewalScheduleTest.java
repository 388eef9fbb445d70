package io.keyward.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RenewalScheduleTest {
  static final Instant ISSUED = Instant.parse("2026-03-01T10:00:00Z");

  @ParameterizedTest(name = "{0} token, renewBefore={1}, pct={2}, seed={3} -> renew after {4}, handover {5}, short={6}")
  @CsvSource({
    // lifetime, renewBefore, percentage, seed, renew after, handover, shortLifetime
    "PT1H,    ,       ,   0,   PT40M12S,    PT19M48S, false",  // 33 % of 60 m = 19m48s > 2 m
    "PT10M,   ,       ,   0,   PT6M42S,     PT3M18S,  false",  // 33 % = 3m18s
    "PT5M,    ,       ,   0,   PT3M,        PT2M,     false",  // 2 m > 33 %: the kubelet margin wins
    "PT4M,    ,       ,   0,   PT2M,        PT2M,     false",  // 2 m is exactly half: still enough
    "PT3M59S, ,       ,   0,   PT1M59S,     PT1M59.5S, true",  // half-life, rounded down to whole seconds
    "PT3M,    ,       ,   0,   PT1M30S,     PT1M30S,  true",   // 2 m > half-life 1m30: half-life, flagged
    "PT6S,    ,       ,   0,   PT3S,        PT3S,     true",
    "PT1S,    ,       ,   0,   PT0S,        PT0.5S,   true",   // 0.5 s rounds down to issuedAt
    "PT1H,    PT50M,  ,   0,   PT10M,       PT50M,    false",  // an explicit large renewBefore is honoured
    "PT1H,    PT5M,   10, 0,   PT54M,       PT6M,     false",  // max(5m, 6m) = 6m
    "PT1H,    PT10S,  1,  0,   PT59M24S,    PT36S,    false",  // an explicit small one too
    "PT1H,    PT0S,   1,  0,   PT59M24S,    PT36S,    false",
    "PT1H,    PT1H,   ,   0,   PT30M,       PT30M,    false",  // the whole lifetime: half-life
    "PT1H,    PT2H,   ,   0,   PT30M,       PT30M,    false",  // longer than the lifetime: half-life
    "PT3M,    PT5M,   ,   0,   PT1M30S,     PT1M30S,  true",   // ... flagged when half-life is short
    "PT24H,   ,       50, 0,   PT12H,       PT12H,    false",
    "PT24H,   ,       99, 0,   PT14M24S,    PT23H45M36S, false",
    "PT1H,    ,       ,   0.5, PT39M11S,    PT19M48S, false",  // jitter: 0.5 x 5 % of 40m12s = 60.3 s earlier
    "PT10M,   ,       ,   0.5, PT6M31S,     PT3M18S,  false",  // 0.5 x 5 % of 6m42s = 10.05 s earlier
    "PT3M,    ,       ,   0.5, PT1M27S,     PT1M30S,  true",   // 0.5 x 5 % of 1m30s = 2.25 s earlier
  })
  void plan(Duration lifetime, Duration renewBefore, Integer pct, double seed, Duration renewAfter, Duration handover,
      boolean shortLifetime) {
    RenewalPlan plan = RenewalSchedule.plan(ISSUED, ISSUED.plus(lifetime), new RenewalPolicy(renewBefore, pct), seed);

    assertThat(plan).isEqualTo(new RenewalPlan(ISSUED.plus(renewAfter), handover, shortLifetime));
  }

  @ParameterizedTest(name = "{0} token, renewBefore={1}, pct={2}, seed={3}")
  @CsvSource({
    "PT1H,    ,      ,   0.999",
    "PT1H,    ,      ,   0.5",
    "PT1H,    PT50M, ,   0.999",
    "PT10M,   ,      ,   0.999",
    "PT5M,    ,      ,   0.999",
    "PT3M,    ,      ,   0.999",
    "PT6S,    ,      ,   0.999",
    "PT1S,    ,      ,   0.999",
    "PT24H,   ,      99, 0.999",
    "PT720H,  ,      ,   0.999",
  })
  void jitterOnlyEverMovesTheRenewalEarlierByLessThanFivePercent(Duration lifetime, Duration renewBefore,
      Integer pct, double seed) {
    Instant expires = ISSUED.plus(lifetime);
    RenewalPolicy policy = new RenewalPolicy(renewBefore, pct);
    RenewalPlan none = RenewalSchedule.plan(ISSUED, expires, policy, 0);
    RenewalPlan jittered = RenewalSchedule.plan(ISSUED, expires, policy, seed);

    assertThat(jittered.renewAt()).isBeforeOrEqualTo(none.renewAt()).isAfterOrEqualTo(ISSUED);
    assertThat(jittered.renewAt().getNano()).isZero();
    assertThat(jittered.handover()).isEqualTo(none.handover());
    assertThat(jittered.shortLifetime()).isEqualTo(none.shortLifetime());
    Duration fivePercent = lifetime.minus(none.handover()).multipliedBy(5).dividedBy(100);
    // less than 5 %, plus under a second lost to rounding down to whole seconds
    assertThat(Duration.between(jittered.renewAt(), none.renewAt())).isLessThan(fivePercent.plusSeconds(1));
  }

  @Test
  void aLongTokenHasNoticeableJitter() {
    Instant expires = ISSUED.plus(Duration.ofHours(1));
    assertThat(RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0.999).renewAt())
        .isBefore(RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0).renewAt().minusSeconds(100));
  }

  @Test
  void renewalTimeIsRoundedDownToWholeSeconds() {
    Instant issued = ISSUED.plusMillis(700);
    RenewalPlan plan = RenewalSchedule.plan(issued, issued.plus(Duration.ofHours(1)), RenewalPolicy.defaults(), 0);
    assertThat(plan.renewAt()).isEqualTo(ISSUED.plus(Duration.ofMinutes(40).plusSeconds(12)));
    assertThat(plan.handover()).isEqualTo(Duration.ofMinutes(19).plusSeconds(48));
  }

  @ParameterizedTest
  @CsvSource({"PT0S", "-PT1M"})
  void anAlreadyExpiredCredentialIsRenewedAtOnce(Duration lifetime) {
    RenewalPlan plan = RenewalSchedule.plan(ISSUED, ISSUED.plus(lifetime), RenewalPolicy.defaults(), 0.5);
    assertThat(plan).isEqualTo(new RenewalPlan(ISSUED, Duration.ZERO, true));
  }

  @Test
  void aMissingPolicyMeansTheDefaults() {
    Instant expires = ISSUED.plus(Duration.ofHours(1));
    assertThat(RenewalSchedule.plan(ISSUED, expires, null, 0.3))
        .isEqualTo(RenewalSchedule.plan(ISSUED, expires, RenewalPolicy.defaults(), 0.3));
  }

  @Test
  void jitterSeedIsStableAndDependsOnTheIdAndTheIssueTime() {
    double seed = RenewalSchedule.jitterSeed("uid-1", ISSUED);
    assertThat(seed).isGreaterThanOrEqualTo(0).isLessThan(1);
    assertThat(RenewalSchedule.jitterSeed("uid-1", ISSUED)).isEqualTo(seed);
    assertThat(RenewalSchedule.jitterSeed("uid-1", ISSUED.plusMillis(999))).isEqualTo(seed); // epoch seconds
    assertThat(RenewalSchedule.jitterSeed("uid-2", ISSUED)).isNotEqualTo(seed);
    assertThat(RenewalSchedule.jitterSeed("uid-1", ISSUED.plusSeconds(1))).isNotEqualTo(seed);
  }

  @Test
  void aThousandConnectorsCreatedTogetherSpreadOut() {
    double[] seeds = IntStream.range(0, 1000).mapToDouble(i -> RenewalSchedule.jitterSeed("uid-" + i, ISSUED)).toArray();
    Map<Integer, Integer> twentieths = new HashMap<>();
    for (double s : seeds) {
      assertThat(s).isGreaterThanOrEqualTo(0).isLessThan(1);
      twentieths.merge((int) (s * 20), 1, Integer::sum);
    }
    assertThat(IntStream.range(0, 1000).mapToDouble(i -> seeds[i]).min().orElseThrow()).isLessThan(0.05);
    assertThat(IntStream.range(0, 1000).mapToDouble(i -> seeds[i]).max().orElseThrow()).isGreaterThan(0.95);
    // 50 expected in each twentieth; a uniform spread stays well within 20..80. (Bucketing to
    // thousandths would not do: 1000 uniform values fill only about 632 of 1000 buckets.)
    assertThat(twentieths).hasSize(20);
    assertThat(twentieths.values()).allSatisfy(n -> assertThat(n).isBetween(20, 80));
  }

  @ParameterizedTest(name = "renewBefore={0}, pct={1}")
  @CsvSource({
    ",      0,   spec.refresh.renewBeforePercentage",
    ",      100, spec.refresh.renewBeforePercentage",
    ",      -5,  spec.refresh.renewBeforePercentage",
    "-PT1S, ,    spec.refresh.renewBefore:",
  })
  void invalidPolicyNamesTheField(Duration renewBefore, Integer pct, String field) {
    assertThatThrownBy(() -> new RenewalPolicy(renewBefore, pct))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(field);
  }

  @ParameterizedTest(name = "renewBefore={0}, pct={1}")
  @CsvSource({", 1", ", 99", "PT0S, ", "PT720H, 50"})
  void validPolicies(Duration renewBefore, Integer pct) {
    assertThat(new RenewalPolicy(renewBefore, pct)).isNotNull();
  }

  @Test
  void defaultsKeepTheKubeletHandover() {
    assertThat(RenewalPolicy.defaults()).isEqualTo(new RenewalPolicy(null, null));
    assertThat(RenewalPolicy.DEFAULT_RENEW_BEFORE).isEqualTo(Duration.ofMinutes(2));
    assertThat(RenewalPolicy.DEFAULT_RENEW_BEFORE_PERCENTAGE).isEqualTo(33);
    assertThat(RenewalPolicy.MIN_HANDOVER).isEqualTo(Duration.ofMinutes(2));
  }
}
