package io.keyward.credential.http;

import java.time.Instant;

/**
 * Who makes a call, for the host's turns: {@code key} names the connector (one booking each), and
 * {@code needBy} is when its current credential expires (or now, when it has none), so that the
 * soonest-expiring go first when a host is paused or its rate is spent.
 */
public record Caller(String key, Instant needBy) {
  public Caller {
    if (key == null || needBy == null) {
      throw new IllegalArgumentException("a caller has a key and a time it needs its credential by");
    }
  }

  private static final String ANONYMOUS = "anonymous-";

  /**
   * A one-off call nobody waits on by name (a JWKS fetch, a test): needed now, and never booked, since
   * it would not come back under its key and its booking would hold up the named callers behind it.
   */
  public static Caller anonymous(Instant now) {
    return new Caller(ANONYMOUS + java.util.UUID.randomUUID(), now);
  }

  /** Whether this caller comes back under its key, so that it can be booked a turn. */
  public boolean named() {
    return !key.startsWith(ANONYMOUS);
  }
}
