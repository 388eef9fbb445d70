package io.keyward.credential.http;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/** The host cannot take this call now: nothing was sent; try again after {@link #retryAfter()}. */
public final class HostBusyException extends IOException {
  /** Why the call waits. */
  public enum Why {
    /** The host already has its share of calls in flight. */
    BUSY,
    /** The provider asked Keyward to wait (a 429, or a 503 with Retry-After) until {@link #until()}. */
    PAUSED,
    /** The host's request rate is spent for now. */
    RATE,
    /** Connectors whose credentials expire sooner go first. */
    QUEUED
  }

  private final String host;
  private final int limit;
  private final Why why;
  private final Duration retryAfter;
  private final Instant until;

  HostBusyException(String host, int limit, Why why, Duration retryAfter, Instant until) {
    super(host + (why == Why.BUSY ? " already has " + limit + " calls in flight" : " is " + why.name().toLowerCase()));
    this.host = host;
    this.limit = limit;
    this.why = why;
    this.retryAfter = retryAfter;
    this.until = until;
  }

  /** scheme://host:port */
  public String host() {
    return host;
  }

  public int limit() {
    return limit;
  }

  public Why why() {
    return why;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  /** For {@link Why#PAUSED}: when the provider's pause ends; else {@code null}. */
  public Instant until() {
    return until;
  }
}
