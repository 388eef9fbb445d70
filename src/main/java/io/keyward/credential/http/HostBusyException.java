package io.keyward.credential.http;

import java.io.IOException;
import java.time.Duration;

/** The host already had its share of calls in flight: nothing was sent; try again after {@link #retryAfter()}. */
public final class HostBusyException extends IOException {
  private final String host;
  private final int limit;
  private final Duration retryAfter;

  HostBusyException(String host, int limit, Duration retryAfter) {
    super(host + " already has " + limit + " calls in flight");
    this.host = host;
    this.limit = limit;
    this.retryAfter = retryAfter;
  }

  /** scheme://host:port */
  public String host() {
    return host;
  }

  public int limit() {
    return limit;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
