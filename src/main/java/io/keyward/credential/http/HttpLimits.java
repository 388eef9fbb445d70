package io.keyward.credential.http;

import java.time.Duration;

/**
 * The rules every outbound call obeys.
 *
 * @param deadline the whole exchange (connect, request, response headers and the full body)
 * @param maxBodyBytes the largest response body read; a larger one fails the call
 * @param maxCallsPerHost calls in flight at once to one scheme, host and port
 * @param hostWait how long a call waits for a share of its host before it is deferred
 */
public record HttpLimits(Duration deadline, int maxBodyBytes, int maxCallsPerHost, Duration hostWait) {
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_CALLS_PER_HOST = 4;
  public static final Duration DEFAULT_HOST_WAIT = Duration.ofSeconds(2);

  public HttpLimits {
    if (deadline == null || deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("the HTTP deadline must be positive");
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("the response size cap must be positive");
    }
    if (maxCallsPerHost < 1) {
      throw new IllegalArgumentException("the calls per host must be at least 1");
    }
    if (hostWait == null || hostWait.isNegative()) {
      throw new IllegalArgumentException("the wait for a host must not be negative");
    }
  }

  /** 30 s per exchange, 1 MiB, 4 calls per host, 2 s wait for a share. */
  public static HttpLimits defaults() {
    return new HttpLimits(DEFAULT_DEADLINE, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CALLS_PER_HOST, DEFAULT_HOST_WAIT);
  }

  public HttpLimits withDeadline(Duration d) {
    return new HttpLimits(d, maxBodyBytes, maxCallsPerHost, hostWait);
  }

  public HttpLimits withMaxBodyBytes(int bytes) {
    return new HttpLimits(deadline, bytes, maxCallsPerHost, hostWait);
  }

  public HttpLimits withMaxCallsPerHost(int calls) {
    return new HttpLimits(deadline, maxBodyBytes, calls, hostWait);
  }

  public HttpLimits withHostWait(Duration wait) {
    return new HttpLimits(deadline, maxBodyBytes, maxCallsPerHost, wait);
  }

  /** {@code 30s}, {@code 1500ms}: how a deadline is shown in messages. */
  public static String show(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
