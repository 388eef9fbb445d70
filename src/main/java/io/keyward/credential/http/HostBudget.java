package io.keyward.credential.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each provider host (scheme, host, port) gets its own share, whatever the number of connectors
 * pointing at it: {@link HostTurns} (a request rate, a pause the provider asked for, and the order
 * of those waiting: soonest-expiring first), then at most {@code limit} calls in flight. A call that
 * cannot go is deferred ({@link HostBusyException}) with the time to come back, never queued on a
 * thread; only for a share of the calls in flight does it wait a little ({@code wait}), and at most
 * {@code limit} callers wait at once. So a slow provider holds at most {@code 2 × limit} threads.
 * Hosts with nothing in flight, nothing booked, no pause and a full rate are forgotten.
 */
final class HostBudget {
  private final class Host {
    final Semaphore permits;
    final HostTurns turns;
    int users; // holding or waiting; guarded by the map's compute

    Host() {
      permits = new Semaphore(limit, true);
      turns = new HostTurns(rate, burst, NO_SHOW_GRACE, clock, () -> ThreadLocalRandom.current().nextDouble());
    }
  }

  /** A share of one host; closing it gives the share back. */
  interface Lease extends AutoCloseable {
    @Override
    void close();
  }

  /** How long past its slot a booked caller may come back before its booking is dropped. */
  static final Duration NO_SHOW_GRACE = Duration.ofSeconds(10);
  /** The shortest wait a deferred caller is given: reconciling sooner would only be deferred again. */
  static final Duration MIN_RETRY = Duration.ofMillis(200);

  private final Map<String, Host> hosts = new ConcurrentHashMap<>();
  private final int limit;
  private final Duration wait;
  private final double rate;
  private final int burst;
  private final Clock clock;
  private final AtomicLong calls = new AtomicLong();

  HostBudget(HttpLimits limits, Clock clock) {
    this.limit = limits.maxCallsPerHost();
    this.wait = limits.hostWait();
    this.rate = limits.hostRate();
    this.burst = limits.hostBurst();
    this.clock = clock;
  }

  Lease acquire(String host, Caller caller) throws HostBusyException, java.io.InterruptedIOException {
    if (calls.incrementAndGet() % 1024 == 0) {
      forgetIdle();
    }
    int[] users = new int[1];
    Host h = hosts.compute(host, (k, v) -> {
      Host entry = v == null ? new Host() : v;
      users[0] = ++entry.users;
      return entry;
    });
    HostTurns.Turn turn = h.turns.take(caller.key(), caller.needBy(), caller.named());
    if (!turn.go()) {
      leave(host);
      throw waits(host, h, turn);
    }
    boolean acquired = false;
    try {
      // at most `limit` callers wait for a share; any more are deferred at once
      acquired = users[0] <= 2 * limit ? h.permits.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS)
          : h.permits.tryAcquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      leave(host);
      throw new java.io.InterruptedIOException("interrupted while waiting for a share of " + host);
    }
    if (!acquired) {
      leave(host);
      throw new HostBusyException(host, limit, HostBusyException.Why.BUSY, busyRetry(), null);
    }
    if (clock.instant().isBefore(h.turns.pausedUntil())) {
      // a call in flight was answered 429 while this one waited for its share: it waits out the pause too
      h.permits.release();
      HostTurns.Turn paused = h.turns.take(caller.key(), caller.needBy(), caller.named());
      leave(host);
      throw waits(host, h, paused);
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        h.permits.release();
        leave(host);
      }
    };
  }

  private HostBusyException waits(String host, Host h, HostTurns.Turn turn) {
    Duration after = Duration.between(clock.instant(), turn.comeBackAt());
    HostBusyException.Why why = switch (turn.cause()) {
      case PAUSED -> HostBusyException.Why.PAUSED;
      case RATE -> HostBusyException.Why.RATE;
      case QUEUED -> HostBusyException.Why.QUEUED;
    };
    return new HostBusyException(host, limit, why, after.compareTo(MIN_RETRY) < 0 ? MIN_RETRY : after,
        why == HostBusyException.Why.PAUSED ? h.turns.pausedUntil() : null);
  }

  /** The provider asked to wait {@code pause}: no connector calls {@code host} before it is over. */
  void pause(String host, Duration pause) {
    Instant until = clock.instant().plus(pause);
    hosts.compute(host, (k, v) -> v == null ? new Host() : v).turns.pause(until);
  }

  /** Hosts with calls in flight or waiting, or state to keep (a pause, bookings, a spent rate). */
  int trackedHosts() {
    forgetIdle();
    return hosts.size();
  }

  private void leave(String host) {
    hosts.computeIfPresent(host, (k, v) -> --v.users == 0 && v.turns.idle() ? null : v);
  }

  private void forgetIdle() {
    for (String host : hosts.keySet()) {
      hosts.computeIfPresent(host, (k, v) -> v.users == 0 && v.turns.idle() ? null : v);
    }
  }

  /** 1 to 3 s, spread so that deferred connectors do not come back together. */
  static Duration busyRetry() {
    return Duration.ofMillis(1000 + ThreadLocalRandom.current().nextLong(2001));
  }
}
