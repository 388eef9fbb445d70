package io.keyward.renewal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {
  @ParameterizedTest(name = "failure {0}, Retry-After {1}, seed {2} -> {3}")
  @CsvSource({
    "1,   ,       0.5, PT5S",
    "2,   ,       0.5, PT10S",
    "3,   ,       0.5, PT20S",
    "7,   ,       0.5, PT5M",     // 320 s capped at 5 m
    "1000,,       0.5, PT5M",     // no overflow
    "1,   ,       0,   PT4S",     // -20 %
    "1,   ,       1,   PT6S",     // +20 %
    "1,   PT30S,  0.5, PT30S",    // Retry-After longer than the backoff wins
    "3,   PT1S,   0.5, PT20S",    // ... a shorter one does not
    "1,   PT5H,   0.5, PT1H",     // Retry-After capped at one hour
  })
  void delay(int failures, Duration retryAfter, double seed, Duration expected) {
    assertThat(Backoff.defaults().delay(failures, retryAfter, seed)).isEqualTo(expected);
  }
}
