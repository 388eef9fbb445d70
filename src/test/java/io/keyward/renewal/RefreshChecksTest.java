package io.keyward.renewal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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
    return in(stored, expiresAt, current, storedFp, renewAt, terminalFp, retryNotBefore, false);
  }

  /** A transient failure (retryNotBefore set) is on the current inputs; {@code duringIssue} says whether an issue failed. */
  static RefreshInputs in(boolean stored, Instant expiresAt, String current, String storedFp, Instant renewAt,
      String terminalFp, Instant retryNotBefore, boolean duringIssue) {
    Optional<Standing.Held> held = stored ? Optional.of(new Standing.Held(storedFp, expiresAt, renewAt)) : Optional.empty();
    Optional<Standing.LastFailure> failure = terminalFp != null
        ? Optional.of(new Standing.LastFailure(true, terminalFp, null, true))
        : retryNotBefore != null ? Optional.of(new Standing.LastFailure(false, current, retryNotBefore, duringIssue))
        : Optional.empty();
    return new RefreshInputs(new Standing(held, failure), current, false, NOW);
  }

  static RefreshInputs requested(RefreshInputs in) {
    return new RefreshInputs(in.standing(), in.inputs(), true, in.now());
  }

  static RefreshInputs failedOn(RefreshInputs in, String otherInputs) {
    var f = in.standing().failure().orElseThrow();
    return new RefreshInputs(new Standing(in.standing().held(), Optional.of(
        new Standing.LastFailure(f.terminal(), otherInputs, f.retryNotBefore(), f.duringIssue()))), in.inputs(), false,
        in.now());
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
            "RefreshRequested"),
        Arguments.of("a failed issue whose backoff is over is tried again (a failed refresh request, say)",
            in(true, LATER, "a", "a", LATER, null, EARLIER, true), true, "Retrying"),
        Arguments.of("a failed issue still backing off waits", in(true, LATER, "a", "a", LATER, null, LATER, true), false,
            "BackingOff"),
        Arguments.of("a failed output write whose backoff is over issues nothing",
            in(true, LATER, "a", "a", LATER, null, EARLIER, false), false, "UpToDate"),
        Arguments.of("a renewal due after a failed issue keeps its own reason",
            in(true, LATER, "a", "a", NOW, null, EARLIER, true), true, "RenewalDue"),
        Arguments.of("a backoff on other inputs does not hold back their change",
            failedOn(in(true, LATER, "b", "a", LATER, null, LATER, true), "a"), true, "InputsChanged"),
        Arguments.of("a permanent failure on other inputs does not hold back the renewal",
            failedOn(in(true, LATER, "a", "a", NOW, "x", null), "x"), true, "RenewalDue"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decide(String name, RefreshInputs in, boolean due, String reason) {
    RefreshDecision d = RefreshChecks.decide(in);
    assertThat(d.due()).isEqualTo(due);
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.message()).isNotBlank();
  }

  static Standing standing(Instant expiresAt, Instant renewAt, boolean terminal, Instant retryNotBefore) {
    return new Standing(Optional.of(new Standing.Held("a", expiresAt, renewAt)),
        terminal ? Optional.of(new Standing.LastFailure(true, "a", null, true))
            : retryNotBefore != null ? Optional.of(new Standing.LastFailure(false, "a", retryNotBefore, true))
            : Optional.empty());
  }

  static Stream<Arguments> nextChecks() {
    Instant soon = NOW.plusMillis(300);
    return Stream.of(
        Arguments.of("renewal planned", standing(LATER, NOW.plusSeconds(30), false, null), NOW.plusSeconds(30),
            Duration.ofSeconds(30)),
        Arguments.of("retry after a transient failure wins over the renewal",
            standing(LATER, NOW.plusSeconds(30), false, NOW.plusSeconds(5)), NOW.plusSeconds(5), Duration.ofSeconds(5)),
        Arguments.of("a retry already due is looked at after the floor", standing(LATER, LATER, false, EARLIER), EARLIER,
            Duration.ofSeconds(1)),
        Arguments.of("a renewal already due is looked at after the floor", standing(LATER, EARLIER, false, null),
            EARLIER, Duration.ofSeconds(1)),
        Arguments.of("a renewal sooner than the floor waits for the floor", standing(LATER, soon, false, null), soon,
            Duration.ofSeconds(1)),
        Arguments.of("a permanent failure waits for a change, but looks when the credential lapses",
            standing(NOW.plusSeconds(90), NOW.plusSeconds(30), true, null), NOW.plusSeconds(90), Duration.ofSeconds(90)),
        Arguments.of("a permanent failure with nothing valid waits for a change only",
            standing(EARLIER, EARLIER, true, null), null, null),
        Arguments.of("a permanent failure of a credential that never expires waits for a change only",
            standing(null, null, true, null), null, null),
        Arguments.of("a credential that never expires needs no look", standing(null, null, false, null), null, null),
        Arguments.of("nothing held and nothing failed needs no look", new Standing(Optional.empty(), Optional.empty()), null, null),
        Arguments.of("nothing held, a transient failure: its retry",
            new Standing(Optional.empty(), Optional.of(new Standing.LastFailure(false, null, NOW.plusSeconds(7), false))),
            NOW.plusSeconds(7), Duration.ofSeconds(7)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nextChecks")
  void nextCheck(String name, Standing standing, Instant at, Duration delay) {
    assertThat(RefreshChecks.nextCheck(standing, NOW).orElse(null)).isEqualTo(at);
    assertThat(RefreshChecks.nextCheck(standing, NOW).map(t -> RefreshChecks.delayUntil(t, NOW)).orElse(null))
        .isEqualTo(delay);
  }

  @Test
  void theChainEndsWithAVerdictForEveryInput() {
    assertThat(RefreshChecks.CHAIN).last().isSameAs(RefreshChecks.UP_TO_DATE);
    assertThat(RefreshChecks.CHAIN).contains(RefreshChecks.MINIMUM_INTERVAL);
  }
}
