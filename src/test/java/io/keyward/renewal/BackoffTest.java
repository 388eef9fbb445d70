package io.keyward.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackoffTest {
  @ParameterizedTest(name = "failure {0}, Retry-After {1}, seed {2} -> {3}")
  @CsvSource({
    // failures, Retry-After, seed, delay (defaults: 5 s doubling up to 5 m)
    "1,    ,       0.5,      PT5S",
    "2,    ,       0.5,      PT10S",
    "3,    ,       0.5,      PT20S",
    "6,    ,       0.5,      PT2M40S",
    "7,    ,       0.5,      PT5M",       // 320 s capped at 5 m
    "1000, ,       0.5,      PT5M",       // no overflow
    "1,    ,       0,        PT4S",       // -20 %
    "1,    ,       0.999999, PT6S",       // +20 %, and 5999.998 ms rounds up to a whole ms
    "1,    ,       1,        PT6S",
    "1,    ,       0.12301,  PT4.247S",   // 4246.02 ms rounds up
    "1000, ,       1,        PT6M",       // at most 1.2 x max
    "7,    ,       0.99,     PT5M58.8S",
    "1,    ,       -3,       PT4S",       // a seed out of range is clamped
    "1,    ,       7,        PT6S",
    "1,    PT30S,  0.5,      PT30S",      // Retry-After longer than the backoff wins
    "3,    PT1S,   0.5,      PT20S",      // ... a shorter one does not
    "1,    PT1H,   0.5,      PT1H",
    "1,    PT5H,   0.5,      PT1H",       // Retry-After capped at one hour
    "1000, PT5H,   1,        PT1H",
    "1,    PT0S,   0.5,      PT5S",
  })
  void defaultDelay(int failures, Duration retryAfter, double seed, Duration expected) {
    assertThat(Backoff.defaults().delay(failures, retryAfter, seed)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}..{1} x{2}, failure {3}, seed {4} -> {5}")
  @CsvSource({
    // initial, max, factor, failures, seed, delay
    "PT0.5S, PT2S,  2,   1,   0.5, PT1S",     // never sooner than one second
    "PT0.5S, PT2S,  2,   3,   0.5, PT2S",
    "PT0.5S, PT2S,  2,   3,   1,   PT2.4S",
    "PT0.1S, PT0.2S,2,   9,   1,   PT1S",     // the one-second floor wins over a tiny max
    "PT5S,   PT5M,  1,   50,  0.5, PT5S",     // factor 1: constant
    "PT5S,   PT1H,  1.1, 200, 0.5, PT1H",     // a small factor still reaches max
    "PT5S,   PT1H,  1.1, 11,  0.5, PT12.969S",  // 5 s x 1.1^10 = 12968.71 ms, rounded up
  })
  void configuredDelay(Duration initial, Duration max, double factor, int failures, double seed, Duration expected) {
    assertThat(new Backoff(initial, max, factor).delay(failures, null, seed)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void thereIsNoZerothFailure(int failures) {
    assertThatThrownBy(() -> Backoff.defaults().delay(failures, null, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("consecutiveFailures");
  }

  @ParameterizedTest(name = "{0}..{1} x{2}: {3}")
  @CsvSource({
    "PT0S,  PT5M, 2,   initial",
    "-PT1S, PT5M, 2,   initial",
    "PT5S,  PT1S, 2,   max",
    "PT5S,  PT5M, 0.5, factor",
    "PT5S,  PT5M, NaN, factor",
  })
  void invalidConfigurationNamesTheField(Duration initial, Duration max, double factor, String field) {
    assertThatThrownBy(() -> new Backoff(initial, max, factor))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(field + ":");
  }
}
