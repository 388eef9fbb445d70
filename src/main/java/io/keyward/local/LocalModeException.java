package io.keyward.local;

/** A local-mode problem the user can fix (a port in use, an unreadable manifest); the message says how. */
public class LocalModeException extends RuntimeException {
  public LocalModeException(String message) {
    super(message);
  }
}
