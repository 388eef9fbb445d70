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
 * @param requested whether a person asked for this issue (the refresh annotation, a changed spec or Secret): an
 *     issuer that waits for a person (an expired device code) starts again only then, never in a loop
 */
public record IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime, Map<String, String> previousState,
    Caller caller, boolean requested) {
  public IssueContext {
    previousState = Map.copyOf(previousState);
    if (caller == null) {
      caller = Caller.anonymous(clock.instant());
    }
  }

  public IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime, Map<String, String> previousState,
      Caller caller) {
    this(secrets, clock, defaultLifetime, previousState, caller, false);
  }

  public IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime, Map<String, String> previousState) {
    this(secrets, clock, defaultLifetime, previousState, null);
  }

  /** The same context, asked for by a person (see {@code requested}). */
  public IssueContext asRequested() {
    return new IssueContext(secrets, clock, defaultLifetime, previousState, caller, true);
  }

  public IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime) {
    this(secrets, clock, defaultLifetime, Map.of());
  }

  /** Never prints the previous state (it may hold a refresh token or private keys). */
  @Override
  public String toString() {
    return "IssueContext[defaultLifetime=" + defaultLifetime + ", state keys=" + previousState.keySet() + ", requested="
        + requested + "]";
  }
}
