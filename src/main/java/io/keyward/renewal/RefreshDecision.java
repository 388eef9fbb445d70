package io.keyward.renewal;

/** Whether to issue a credential now, and why (the reason ends up in status and Events). */
public record RefreshDecision(boolean due, String reason, String message) {
  public static RefreshDecision due(String reason, String message) {
    return new RefreshDecision(true, reason, message);
  }

  public static RefreshDecision notDue(String reason, String message) {
    return new RefreshDecision(false, reason, message);
  }
}
