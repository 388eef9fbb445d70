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
 * @param connectorSelector the label selector of the connectors this operator reconciles (its shard);
 *     {@code null}: every connector of the watched namespaces
 * @param handoverGrace how long a refresh that falls due right after this operator picked a connector
 *     up waits, so that one its previous shard had in flight lands in the state Secret first (see
 *     {@link ShardHandover}); zero: never waits
 * @param reconcileThreads connectors reconciled at once (JOSDK's reconcile threads), and as many
 *     issuance threads: each reconcile waits for at most one issuance
 * @param maxConcurrentRollouts workload rollouts in progress at once, over all connectors (spec.rollout)
 */
public record OperatorSettings(Set<String> namespaces, Duration defaultLifetime, Backoff backoff, Clock clock,
    LeaderElection leaderElection, boolean requireSecretLabel, int maxIssuancesPerNamespace,
    ConnectorSelector connectorSelector, Duration handoverGrace, int reconcileThreads, int maxConcurrentRollouts,
    Duration revocationTimeout) {
  /** How long a connector of deletionPolicy Revoke waits for its provider before it is deleted unrevoked. */
  public static final Duration DEFAULT_REVOCATION_TIMEOUT = Duration.ofMinutes(5);
  /** A fifth of the issuance threads: five busy tenants at once still leave room for the rest. */
  public static final int DEFAULT_MAX_ISSUANCES_PER_NAMESPACE = 10;
  /** JOSDK's default; see docs/benchmarks.md for what more or fewer change. */
  public static final int DEFAULT_RECONCILE_THREADS = 50;
  public static final int DEFAULT_MAX_CONCURRENT_ROLLOUTS = 5;


  /**
   * A Lease that only one replica holds at a time; the others stay passive.
   *
   * @param exitOnStopLeading end the process when leadership is lost (the pod restarts and rejoins)
   */
  public record LeaderElection(String leaseName, String leaseNamespace, String identity, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod, boolean exitOnStopLeading) {}

  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), Duration.ofHours(1), Backoff.defaults(), Clock.systemUTC(), null, false,
        DEFAULT_MAX_ISSUANCES_PER_NAMESPACE, null, Duration.ZERO, DEFAULT_RECONCILE_THREADS,
        DEFAULT_MAX_CONCURRENT_ROLLOUTS, DEFAULT_REVOCATION_TIMEOUT);
  }

  public OperatorSettings withBackoff(Backoff b) {
    return new OperatorSettings(namespaces, defaultLifetime, b, clock, leaderElection, requireSecretLabel, maxIssuancesPerNamespace,
        connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withNamespaces(Set<String> ns) {
    return new OperatorSettings(ns, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel, maxIssuancesPerNamespace,
        connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withDefaultLifetime(Duration lifetime) {
    return new OperatorSettings(namespaces, lifetime, backoff, clock, leaderElection, requireSecretLabel, maxIssuancesPerNamespace,
        connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withClock(Clock c) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, c, leaderElection, requireSecretLabel, maxIssuancesPerNamespace,
        connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withLeaderElection(LeaderElection election) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, election, requireSecretLabel, maxIssuancesPerNamespace,
        connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withRequireSecretLabel(boolean require) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, require, maxIssuancesPerNamespace,
        connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withMaxIssuancesPerNamespace(int max) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel, max,
        connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  /**
   * Reconciles only the connectors whose labels match {@code selector} (one shard of several
   * deployments), holding a refresh that falls due within {@code grace} of picking a connector up.
   */
  public OperatorSettings withConnectorSelector(ConnectorSelector selector, Duration grace) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel,
        maxIssuancesPerNamespace, selector, grace, reconcileThreads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withReconcileThreads(int threads) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel,
        maxIssuancesPerNamespace, connectorSelector, handoverGrace, threads, maxConcurrentRollouts, revocationTimeout);
  }

  public OperatorSettings withMaxConcurrentRollouts(int max) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel,
        maxIssuancesPerNamespace, connectorSelector, handoverGrace, reconcileThreads, max, revocationTimeout);
  }

  public OperatorSettings withRevocationTimeout(Duration timeout) {
    return new OperatorSettings(namespaces, defaultLifetime, backoff, clock, leaderElection, requireSecretLabel,
        maxIssuancesPerNamespace, connectorSelector, handoverGrace, reconcileThreads, maxConcurrentRollouts, timeout);
  }
}
