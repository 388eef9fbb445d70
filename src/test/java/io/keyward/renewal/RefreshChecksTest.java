package io.keyward.renewal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RefreshChecksTest {
  static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
  static final Instant LATER = NOW.plusSeconds(600);
  static final Instant MUCH_LATER = NOW.plusSeconds(3600);
  static final Instant EARLIER = NOW.minusSeconds(600);

  /** A stored credential issued from inputs "a", valid for an hour, renewal in ten minutes. */
  static Inputs upToDate() {
    return new Inputs(true, MUCH_LATER, "a", "a", LATER, null, null, false);
  }

  /** Nothing issued yet. */
  static Inputs fresh() {
    return new Inputs(false, null, "a", null, null, null, null, false);
  }

  /** A readable builder for the table rows. */
  record Inputs(boolean stored, Instant expiresAt, String current, String storedFp, Instant renewAt, String terminalFp,
      Instant retryNotBefore, boolean requested) {
    Inputs expiresAt(Instant t) {
      return new Inputs(stored, t, current, storedFp, renewAt, terminalFp, retryNotBefore, requested);
    }

    Inputs current(String fp) {
      return new Inputs(stored, expiresAt, fp, storedFp, renewAt, terminalFp, retryNotBefore, requested);
    }

    Inputs renewAt(Instant t) {
      return new Inputs(stored, expiresAt, current, storedFp, t, terminalFp, retryNotBefore, requested);
    }

    Inputs failedPermanentlyWith(String fp) {
      return new Inputs(stored, expiresAt, current, storedFp, renewAt, fp, retryNotBefore, requested);
    }

    Inputs retryNotBefore(Instant t) {
      return new Inputs(stored, expiresAt, current, storedFp, renewAt, terminalFp, t, requested);
    }

    Inputs refreshRequested() {
      return new Inputs(stored, expiresAt, current, storedFp, renewAt, terminalFp, retryNotBefore, true);
    }

    RefreshInputs at(Instant now) {
      return new RefreshInputs(stored, expiresAt, current, storedFp, renewAt, terminalFp, retryNotBefore, requested,
          now);
    }
  }

  static Stream<Arguments> decisions() {
    return Stream.of(
        // each check firing on its own
        Arguments.of("nothing stored", fresh(), true, "Issuing", "No credential has been issued yet"),
        Arguments.of("up to date", upToDate(), false, "UpToDate",
            "Valid until 2026-03-01T11:00:00Z; next refresh at 2026-03-01T10:10:00Z"),
        Arguments.of("never expires", upToDate().expiresAt(null).renewAt(null), false, "UpToDate",
            "The credential does not expire"),
        Arguments.of("inputs changed", upToDate().current("b"), true, "InputsChanged",
            "The spec or a referenced Secret changed"),
        Arguments.of("expired", upToDate().expiresAt(EARLIER).renewAt(EARLIER), true, "Expired",
            "The credential expired at 2026-03-01T09:50:00Z"),
        Arguments.of("expiring this instant", upToDate().expiresAt(NOW), true, "Expired",
            "The credential expired at 2026-03-01T10:00:00Z"),
        Arguments.of("renewal due this instant", upToDate().renewAt(NOW), true, "RenewalDue",
            "Renewal time 2026-03-01T10:00:00Z reached"),
        Arguments.of("renewal overdue", upToDate().renewAt(EARLIER), true, "RenewalDue",
            "Renewal time 2026-03-01T09:50:00Z reached"),
        Arguments.of("terminal failure, same inputs", fresh().failedPermanentlyWith("a"), false, "AwaitingChange",
            "Last attempt failed permanently; waiting for a change of the spec or a referenced Secret"),
        Arguments.of("backing off", upToDate().renewAt(EARLIER).retryNotBefore(LATER), false, "BackingOff",
            "Retrying at 2026-03-01T10:10:00Z"),
        Arguments.of("requested", upToDate().refreshRequested(), true, "RefreshRequested", "A refresh was requested"),

        // checks that let the next one speak
        Arguments.of("terminal failure, new inputs", fresh().current("b").failedPermanentlyWith("a"), true, "Issuing",
            null),
        Arguments.of("backoff over", upToDate().renewAt(EARLIER).retryNotBefore(EARLIER), true, "RenewalDue", null),
        Arguments.of("backoff ends this instant", upToDate().renewAt(EARLIER).retryNotBefore(NOW), true, "RenewalDue",
            null),
        Arguments.of("renewal not yet due", upToDate().renewAt(NOW.plusMillis(1)), false, "UpToDate", null),

        // ordering: the first check that fires decides
        Arguments.of("requested beats a permanent failure", fresh().failedPermanentlyWith("a").refreshRequested(), true,
            "RefreshRequested", null),
        Arguments.of("requested beats backoff", upToDate().retryNotBefore(LATER).refreshRequested(), true, "RefreshRequested",
            null),
        Arguments.of("AwaitingChange beats BackingOff", fresh().failedPermanentlyWith("a").retryNotBefore(LATER), false,
            "AwaitingChange", null),
        Arguments.of("AwaitingChange beats NoCredential", fresh().failedPermanentlyWith("a"), false, "AwaitingChange",
            null),
        Arguments.of("AwaitingChange beats Expired", upToDate().expiresAt(EARLIER).failedPermanentlyWith("a"), false,
            "AwaitingChange", null),
        Arguments.of("BackingOff beats NoCredential", fresh().retryNotBefore(LATER), false, "BackingOff", null),
        Arguments.of("BackingOff beats InputsChanged", upToDate().current("b").retryNotBefore(LATER), false,
            "BackingOff", null),
        Arguments.of("BackingOff beats Expired", upToDate().expiresAt(EARLIER).retryNotBefore(LATER), false,
            "BackingOff", null),
        Arguments.of("NoCredential beats InputsChanged", fresh().current("b"), true, "Issuing", null),
        Arguments.of("InputsChanged beats Expired", upToDate().current("b").expiresAt(EARLIER), true, "InputsChanged",
            null),
        Arguments.of("InputsChanged beats UpToDate", upToDate().current("b"), true, "InputsChanged", null),
        Arguments.of("Expired beats RenewalDue", upToDate().expiresAt(EARLIER).renewAt(EARLIER), true, "Expired",
            null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decide(String name, Inputs inputs, boolean due, String reason, String message) {
    RefreshDecision d = RefreshChecks.decide(inputs.at(NOW));

    assertThat(d.due()).isEqualTo(due);
    assertThat(d.reason()).isEqualTo(reason);
    if (message != null) {
      assertThat(d.message()).isEqualTo(message);
    } else {
      assertThat(d.message()).isNotBlank();
    }
  }

  static Stream<Arguments> nextChecks() {
    return Stream.of(
        Arguments.of("renewal ahead", upToDate().renewAt(NOW.plusSeconds(30)), Duration.ofSeconds(30)),
        Arguments.of("backing off", upToDate().renewAt(EARLIER).retryNotBefore(NOW.plusSeconds(5)),
            Duration.ofSeconds(5)),
        Arguments.of("backoff later than the renewal", upToDate().renewAt(NOW.plusSeconds(5))
            .retryNotBefore(NOW.plusSeconds(30)), Duration.ofSeconds(30)),
        Arguments.of("backoff over", upToDate().renewAt(NOW.plusSeconds(30)).retryNotBefore(EARLIER),
            Duration.ofSeconds(30)),
        Arguments.of("renewal overdue: now, never negative", upToDate().renewAt(EARLIER), Duration.ZERO),
        Arguments.of("never expires", upToDate().expiresAt(null).renewAt(null), null),
        Arguments.of("nothing scheduled after a permanent failure", fresh().failedPermanentlyWith("a"), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nextChecks")
  void untilNextCheck(String name, Inputs inputs, Duration expected) {
    assertThat(RefreshChecks.untilNextCheck(inputs.at(NOW))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void withoutARequestTheShortConstructorIsTheSame(String name, Inputs inputs, boolean due, String reason,
      String message) {
    RefreshInputs full = inputs.at(NOW);
    RefreshInputs shorter = new RefreshInputs(full.credentialStored(), full.expiresAt(), full.currentFingerprint(),
        full.storedFingerprint(), full.renewAt(), full.terminalFailureFingerprint(), full.retryNotBefore(), NOW);
    assertThat(shorter.refreshRequested()).isFalse();
    if (!full.refreshRequested()) {
      assertThat(shorter).isEqualTo(full);
    }
  }
}
