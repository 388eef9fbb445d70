package io.keyward.provider;

/**
 * A profile cannot be applied to a connector: {@code reason} is the status condition's reason
 * ({@code UnknownProvider}, {@code MissingParameter}, {@code UnknownParameter},
 * {@code InvalidParameter}, {@code InvalidProfile}); the message names the field, never a value.
 */
public final class ProfileException extends Exception {
  private final String reason;

  public ProfileException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
