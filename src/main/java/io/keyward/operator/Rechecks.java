package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.IssueContext;
import io.keyward.renewal.RefreshDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The published credential asked about again at the provider, every so often, where its issuer says
 * so (token introspection with {@code spec.auth.oauth2.introspection.interval}): a token the provider
 * no longer honours (revoked there) is refreshed at once, with a {@code TokenInactive} warning, rather
 * than served until it expires. When each connector is next asked is kept in memory: after a restart,
 * one interval after the credential's issue, or at once.
 */
final class Rechecks {
  private static final Logger LOG = LoggerFactory.getLogger(Rechecks.class);
  private final CredentialIssuers issuers;
  private final Events events;
  private final Clock clock;
  private final Map<ResourceID, Instant> next = new ConcurrentHashMap<>();

  Rechecks(CredentialIssuers issuers, Events events, Clock clock) {
    this.issuers = issuers;
    this.events = events;
    this.clock = clock;
  }

  /** When {@code held} is next asked about, if its issuer asks at all. */
  Optional<Instant> nextAt(ApiConnector connector, ConnectorSettings spec, Holding held) {
    try {
      Optional<Duration> every = issuers.recheckEvery(spec.auth());
      return every.map(e -> next.getOrDefault(ResourceID.fromResource(connector),
          held.stored().credential().issuedAt().plus(e)));
    } catch (CredentialException e) {
      return Optional.empty(); // the issue itself names the bad field
    }
  }

  /**
   * Asks about {@code held} when its time has come: a refresh decision when the provider no longer
   * honours it; empty when it does, when it is not time yet, or when the provider could not be asked
   * (then again one interval later; the credential stays published).
   */
  Optional<RefreshDecision> check(ApiConnector connector, ConnectorSettings spec, Gathered.Inputs inputs, Holding held) {
    Instant now = clock.instant();
    Optional<Instant> at = nextAt(connector, spec, held);
    if (at.isEmpty() || now.isBefore(at.get())) {
      return Optional.empty();
    }
    ResourceID id = ResourceID.fromResource(connector);
    Duration every = Duration.ofMinutes(1);
    try {
      every = issuers.recheckEvery(spec.auth()).orElseThrow();
      boolean active = issuers.stillActive(spec.auth(), new IssueContext(inputs.values(), clock, spec.defaultLifetime(),
          held.stored().credential().state()), held.stored().credential());
      next.put(id, now.plus(every));
      if (active) {
        return Optional.empty();
      }
    } catch (CredentialException e) {
      LOG.info("{}/{}: could not introspect the published token ({}: {}); asked again later",
          connector.getMetadata().getNamespace(), connector.getMetadata().getName(), e.reason(), e.getMessage());
      // a transient failure is asked again within a minute; a refusal (the client may not introspect) only
      // every ten minutes, as it waits for a person to fix it
      Duration again = e.isTerminal() ? (every.compareTo(Duration.ofMinutes(10)) > 0 ? every : Duration.ofMinutes(10))
          : every.compareTo(Duration.ofMinutes(1)) < 0 ? every : Duration.ofMinutes(1);
      next.put(id, now.plus(again));
      return Optional.empty();
    }
    events.warning(connector, "TokenInactive", "The introspection endpoint says the published access token is no"
        + " longer active (revoked at the provider?); a new one is requested now");
    return Optional.of(RefreshDecision.due("TokenInactive",
        "The introspection endpoint said the published access token was no longer active"));
  }

  /** A new credential was issued: it is next asked about one interval after its issue. */
  void issued(ApiConnector connector) {
    next.remove(ResourceID.fromResource(connector));
  }

  void forget(ResourceID id) {
    next.remove(id);
  }
}
