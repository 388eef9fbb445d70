package io.keyward.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * "Is a refresh due?" as an ordered chain of small named checks (cert-manager style): the first
 * that fires decides.
 */
public final class RefreshChecks {
  /** A user's explicit request wins over everything, backoff included; it is acted on once. */
  public static final RefreshCheck REFRESH_REQUESTED = in -> in.refreshRequested()
      ? Optional.of(RefreshDecision.due("RefreshRequested", "A refresh was requested"))
      : Optional.empty();

  /** A permanent failure is not retried until the spec or a referenced Secret changes. */
  public static final RefreshCheck AWAITING_CHANGE = in ->
      in.terminalFailureFingerprint() != null && in.terminalFailureFingerprint().equals(in.currentFingerprint())
          ? Optional.of(RefreshDecision.notDue("AwaitingChange",
              "Last attempt failed permanently; waiting for a change of the spec or a referenced Secret"))
          : Optional.empty();

  public static final RefreshCheck BACKING_OFF = in ->
      in.retryNotBefore() != null && in.now().isBefore(in.retryNotBefore())
          ? Optional.of(RefreshDecision.notDue("BackingOff", "Retrying at " + in.retryNotBefore()))
          : Optional.empty();

  public static final RefreshCheck NO_CREDENTIAL = in -> !in.credentialStored()
      ? Optional.of(RefreshDecision.due("Issuing", "No credential has been issued yet"))
      : Optional.empty();

  public static final RefreshCheck INPUTS_CHANGED = in ->
      !Objects.equals(in.storedFingerprint(), in.currentFingerprint())
          ? Optional.of(RefreshDecision.due("InputsChanged", "The spec or a referenced Secret changed"))
          : Optional.empty();

  /** Expired, and past the floor between two issues (a provider handing out expired tokens is not asked in a loop). */
  public static final RefreshCheck EXPIRED = in ->
      in.expiresAt() != null && !in.now().isBefore(in.expiresAt())
          && (in.renewAt() == null || !in.now().isBefore(in.renewAt()))
          ? Optional.of(RefreshDecision.due("Expired", "The credential expired at " + in.expiresAt()))
          : Optional.empty();

  public static final RefreshCheck RENEWAL_DUE = in ->
      in.renewAt() != null && !in.now().isBefore(in.renewAt())
          ? Optional.of(RefreshDecision.due("RenewalDue", "Renewal time " + in.renewAt() + " reached"))
          : Optional.empty();

  static final List<RefreshCheck> CHAIN =
      List.of(REFRESH_REQUESTED, AWAITING_CHANGE, BACKING_OFF, NO_CREDENTIAL, INPUTS_CHANGED, EXPIRED, RENEWAL_DUE);

  private RefreshChecks() {}

  public static RefreshDecision decide(RefreshInputs in) {
    for (RefreshCheck check : CHAIN) {
      Optional<RefreshDecision> decision = check.evaluate(in);
      if (decision.isPresent()) {
        return decision.get();
      }
    }
    if (in.expiresAt() != null && !in.now().isBefore(in.expiresAt())) {
      return RefreshDecision.notDue("MinimumInterval", "Expired at " + in.expiresAt()
          + ", sooner than the minimum refresh interval after its issue; next refresh at " + in.renewAt());
    }
    return RefreshDecision.notDue("UpToDate", in.expiresAt() == null
        ? "The credential does not expire"
        : "Valid until " + in.expiresAt() + "; next refresh at " + in.renewAt());
  }

  /** Time until the next scheduled look (a pending retry, else the renewal time), or {@code null}. */
  public static Duration untilNextCheck(RefreshInputs in) {
    Instant next = in.retryNotBefore() != null && in.now().isBefore(in.retryNotBefore())
        ? in.retryNotBefore()
        : in.renewAt();
    if (next == null) {
      return null;
    }
    Duration d = Duration.between(in.now(), next);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
