package io.keyward.renewal;

import java.time.Instant;
import java.util.Optional;

/**
 * What the refresh checks look at, built once per reconcile.
 *
 * @param standing the credential held and the failure since the last success
 * @param inputs digest of the current spec and referenced Secret values
 * @param refreshRequested a user asked for a refresh that no issue (nor failed attempt) has acted on yet
 * @param now the current time
 */
public record RefreshInputs(Standing standing, String inputs, boolean refreshRequested, Instant now) {
  Optional<Standing.Held> held() {
    return standing.held();
  }

  /** The failure since the last success, if it was on these same inputs (a change makes it moot). */
  Optional<Standing.LastFailure> failureOnTheseInputs() {
    return standing.failure().filter(f -> inputs.equals(f.inputs()));
  }

  Instant expiresAt() {
    return held().map(Standing.Held::expiresAt).orElse(null);
  }

  Instant renewAt() {
    return held().map(Standing.Held::renewAt).orElse(null);
  }

  boolean expired() {
    return expiresAt() != null && !now.isBefore(expiresAt());
  }

  boolean renewalReached() {
    return renewAt() != null && !now.isBefore(renewAt());
  }
}
