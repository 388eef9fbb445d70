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
   * @param oldestPodStart when its oldest running pod started; {@code null} when none has started
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
    if (w.oldestPodStart() == null || !w.oldestPodStart().isBefore(valueSince)) {
      return new Verdict(Action.NOT_NEEDED, "its pods started after the value was published at " + valueSince, null);
    }
    Instant due = valueSince.plus(debounce);
    if (now.isBefore(due)) {
      return new Verdict(Action.WAIT, "restarted at " + due + " for the value published at " + valueSince
          + ", unless it changes again before", due);
    }
    return new Verdict(Action.RESTART, "its pods started before the value published at " + valueSince, null);
  }

  /**
   * Whether a credential lives too briefly for rollouts unless the connector opts in: restarting
   * the targets at every refresh (every half hour or more often) is rarely wanted.
   */
  public static boolean tooFrequent(Instant issuedAt, Instant expiresAt) {
    return expiresAt != null && Duration.between(issuedAt, expiresAt).compareTo(MIN_LIFETIME) < 0;
  }

  /** Credentials that live shorter than this restart nothing unless {@code allowFrequent}. */
  public static final Duration MIN_LIFETIME = Duration.ofHours(1);
}
