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
 * @param maxIssuancesPerNamespace credential requests in flight at once for the connectors of one
 *     namespace; one tenant's slow providers hold no more than this many issuance threads
 */
public record OperatorSettings(Set<String> namespaces, Duration defaultLifetime, Backoff backoff, Clock clock,
    LeaderElection leaderElection, boolean requireSecretLabel, int maxIssuancesPerNamespace) {
  /** A fifth of the issuance threads: five busy tenants at once still leave room for the rest. */
  public static final int DEFAULT_MAX_ISSUANCES_PER_NAMESPACE = 10;


  /**
   * A Lease that only one replica holds at a time; the others stay passive.
   *
   * @param exitOnStopLeading end the process when leadership is lost (the pod restarts and rejoins)
   */
  public record LeaderElection(String leaseName, String leaseNamespace, String identity, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod, boolean exitOnStopLeading) {}

  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), Duration.ofHours(1), Backoff.defaults(), Clock.systemUTC(), null, false,
        DEFAULT_MAX_ISSUANCES_PER_NAMESPACE);
  }

  public OperatorSettings withBackoff(Backoff b) {
    return new OperatorSettings(namespaces, defaultLifetime, b, clock, leaderElection, requireSecretLabel, maxIssuancesPerNamespace);
  }

  public OperatorSettings withNamespaces(Set<String> ns) {
    return new OperatorSettings(ns, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel, maxIssuancesPerNamespace);
  }

  public OperatorSettings withDefaultLifetime(Duration lifetime) {
    return new OperatorSettings(namespaces, lifetime, backoff, clock, leaderElection, requireSecretLabel, maxIssuancesPerNamespace);
  }

  public OperatorSettings withClock(Clock c) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, c, leaderElection, requireSecretLabel, maxIssuancesPerNamespace);
  }

  public OperatorSettings withLeaderElection(LeaderElection election) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, election, requireSecretLabel, maxIssuancesPerNamespace);
  }

  public OperatorSettings withRequireSecretLabel(boolean require) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, require, maxIssuancesPerNamespace);
  }

  public OperatorSettings withMaxIssuancesPerNamespace(int max) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel, max);
  }
}
