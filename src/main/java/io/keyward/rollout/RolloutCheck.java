package io.keyward.rollout;

import java.time.Duration;
import java.time.Instant;

/**
 * Does one workload need a restart for the value published now (issue #17)? Idempotent by content:
 * the restart writes {@code digest} into the workload's pod template, so a workload that carries it
 * was restarted for this value already, whatever happened since (an operator restart, another
 * replica, a resync). A workload whose pods all started after the value was published read it at
 * start and needs nothing. Otherwise it is restarted once the value has been stable for the
 * debounce: changes within the window give one restart, after the last.
 */
public final class RolloutCheck {
  /** What to do with a workload. */
  public enum Action {
    /** Restart now (patch the pod template). */
    RESTART,
    /** Restart at {@link Verdict#at}, when the debounce has passed. */
    WAIT,
    /** Restarted for this value already. */
    UP_TO_DATE,
    /** Its pods started after the value was published: they read it. */
    NOT_NEEDED
  }

  /**
   * A workload as read.
   *
   * @param restartedFor the digest Keyward last wrote into its pod template for this connector, or {@code null}
   * @param oldestPodStart when the longest-running container of its pods started (a container reads
   *     environment variables when it starts); {@code null} when none is running
   */
  public record Workload(String restartedFor, Instant oldestPodStart) {}

  /** The decision, with a message for status. */
  public record Verdict(Action action, String message, Instant at) {}

  private RolloutCheck() {}

  /**
   * @param digest a digest of the value published now (never the value)
   * @param valueSince when that value was published
   */
  public static Verdict decide(Workload w, String digest, Instant valueSince, Duration debounce, Instant now) {
    if (digest.equals(w.restartedFor())) {
      return new Verdict(Action.UP_TO_DATE, "restarted for the value published at " + valueSince, null);
    }
    if (w.oldestPodStart() == null) {
      return new Verdict(Action.NOT_NEEDED, "no container of it is running: it reads the value published at "
          + valueSince + " when it starts", null);
    }
    if (!w.oldestPodStart().isBefore(valueSince.plus(KUBELET_LAG))) {
      return new Verdict(Action.NOT_NEEDED, "its containers started after the value was published at " + valueSince,
          null);
    }
    Instant due = valueSince.plus(debounce);
    if (now.isBefore(due)) {
      return new Verdict(Action.WAIT, "restarted at " + due + " for the value published at " + valueSince
          + ", unless it changes again before", due);
    }
    return new Verdict(Action.RESTART, "its pods started before the value published at " + valueSince, null);
  }

  /**
   * Whether a credential is refreshed too often for rollouts unless the connector opts in: restarting
   * the targets at every refresh (every 40 minutes for a one-hour token) is rarely wanted.
   *
   * @param renewAt its planned renewal, {@code null} for one that does not expire
   */
  public static boolean tooFrequent(Instant issuedAt, Instant renewAt) {
    return renewAt != null && Duration.between(issuedAt, renewAt).compareTo(MIN_INTERVAL) < 0;
  }

  /**
   * A container that started this soon after the value was published may still have read the old one
   * (the kubelet's view of the Secret lags its write): it counts as older.
   */
  public static final Duration KUBELET_LAG = Duration.ofSeconds(5);

  /** Credentials renewed more often than this restart nothing unless {@code allowFrequent}. */
  public static final Duration MIN_INTERVAL = Duration.ofHours(6);
}
