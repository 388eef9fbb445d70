package io.keyward.credential;

import java.time.Duration;
import java.util.Optional;

/**
 * Why a credential could not be issued, classified.
 *
 * <p>Terminal failures (a rejected client, bad configuration) wait for a change of the spec or of a
 * referenced Secret; transient ones (5xx, 429, timeouts) are retried with backoff, honouring
 * {@code Retry-After}. The message is shown in status and Events: it names fields and HTTP
 * statuses, never secret values or response bodies.
 */
public class CredentialException extends Exception {
  private final String reason;
  private final boolean terminal;
  private final Duration retryAfter;

  private CredentialException(String reason, String message, boolean terminal, Duration retryAfter) {
    super(message, null, false, false);
    this.reason = reason;
    this.terminal = terminal;
    this.retryAfter = retryAfter;
  }

  public static CredentialException terminal(String reason, String message) {
    return new CredentialException(reason, message, true, null);
  }

  public static CredentialException transientFailure(String reason, String message, Duration retryAfter) {
    return new CredentialException(reason, message, false, retryAfter);
  }

  /** A spec value that cannot work; the message names the field. */
  public static CredentialException invalidConfiguration(String field, String problem) {
    return terminal("InvalidConfiguration", field + ": " + problem);
  }

  /** A CamelCase reason for the status condition. */
  public String reason() {
    return reason;
  }

  public boolean isTerminal() {
    return terminal;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
