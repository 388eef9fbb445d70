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
 */
public record OperatorSettings(Set<String> namespaces, Duration defaultLifetime, Backoff backoff, Clock clock) {
  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), Duration.ofHours(1), Backoff.defaults(), Clock.systemUTC());
  }

  public OperatorSettings withBackoff(Backoff b) {
    return new OperatorSettings(namespaces, defaultLifetime, b, clock);
  }

  public OperatorSettings withNamespaces(Set<String> ns) {
    return new OperatorSettings(ns, defaultLifetime, backoff, clock);
  }
}
