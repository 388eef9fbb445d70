package io.keyward.renewal;

/**
 * Whether to issue a credential now, and why.
 *
 * @param due whether to issue now
 * @param reason a CamelCase reason for status conditions and Events
 * @param message a sentence for a human
 */
public record RefreshDecision(boolean due, String reason, String message) {
  /** Issue now. */
  public static RefreshDecision due(String reason, String message) {
    return new RefreshDecision(true, reason, message);
  }

  /** Do not issue now. */
  public static RefreshDecision notDue(String reason, String message) {
    return new RefreshDecision(false, reason, message);
  }
}
