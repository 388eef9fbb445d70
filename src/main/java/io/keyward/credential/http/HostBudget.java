package io.keyward.credential.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Each provider host (scheme, host, port) gets its own share: at most {@code limit} calls in flight.
 * A call that cannot get a share within a short wait is deferred ({@link HostBusyException}); at
 * most {@code limit} calls wait, the rest are deferred at once. So a slow provider holds at most
 * {@code 2 × limit} threads, whatever the number of connectors pointing at it.
 * Only hosts with calls in flight or waiting are remembered.
 */
final class HostBudget {
  private static final class Host {
    final Semaphore permits;
    int users; // holding or waiting; guarded by the map's compute

    Host(int limit) {
      permits = new Semaphore(limit, true);
    }
  }

  /** A share of one host; closing it gives the share back. */
  interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  private final Map<String, Host> hosts = new ConcurrentHashMap<>();
  private final int limit;
  private final Duration wait;

  HostBudget(int limit, Duration wait) {
    this.limit = limit;
    this.wait = wait;
  }

  Lease acquire(String host) throws HostBusyException, java.io.InterruptedIOException {
    int[] users = new int[1];
    Host h = hosts.compute(host, (k, v) -> {
      Host entry = v == null ? new Host(limit) : v;
      users[0] = ++entry.users;
      return entry;
    });
    boolean acquired = false;
    try {
      // at most `limit` callers wait for a share; any more are deferred at once, so a busy host
      // holds at most twice its share of threads however many connectors point at it
      acquired = users[0] <= 2 * limit ? h.permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)
          : h.permits.tryAcquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      leave(host);
      throw new java.io.InterruptedIOException("interrupted while waiting for a share of " + host);
    }
    if (!acquired) {
      leave(host);
      throw new HostBusyException(host, limit, retryAfter());
    }
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        h.permits.release();
        leave(host);
      }
    };
  }

  /** Hosts with calls in flight or waiting. */
  int trackedHosts() {
    return hosts.size();
  }

  private void leave(String host) {
    hosts.computeIfPresent(host, (k, v) -> --v.users == 0 ? null : v);
  }

  /** 1 to 3 s, spread so that deferred connectors do not come back together. */
  static Duration retryAfter() {
    return Duration.ofMillis(1000 + ThreadLocalRandom.current().nextLong(2001));
  }
}
