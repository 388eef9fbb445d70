package io.keyward.operator;

import io.keyward.credential.CredentialException;
import io.keyward.renewal.RefreshDecision;
import java.util.Optional;

/**
 * What the decide-and-issue step of one reconcile came to.
 *
 * @param decision the verdict of the refresh checks (empty when the inputs could not be read)
 * @param issued the credential issued and persisted, when one was
 * @param deferral why an issue was put off before anything was sent (a busy provider host or
 *     namespace share): not a failure
 * @param failure why the issue, or the gathering before it, failed
 */
record Attempt(Optional<RefreshDecision> decision, Optional<Holding> issued, Optional<CredentialException> deferral,
    Optional<CredentialException> failure) {

  static Attempt notDue(RefreshDecision decision) {
    return new Attempt(Optional.of(decision), Optional.empty(), Optional.empty(), Optional.empty());
  }

  static Attempt issued(RefreshDecision decision, Holding issued) {
    return new Attempt(Optional.of(decision), Optional.of(issued), Optional.empty(), Optional.empty());
  }

  static Attempt deferred(RefreshDecision decision, CredentialException why) {
    return new Attempt(Optional.of(decision), Optional.empty(), Optional.of(why), Optional.empty());
  }

  static Attempt failed(RefreshDecision decision, CredentialException why) {
    return new Attempt(Optional.of(decision), Optional.empty(), Optional.empty(), Optional.of(why));
  }

  /** Gathering the inputs failed: nothing was decided. */
  static Attempt notGathered(CredentialException why) {
    return new Attempt(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(why));
  }
}
