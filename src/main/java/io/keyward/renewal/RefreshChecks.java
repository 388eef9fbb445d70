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

  /**
   * Expired, but sooner after its issue than the renewal floor allows (a provider handing out
   * already-expired tokens): not asked again before the floor.
   */
  public static final RefreshCheck MINIMUM_INTERVAL = in ->
      in.expiresAt() != null && !in.now().isBefore(in.expiresAt())
          ? Optional.of(RefreshDecision.notDue("MinimumInterval", "Expired at " + in.expiresAt()
              + ", sooner than the minimum refresh interval after its issue; next refresh at " + in.renewAt()))
          : Optional.empty();

  /** Nothing fired: the credential is good. Always decides, so it ends the chain. */
  public static final RefreshCheck UP_TO_DATE = in -> Optional.of(RefreshDecision.notDue("UpToDate",
      in.expiresAt() == null
          ? "The credential does not expire"
          : "Valid until " + in.expiresAt() + "; next refresh at " + in.renewAt()));

  static final List<RefreshCheck> CHAIN = List.of(REFRESH_REQUESTED, AWAITING_CHANGE, BACKING_OFF, NO_CREDENTIAL,
      INPUTS_CHANGED, EXPIRED, RENEWAL_DUE, MINIMUM_INTERVAL, UP_TO_DATE);

  /** The soonest a connector is looked at again: nothing reconciles more often. */
  public static final Duration MIN_RECHECK = Duration.ofSeconds(1);

  private RefreshChecks() {}

  /** The first check of the chain that decides. */
  public static RefreshDecision decide(RefreshInputs in) {
    for (RefreshCheck check : CHAIN) {
      Optional<RefreshDecision> decision = check.evaluate(in);
      if (decision.isPresent()) {
        return decision.get();
      }
    }
    throw new IllegalStateException("UP_TO_DATE ends the chain");
  }

  /**
   * What decides when a connector is looked at next, after a reconcile.
   *
   * @param expiresAt the stored credential's expiry, {@code null} when none or it never expires
   * @param renewAt its planned renewal, {@code null} when none
   * @param terminalFailure the last attempt failed permanently (waiting for a change)
   * @param retryNotBefore when a transient failure is retried, {@code null} when none
   */
  public record Outlook(Instant expiresAt, Instant renewAt, boolean terminalFailure, Instant retryNotBefore) {}

  /**
   * When to look again, or empty when only a change (an event) can make anything due: the retry of
   * a transient failure, else, after a permanent failure, the expiry (so that Ready turns False when
   * the last credential lapses), else the renewal time. Never sooner than {@link #MIN_RECHECK}.
   */
  public static Optional<Duration> nextCheck(Outlook o, Instant now) {
    return nextCheckAt(o, now).map(at -> {
      Duration d = Duration.between(now, at);
      return d.compareTo(MIN_RECHECK) < 0 ? MIN_RECHECK : d;
    });
  }

  /** The instant {@link #nextCheck} aims at (before the floor), as status shows it. */
  public static Optional<Instant> nextCheckAt(Outlook o, Instant now) {
    if (o.retryNotBefore() != null && !o.terminalFailure()) {
      return Optional.of(o.retryNotBefore());
    }
    if (o.terminalFailure()) {
      return o.expiresAt() != null && o.expiresAt().isAfter(now) ? Optional.of(o.expiresAt()) : Optional.empty();
    }
    return Optional.ofNullable(o.renewAt());
  }
}
