package io.keyward.operator;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Answers the probes at once. JOSDK's runtime information waits for the lock a starting controller
 * holds while its informers sync, which takes seconds with thousands of objects (and again when a
 * standby becomes leader): a probe asking it directly got no answer at all, and the kubelet's
 * one-second timeout would count that as a failed liveness probe and restart a process busy
 * starting. Here the question is asked on a thread of its own; while it has no answer the process
 * counts as live (up to {@link #startLimit}: beyond that, something is stuck) and not ready.
 */
final class RuntimeHealth implements AutoCloseable {
  /** What JOSDK says: whether the operator started, and whether every informer is healthy. */
  record State(boolean started, boolean healthy) {}

  private final Supplier<State> runtime;
  private final Duration wait;
  private final Duration startLimit;
  private final LongSupplier nanoTime;
  private final ExecutorService asker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "keyward-probe");
    t.setDaemon(true);
    return t;
  });
  private Future<State> asking;
  private long askedAt;

  RuntimeHealth(Supplier<State> runtime, Duration wait, Duration startLimit, LongSupplier nanoTime) {
    this.runtime = runtime;
    this.wait = wait;
    this.startLimit = startLimit;
    this.nanoTime = nanoTime;
  }

  /** Live: started with healthy informers, or not started yet, or still waiting for the start's lock. */
  boolean live() {
    return state().map(s -> !s.started() || s.healthy())
        .orElseGet(() -> Duration.ofNanos(nanoTime.getAsLong() - askedAt).compareTo(startLimit) < 0);
  }

  /** Ready: started, with every informer synced and watching. */
  boolean ready() {
    return state().map(s -> s.started() && s.healthy()).orElse(false);
  }

  private synchronized Optional<State> state() {
    if (asking == null) {
      askedAt = nanoTime.getAsLong();
      asking = asker.submit(runtime::get);
    }
    try {
      State s = asking.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      asking = null;
      return Optional.of(s);
    } catch (TimeoutException e) {
      return Optional.empty(); // still asking: the next probe waits for the same answer
    } catch (ExecutionException e) {
      asking = null;
      return Optional.of(new State(true, false));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    asker.shutdownNow();
  }
}
