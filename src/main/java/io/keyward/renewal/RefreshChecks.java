package io.keyward.renewal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * "Is a refresh due?" as an ordered chain of small named checks (cert-manager style): the first
 * that decides wins, and the last always decides. The verdict's reason and message reach status.
 */
public final class RefreshChecks {
  /** A user's explicit request wins over everything, backoff included; it is acted on once. */
  public static final RefreshCheck REFRESH_REQUESTED = in -> in.refreshRequested()
      ? Optional.of(RefreshDecision.due("RefreshRequested", "A refresh was requested"))
      : Optional.empty();

  /** A permanent failure is not retried until the spec or a referenced Secret changes. */
  public static final RefreshCheck AWAITING_CHANGE = in -> in.failureOnTheseInputs()
      .filter(Standing.LastFailure::terminal)
      .map(f -> RefreshDecision.notDue("AwaitingChange",
          "Last attempt failed permanently; waiting for a change of the spec or a referenced Secret"));

  public static final RefreshCheck BACKING_OFF = in -> in.failureOnTheseInputs()
      .filter(f -> !f.terminal() && in.now().isBefore(f.retryNotBefore()))
      .map(f -> RefreshDecision.notDue("BackingOff", "Retrying at " + f.retryNotBefore()));

  public static final RefreshCheck NO_CREDENTIAL = in -> in.held().isEmpty()
      ? Optional.of(RefreshDecision.due("Issuing", "No credential has been issued yet"))
      : Optional.empty();

  public static final RefreshCheck INPUTS_CHANGED = in -> in.held()
      .filter(h -> !in.inputs().equals(h.inputs()))
      .map(h -> RefreshDecision.due("InputsChanged", "The spec or a referenced Secret changed"));

  /** Expired, and past the floor between two issues (a provider handing out expired tokens is not asked in a loop). */
  public static final RefreshCheck EXPIRED = in -> in.expired() && (in.renewAt() == null || in.renewalReached())
      ? Optional.of(RefreshDecision.due("Expired", "The credential expired at " + in.expiresAt()))
      : Optional.empty();

  public static final RefreshCheck RENEWAL_DUE = in -> in.renewalReached()
      ? Optional.of(RefreshDecision.due("RenewalDue", "Renewal time " + in.renewAt() + " reached"))
      : Optional.empty();

  /**
   * An issue failed transiently and its backoff is over, with nothing above due (a failed refresh
   * request, say): it is tried again rather than forgotten.
   */
  public static final RefreshCheck RETRY_DUE = in -> in.failureOnTheseInputs()
      .filter(f -> !f.terminal() && f.duringIssue())
      .map(f -> RefreshDecision.due("Retrying", "Retrying the issue that failed; its backoff is over"));

  /**
   * Expired, but sooner after its issue than the renewal floor allows (a provider handing out
   * already-expired tokens): not asked again before the floor.
   */
  public static final RefreshCheck MINIMUM_INTERVAL = in -> in.expired()
      ? Optional.of(RefreshDecision.notDue("MinimumInterval", "Expired at " + in.expiresAt()
          + ", sooner than the minimum refresh interval after its issue; next refresh at " + in.renewAt()))
      : Optional.empty();

  /** Nothing fired: the credential is good. Always decides, so it ends the chain. */
  public static final RefreshCheck UP_TO_DATE = in -> Optional.of(RefreshDecision.notDue("UpToDate",
      in.expiresAt() == null
          ? "The credential does not expire"
          : "Valid until " + in.expiresAt() + "; next refresh at " + in.renewAt()));

  static final List<RefreshCheck> CHAIN = List.of(REFRESH_REQUESTED, AWAITING_CHANGE, BACKING_OFF, NO_CREDENTIAL,
      INPUTS_CHANGED, EXPIRED, RENEWAL_DUE, RETRY_DUE, MINIMUM_INTERVAL, UP_TO_DATE);

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
   * When to look at a connector again by itself, or empty when only a change (an event) can make
   * anything due: the retry of a transient failure, else, after a permanent failure, the expiry (so
   * that Ready turns False when the last credential lapses), else the renewal time.
   */
  public static Optional<Instant> nextCheck(Standing s, Instant now) {
    Optional<Standing.LastFailure> failure = s.failure();
    if (failure.isPresent() && !failure.get().terminal()) {
      return Optional.of(failure.get().retryNotBefore());
    }
    if (failure.isPresent()) {
      return s.held().map(Standing.Held::expiresAt).filter(at -> at.isAfter(now));
    }
    return s.held().map(Standing.Held::renewAt);
  }

  /** How long to wait for {@code at}: never less than {@link #MIN_RECHECK}. */
  public static Duration delayUntil(Instant at, Instant now) {
    Duration d = Duration.between(now, at);
    return d.compareTo(MIN_RECHECK) < 0 ? MIN_RECHECK : d;
  }
}
