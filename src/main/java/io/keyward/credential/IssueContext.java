package io.keyward.credential;

import io.keyward.credential.http.Caller;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * What an issuer may use besides its spec block.
 *
 * @param secrets the values of every Secret key the block references, already resolved
 * @param clock the time source
 * @param defaultLifetime the lifetime assumed for a token whose expiry cannot be learned
 * @param previousState the state the last credential left (see {@link IssuedCredential#state()}); empty at first
 * @param caller who asks, for the provider host's turns: the connector, and when its current credential expires
 * @param asked what a person last asked for, as an opaque value that changes when the spec, a referenced Secret
 *     or the refresh annotation does: an issuer that waits for a person (an expired device code) remembers under
 *     which value it started, and starts again only once it has changed, never in a loop nor after a restart
 */
public record IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime, Map<String, String> previousState,
    Caller caller, String asked) {
  public IssueContext {
    previousState = Map.copyOf(previousState);
    if (caller == null) {
      caller = Caller.anonymous(clock.instant());
    }
    if (asked == null) {
      asked = "";
    }
  }

  public IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime, Map<String, String> previousState,
      Caller caller) {
    this(secrets, clock, defaultLifetime, previousState, caller, "");
  }

  public IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime, Map<String, String> previousState) {
    this(secrets, clock, defaultLifetime, previousState, null);
  }

  /** The same context, with what a person last asked for (see {@code asked}). */
  public IssueContext withAsked(String value) {
    return new IssueContext(secrets, clock, defaultLifetime, previousState, caller, value);
  }

  public IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime) {
    this(secrets, clock, defaultLifetime, Map.of());
  }

  /** Never prints the previous state (it may hold a refresh token or private keys). */
  @Override
  public String toString() {
    return "IssueContext[defaultLifetime=" + defaultLifetime + ", state keys=" + previousState.keySet() + "]";
  }
}
