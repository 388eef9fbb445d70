package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connector relabelled from one shard to another is, for a moment, reconciled by both: the new
 * shard sees it appear while the old one may still be in the middle of a refresh (its provider call
 * can take up to the HTTP deadline). Nothing fences that handover as a Lease fences replicas, and the
 * state Secret's resourceVersion precondition only decides which result is kept once both shards
 * have asked the provider, which for a rotating refresh token is one call too many.
 *
 * <p>So a shard that has just picked up a connector whose state Secret already holds a credential
 * with durable state (a rotating refresh token, generated keys), relabelled into its selector or
 * found at start-up, holds a refresh that falls due within the grace of that moment (a requested one
 * too): the old shard's refresh lands in the state Secret first, the held reconcile then decides on
 * it and finds nothing due. The hold ends early enough to leave the kubelet's 2 minutes before the
 * published credential expires, and for a token too short-lived for that, 30 s before its expiry. A
 * connector without a valid published credential (new, or expired) is issued at once: there the
 * hold would cost an outage; so is one with no durable state (client credentials, an API key), for
 * which a second issue spends nothing.
 */
final class ShardHandover {
  private static final Logger LOG = LoggerFactory.getLogger(ShardHandover.class);
  /** The kubelet's sync period, with room: a held credential must outlive the hold by this much. */
  static final Duration KUBELET_MARGIN = Duration.ofMinutes(2);
  /** A held refresh of a short-lived token goes ahead this long before its expiry at the latest. */
  static final Duration MIN_LEFT = Duration.ofSeconds(30);

  private final Duration grace;
  private final Map<ResourceID, Seen> seen = new ConcurrentHashMap<>();

  /**
   * The first reconcile here.
   *
   * @param adopted the state Secret already held a credential then: another shard (or an earlier
   *     process) issued it, and may still be refreshing it; a connector this operator issued first is
   *     never held
   */
  private static final class Seen {
    final Instant at;
    final boolean adopted;
    volatile boolean announced;

    Seen(Instant at, boolean adopted) {
      this.at = at;
      this.adopted = adopted;
    }
  }

  ShardHandover(Duration grace) {
    this.grace = grace == null ? Duration.ZERO : grace;
  }

  /**
   * Notes the first reconcile of {@code connector} by this operator, and whether it found a credential
   * issued before.
   *
   * @param stateRead the state Secret was read (a failed read found nothing, which says nothing: the
   *     first reconcile that reads it counts)
   */
  void reconciling(ApiConnector connector, Optional<Holding> holding, boolean stateRead, Instant now) {
    if (!grace.isZero() && stateRead) {
      seen.computeIfAbsent(ResourceID.fromResource(connector), id -> new Seen(now, holding.isPresent()));
    }
  }

  /**
   * Why a refresh due now waits, if it does.
   *
   * @param holding the credential the state Secret holds
   * @return a deferral with the time left of the grace, or empty to issue now
   */
  Optional<CredentialException> hold(ApiConnector connector, Optional<Holding> holding, Instant now) {
    if (grace.isZero()) {
      return Optional.empty();
    }
    Seen first = seen.get(ResourceID.fromResource(connector));
    if (first == null || !first.adopted) {
      return Optional.empty();
    }
    Optional<Holding> published = holding.filter(Holding::publishable);
    if (published.isEmpty() || published.get().stored().keptWithOutput()) {
      // nothing valid to serve meanwhile, or no state a second issue could spend (client credentials, an
      // API key): issued at once
      return Optional.empty();
    }
    Instant until = first.at.plus(grace);
    Instant expiresAt = published.get().stored().credential().expiresAt();
    if (expiresAt != null && expiresAt.minus(KUBELET_MARGIN).isBefore(until)) {
      // a short-lived token: held for less rather than not at all (a late credential costs pods a minute
      // or so; a refresh token presented twice may cost a re-authorisation), but never past its expiry
      Instant latest = expiresAt.minus(MIN_LEFT);
      until = latest.isBefore(until) ? latest : until;
    }
    if (!now.isBefore(until)) {
      return Optional.empty();
    }
    if (!first.announced) {
      first.announced = true;
      LOG.info("{}/{}: picked up at {}; its refresh waits until {} so that one another shard may have in flight"
          + " lands in the state Secret first", connector.getMetadata().getNamespace(),
          connector.getMetadata().getName(), first.at, until);
    }
    return Optional.of(CredentialException.deferred("ShardHandover", "picked up by this operator at " + first.at
        + "; the refresh waits until " + until + " for one its previous shard may have in flight",
        Duration.between(now, until)).classified("shard_handover"));
  }

  /** Forgets a connector that was deleted or left this shard: if it comes back, it is picked up anew. */
  void forget(ResourceID id) {
    seen.remove(id);
  }
}
