package io.keyward.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global cap on rollouts in progress at once ({@code --max-concurrent-rollouts}): a mass rotation
 * cannot restart half the cluster at once. A workload takes a slot when its restart is written and
 * keeps it until its rollout completes ({@link #release}) or for {@link #MAX_HOLD} at most; the
 * others wait in the order they first asked. A waiter that stops asking (its connector was deleted,
 * or no longer needs the restart) loses its place after {@link #FORGET_WAITER}.
 */
public final class RolloutSlots {
  /** A rollout that neither completes nor fails visibly stops holding its slot after this long. */
  public static final Duration MAX_HOLD = Duration.ofMinutes(10);
  /** Waiters ask again every few seconds; one silent for this long is gone. */
  public static final Duration FORGET_WAITER = Duration.ofSeconds(30);

  private final int max;
  private final Map<String, Holder> inFlight = new HashMap<>();

  private record Holder(String owner, Instant at) {}
  /** Waiters in the order they first asked, with when they last asked. */
  private final LinkedHashMap<String, Instant> waiting = new LinkedHashMap<>();

  public RolloutSlots(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one rollout at a time");
    }
    this.max = max;
  }

  /**
   * Takes a slot for {@code workload} if one is free and no earlier waiter is ahead of it; otherwise
   * queues it (keeping its place).
   */
  public synchronized boolean tryAcquire(String workload, String owner, Instant now) {
    expire(now);
    Holder holder = inFlight.get(workload);
    if (holder != null) {
      // rolling for another connector: this one waits for that rollout, after which the workload's new pods
      // have read its value too and it needs no restart of its own
      return holder.owner().equals(owner);
    }
    String key = workload + " " + owner;
    waiting.put(key, now); // an existing waiter keeps its place
    int ahead = 0;
    for (String w : waiting.keySet()) {
      if (w.equals(key)) {
        break;
      }
      ahead++;
    }
    if (inFlight.size() + ahead < max) {
      waiting.remove(key);
      inFlight.put(workload, new Holder(owner, now));
      return true;
    }
    return false;
  }

  /** The rollout of {@code workload} completed (or its restart could not be written): its slot is free. */
  public synchronized void release(String workload) {
    inFlight.remove(workload);
  }

  /** {@code owner}'s restart of {@code workload} is not needed any more: it leaves the queue. */
  public synchronized void withdraw(String workload, String owner) {
    waiting.remove(workload + " " + owner);
  }

  /** The restarts {@code owner} (a deleted connector) waits for leave the queue; one in progress keeps its slot until it completes. */
  public synchronized void forget(String owner) {
    waiting.keySet().removeIf(k -> k.endsWith(" " + owner));
  }

  /** The workloads holding a slot now. */
  public synchronized List<String> inFlight(Instant now) {
    expire(now);
    return new ArrayList<>(inFlight.keySet());
  }

  public synchronized int queued() {
    return waiting.size();
  }

  public synchronized int inProgress() {
    return inFlight.size();
  }

  private void expire(Instant now) {
    inFlight.values().removeIf(h -> !now.isBefore(h.at().plus(MAX_HOLD)));
    for (Iterator<Instant> it = waiting.values().iterator(); it.hasNext();) {
      if (!now.isBefore(it.next().plus(FORGET_WAITER))) {
        it.remove();
      }
    }
  }
}
