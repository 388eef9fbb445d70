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
  private final boolean deferred;
  private boolean awaiting;
  private String errorClass;
  private java.util.Map<String, String> rotatedState = java.util.Map.of();
  private Notice notice;

  private CredentialException(String reason, String message, boolean terminal, Duration retryAfter) {
    this(reason, message, terminal, retryAfter, false);
  }

  private CredentialException(String reason, String message, boolean terminal, Duration retryAfter,
      boolean deferred) {
    super(message, null, false, false);
    this.reason = reason;
    this.terminal = terminal;
    this.retryAfter = retryAfter;
    this.deferred = deferred;
  }

  /**
   * Sets the error class: a short snake_case word for dashboards and alerts ({@code invalid_grant},
   * {@code rate_limited}, {@code server_error}, {@code timeout}, …), finer than the reason.
   */
  public CredentialException classified(String errorClass) {
    this.errorClass = errorClass;
    return this;
  }

  /** The error class, else the reason in snake_case ({@code SecretNotFound} → {@code secret_not_found}). */
  public String errorClass() {
    return errorClass != null ? errorClass : reason.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Attaches issuer state the provider changed although the attempt failed (a refresh token it
   * rotated in an answer that could not be used): it must be persisted all the same (DESIGN §3),
   * or the next attempt presents a refresh token the provider no longer accepts. Never shown.
   */
  public CredentialException withRotatedState(java.util.Map<String, String> state) {
    this.rotatedState = java.util.Map.copyOf(state);
    return this;
  }

  /**
   * Attaches what a person should read in {@code kubectl describe} once the state of this attempt is
   * persisted (a device authorization started: where to approve it). An Event, never a secret value.
   */
  public CredentialException withNotice(Notice notice) {
    this.notice = notice;
    return this;
  }

  /** The Event to record with this attempt's state, if any. */
  public Optional<Notice> notice() {
    return Optional.ofNullable(notice);
  }

  /** Issuer state to persist despite the failure; empty when the provider rotated nothing. */
  public java.util.Map<String, String> rotatedState() {
    return rotatedState;
  }

  public static CredentialException terminal(String reason, String message) {
    return new CredentialException(reason, message, true, null);
  }

  public static CredentialException transientFailure(String reason, String message, Duration retryAfter) {
    return new CredentialException(reason, message, false, retryAfter);
  }

  /**
   * Not a failure: the attempt was not made (e.g. the provider's host already has its share of calls
   * in flight) and should simply be tried again after {@code retryAfter}. Nothing was sent, so no
   * backoff, no Degraded condition, no warning Event. A wait for a person is {@link #awaiting}.
   */
  public static CredentialException deferred(String reason, String message, Duration retryAfter) {
    return new CredentialException(reason, message, false, retryAfter, true);
  }

  /**
   * Not a failure: the provider answered, and waits for a person (a device authorization nobody has
   * approved yet); asked again after {@code retryAfter}. Deferred, and it ends an earlier failure:
   * what failed before has been replaced by what the person is asked to do.
   */
  public static CredentialException awaiting(String reason, String message, Duration retryAfter) {
    CredentialException e = new CredentialException(reason, message, false, retryAfter, true);
    e.awaiting = true;
    return e;
  }

  /** Waiting for a person: see {@link #awaiting}. */
  public boolean isAwaiting() {
    return awaiting;
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

  /** The attempt was put off, not failed: see {@link #deferred}. */
  public boolean isDeferred() {
    return deferred;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
