package io.keyward.credential.http;

import java.time.Duration;

/**
 * The rules every outbound call obeys.
 *
 * @param deadline the whole exchange (connect, request, response headers and the full body)
 * @param maxBodyBytes the largest response body read; a larger one fails the call
 * @param maxCallsPerHost calls in flight at once to one scheme, host and port
 * @param hostWait how long a call waits for a share of its host before it is deferred
 * @param hostRate requests per second to one host, shared by every connector that uses it
 * @param hostBurst requests to one host that may go at once before the rate applies
 */
public record HttpLimits(Duration deadline, int maxBodyBytes, int maxCallsPerHost, Duration hostWait, double hostRate,
    int hostBurst) {
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_CALLS_PER_HOST = 4;
  public static final Duration DEFAULT_HOST_WAIT = Duration.ofSeconds(2);
  public static final double DEFAULT_HOST_RATE = 10;
  public static final int DEFAULT_HOST_BURST = 20;

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
    if (!(hostRate > 0) || Double.isInfinite(hostRate)) {
      throw new IllegalArgumentException("the requests per second to a host must be positive");
    }
    if (hostBurst < 1) {
      throw new IllegalArgumentException("the burst of requests to a host must be at least 1");
    }
  }

  /** 30 s per exchange, 1 MiB, 4 calls per host, 2 s wait for a share, 10 requests/s per host with bursts of 20. */
  public static HttpLimits defaults() {
    return new HttpLimits(DEFAULT_DEADLINE, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CALLS_PER_HOST, DEFAULT_HOST_WAIT,
        DEFAULT_HOST_RATE, DEFAULT_HOST_BURST);
  }

  public HttpLimits withDeadline(Duration d) {
    return new HttpLimits(d, maxBodyBytes, maxCallsPerHost, hostWait, hostRate, hostBurst);
  }

  public HttpLimits withMaxBodyBytes(int bytes) {
    return new HttpLimits(deadline, bytes, maxCallsPerHost, hostWait, hostRate, hostBurst);
  }

  public HttpLimits withMaxCallsPerHost(int calls) {
    return new HttpLimits(deadline, maxBodyBytes, calls, hostWait, hostRate, hostBurst);
  }

  public HttpLimits withHostWait(Duration wait) {
    return new HttpLimits(deadline, maxBodyBytes, maxCallsPerHost, wait, hostRate, hostBurst);
  }

  public HttpLimits withHostRate(double perSecond, int burst) {
    return new HttpLimits(deadline, maxBodyBytes, maxCallsPerHost, hostWait, perSecond, burst);
  }

  /** {@code 30s}, {@code 1500ms}: how a deadline is shown in messages. */
  public static String show(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
