package io.keyward.operator;

import io.keyward.renewal.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Operator-wide settings.
 *
 * @param namespaces the namespaces to watch; empty means all
 * @param defaultLifetime lifetime assumed for tokens whose expiry cannot be learned
 * @param backoff how transient failures are retried
 * @param clock the time source for every decision
 * @param leaderElection how replicas elect the one that works; {@code null}: no election
 * @param requireSecretLabel strict mode: connectors may read only Secrets labelled
 *     {@code keyward.io/referenceable=true}
 */
public record OperatorSettings(Set<String> namespaces, Duration defaultLifetime, Backoff backoff, Clock clock,
    LeaderElection leaderElection, boolean requireSecretLabel) {

  /**
   * A Lease that only one replica holds at a time; the others stay passive.
   *
   * @param exitOnStopLeading end the process when leadership is lost (the pod restarts and rejoins)
   */
  public record LeaderElection(String leaseName, String leaseNamespace, String identity, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod, boolean exitOnStopLeading) {}

  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), Duration.ofHours(1), Backoff.defaults(), Clock.systemUTC(), null, false);
  }

  public OperatorSettings withBackoff(Backoff b) {
    return new OperatorSettings(namespaces, defaultLifetime, b, clock, leaderElection, requireSecretLabel);
  }

  public OperatorSettings withNamespaces(Set<String> ns) {
    return new OperatorSettings(ns, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel);
  }

  public OperatorSettings withDefaultLifetime(Duration lifetime) {
    return new OperatorSettings(namespaces, lifetime, backoff, clock, leaderElection, requireSecretLabel);
  }

  public OperatorSettings withClock(Clock c) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, c, leaderElection, requireSecretLabel);
  }

  public OperatorSettings withLeaderElection(LeaderElection election) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, election, requireSecretLabel);
  }

  public OperatorSettings withRequireSecretLabel(boolean require) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, require);
  }
}
