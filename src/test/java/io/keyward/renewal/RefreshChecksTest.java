package io.keyward.renewal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RefreshChecksTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final Instant LATER = NOW.plusSeconds(600);
  static final Instant EARLIER = NOW.minusSeconds(600);

  static RefreshInputs in(boolean stored, Instant expiresAt, String current, String storedFp, Instant renewAt,
      String terminalFp, Instant retryNotBefore) {
    return new RefreshInputs(stored, expiresAt, current, storedFp, renewAt, terminalFp, retryNotBefore, false, NOW);
  }

  static RefreshInputs requested(RefreshInputs in) {
    return new RefreshInputs(in.credentialStored(), in.expiresAt(), in.currentFingerprint(), in.storedFingerprint(),
        in.renewAt(), in.terminalFailureFingerprint(), in.retryNotBefore(), true, in.now());
  }

  static Stream<Arguments> table() {
    return Stream.of(
        Arguments.of("nothing stored", in(false, null, "a", null, null, null, null), true, "Issuing"),
        Arguments.of("up to date", in(true, LATER, "a", "a", LATER, null, null), false, "UpToDate"),
        Arguments.of("never expires", in(true, null, "a", "a", null, null, null), false, "UpToDate"),
        Arguments.of("inputs changed", in(true, LATER, "b", "a", LATER, null, null), true, "InputsChanged"),
        Arguments.of("expired", in(true, EARLIER, "a", "a", EARLIER, null, null), true, "Expired"),
        Arguments.of("expired within the minimum interval after issue",
            in(true, EARLIER, "a", "a", LATER, null, null), false, "MinimumInterval"),
        Arguments.of("renewal due", in(true, LATER, "a", "a", NOW, null, null), true, "RenewalDue"),
        Arguments.of("terminal failure, same inputs", in(false, null, "a", null, null, "a", null), false, "AwaitingChange"),
        Arguments.of("terminal failure, new inputs", in(false, null, "b", null, null, "a", null), true, "Issuing"),
        Arguments.of("backing off", in(true, EARLIER, "a", "a", EARLIER, null, LATER), false, "BackingOff"),
        Arguments.of("backoff over", in(true, LATER, "a", "a", EARLIER, null, EARLIER), true, "RenewalDue"),
        Arguments.of("terminal beats backoff", in(false, null, "a", null, null, "a", LATER), false, "AwaitingChange"),
        Arguments.of("requested while up to date", requested(in(true, LATER, "a", "a", LATER, null, null)), true,
            "RefreshRequested"),
        Arguments.of("requested while backing off", requested(in(true, EARLIER, "a", "a", EARLIER, null, LATER)), true,
            "RefreshRequested"),
        Arguments.of("requested after a permanent failure", requested(in(false, null, "a", null, null, "a", null)), true,
            "RefreshRequested"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decide(String name, RefreshInputs in, boolean due, String reason) {
    RefreshDecision d = RefreshChecks.decide(in);
    assertThat(d.due()).isEqualTo(due);
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.message()).isNotBlank();
  }

  static Stream<Arguments> nextChecks() {
    Instant soon = NOW.plusMillis(300);
    return Stream.of(
        Arguments.of("renewal planned", new RefreshChecks.Outlook(LATER, NOW.plusSeconds(30), false, null),
            Duration.ofSeconds(30)),
        Arguments.of("retry after a transient failure wins over the renewal",
            new RefreshChecks.Outlook(LATER, NOW.plusSeconds(30), false, NOW.plusSeconds(5)), Duration.ofSeconds(5)),
        Arguments.of("a retry already due is looked at after the floor",
            new RefreshChecks.Outlook(LATER, LATER, false, EARLIER), Duration.ofSeconds(1)),
        Arguments.of("a renewal already due is looked at after the floor",
            new RefreshChecks.Outlook(LATER, EARLIER, false, null), Duration.ofSeconds(1)),
        Arguments.of("a renewal sooner than the floor waits for it",
            new RefreshChecks.Outlook(LATER, soon, false, null), Duration.ofSeconds(1)),
        Arguments.of("a permanent failure waits for a change, but looks when the credential lapses",
            new RefreshChecks.Outlook(NOW.plusSeconds(90), NOW.plusSeconds(30), true, null), Duration.ofSeconds(90)),
        Arguments.of("a permanent failure with nothing valid waits for a change only",
            new RefreshChecks.Outlook(EARLIER, EARLIER, true, null), null),
        Arguments.of("a credential that never expires needs no look",
            new RefreshChecks.Outlook(null, null, false, null), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nextChecks")
  void nextCheck(String name, RefreshChecks.Outlook outlook, Duration expected) {
    assertThat(RefreshChecks.nextCheck(outlook, NOW).orElse(null)).isEqualTo(expected);
  }

  @Test
  void theChainEndsWithAVerdictForEveryInput() {
    assertThat(RefreshChecks.CHAIN).last().isSameAs(RefreshChecks.UP_TO_DATE);
    assertThat(RefreshChecks.CHAIN).contains(RefreshChecks.MINIMUM_INTERVAL);
  }
}
