package io.keyward.credential.http;

import java.time.Duration;

/**
 * What the sender tells about each provider host (for metrics). {@code host} is
 * {@code scheme://host:port}: never a path or a query.
 */
public interface HostObserver {
  HostObserver NONE = new HostObserver() {};

  /** A request was sent to {@code host}. */
  default void requested(String host) {}

  /** A call to {@code host} was told to come back later, for {@code why}; nothing was sent. */
  default void waited(String host, HostBusyException.Why why) {}

  /** {@code host} asked Keyward to wait {@code pause}; every connector of the host waits. */
  default void paused(String host, Duration pause) {}
}
