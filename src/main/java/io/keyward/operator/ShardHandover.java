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
 * (relabelled into its selector, or found at start-up) holds a refresh that falls due within the
 * grace of that moment (a requested one too), while the published credential stays valid until the grace ends plus the
 * kubelet's 2 minutes: the old shard's refresh lands in the state Secret first, the held reconcile
 * then decides on it and finds nothing due. A connector without a published credential (new, or
 * expired) is issued at once: there the hold would cost an outage to avoid a possible double issue.
 */
final class ShardHandover {
  private static final Logger LOG = LoggerFactory.getLogger(ShardHandover.class);
  /** The kubelet's sync period, with room: a held credential must outlive the hold by this much. */
  static final Duration KUBELET_MARGIN = Duration.ofMinutes(2);

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

  /** Notes the first reconcile of {@code connector} by this operator, and whether it found a credential issued before. */
  void reconciling(ApiConnector connector, Optional<Holding> holding, Instant now) {
    if (!grace.isZero()) {
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
    Instant until = first.at.plus(grace);
    Optional<Holding> published = holding.filter(Holding::publishable);
    if (!now.isBefore(until) || published.isEmpty()) {
      return Optional.empty();
    }
    Instant expiresAt = published.get().stored().credential().expiresAt();
    if (expiresAt != null && expiresAt.isBefore(until.plus(KUBELET_MARGIN))) {
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
