package io.keyward.credential.http;

import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** The whole exchange (connect, headers, body) did not finish within the deadline; it was aborted. */
public final class DeadlineExceededException extends HttpTimeoutException {
  private final Duration deadline;

  DeadlineExceededException(Duration deadline) {
    super("no complete answer within " + HttpLimits.show(deadline));
    this.deadline = deadline;
  }

  public Duration deadline() {
    return deadline;
  }
}
