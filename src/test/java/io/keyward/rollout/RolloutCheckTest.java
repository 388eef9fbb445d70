package io.keyward.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.rollout.RolloutCheck.Action;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolloutCheckTest {
  static final Instant PUBLISHED = Instant.parse("2026-12-01T10:00:00Z");
  static final Duration DEBOUNCE = Duration.ofSeconds(30);

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "-", value = {
    // case, annotation, oldest pod start (s after publication), now (s after), action, at (s after)
    "restarted for this value already,          d2, -3600, 60, UP_TO_DATE, -",
    "restarted for this value while pods are old,  d2, -3600, 0,  UP_TO_DATE, -",
    "pods started after the value,              d1, 5,     60, NOT_NEEDED, -",
    "no pod has started,                        -,  -,     60, NOT_NEEDED, -",
    "pod started with the publication,          -,  0,     60, RESTART,    -",
    "pod started just after the kubelet's lag,  -,  5,     60, NOT_NEEDED, -",
    "old pods within the debounce,             d1, -3600, 10, WAIT,       30",
    "old pods after the debounce,                   d1, -3600, 30, RESTART,    -",
    "old pods never restarted by Keyward,      -,  -3600, 45, RESTART,    -",
  })
  void aWorkloadIsRestartedOnceForANewValueAndOnlyIfItsPodsAreOlder(String name, String annotation, Long podStart,
      long now, Action action, Long at) {
    var w = new RolloutCheck.Workload(annotation, podStart == null ? null : PUBLISHED.plusSeconds(podStart));
    var verdict = RolloutCheck.decide(w, "d2", PUBLISHED, DEBOUNCE, PUBLISHED.plusSeconds(now));
    assertThat(verdict.action()).isEqualTo(action);
    assertThat(verdict.at()).isEqualTo(at == null ? null : PUBLISHED.plusSeconds(at));
    assertThat(verdict.message()).contains(PUBLISHED.toString());
  }

  @ParameterizedTest
  @CsvSource(nullValues = "-", value = {"PT6M40S, true", "PT40M, true", "PT5H59M, true", "PT6H, false", "PT16H, false",
      "-, false"})
  void aCredentialRenewedMoreOftenThanEverySixHoursIsTooFrequentToRestartFor(Duration interval, boolean tooFrequent) {
    assertThat(RolloutCheck.tooFrequent(PUBLISHED, interval == null ? null : PUBLISHED.plus(interval)))
        .isEqualTo(tooFrequent);
  }
}
