package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyward.credential.CredentialException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Secrets from the informer caches and writes them, telling the cache about each write so that
 * the next reconcile sees it even before the watch event arrives.
 *
 * <p>The caches keep only what a connector wants ({@link WantedSecrets}); a Secret that existed
 * before any connector wanted it is read once, the first time it is asked for, and kept (not if the
 * informer delivered its deletion while the GET was under way: then it counts as absent). A Secret
 * found absent that way is remembered as absent until the informer next delivers its name, so that
 * a connector waiting for a missing Secret costs no GET per reconcile.
 */
final class Secrets {
  /** Names remembered as absent beyond which the memory starts again (each costs one GET more, once). */
  private static final int ABSENT_LIMIT = 100_000;
  private final KubernetesClient client;
  private final SecretWatch.Informers informers;
  private final Set<String> absent;

  private final boolean connectorsMoveIn;

  /**
   * @param absent the names found absent on demand; forgotten as the informers deliver them
   * @param connectorsMoveIn whether a connector can enter this operator's cache after its Secrets were
   *     written (a shard: a connector relabelled into its selector); without that, a connector's own
   *     Secrets cannot predate its arrival, and a miss in the cache is final
   */
  Secrets(KubernetesClient client, SecretWatch.Informers informers, Set<String> absent, boolean connectorsMoveIn) {
    this.client = client;
    this.informers = informers;
    this.absent = absent;
    this.connectorsMoveIn = connectorsMoveIn;
  }

  /**
   * A connector's own Secret (output or state). Without shards, from the cache alone: every one of them
   * was delivered while its connector was in the cache, so a new connector's first reconcile costs no
   * GET. A foreign Secret of the same name is found when it is written ({@link #write}).
   */
  Optional<Secret> owned(String namespace, String name) {
    if (connectorsMoveIn) {
      return get(namespace, name);
    }
    return cached(informers.of(namespace), new ResourceID(name, namespace));
  }

  /** The names a {@link Secrets} remembers as absent; the informers' stores are told each name they see. */
  static Set<String> absentNames() {
    return ConcurrentHashMap.newKeySet();
  }

  Optional<Secret> get(String namespace, String name) {
    SecretWatch.Pair caches = informers.of(namespace);
    ResourceID id = new ResourceID(name, namespace);
    Optional<Secret> cached = cached(caches, id);
    String key = WantedSecrets.key(namespace, name);
    if (cached.isPresent() || absent.contains(key)) {
      return cached;
    }
    // a deletion delivered by one informer while the other delivered the Secret (a label changed): that one's
    Optional<Secret> read = fetch(caches, namespace, name, s -> true).or(() -> cached(caches, id));
    if (read.isEmpty()) {
      if (absent.size() >= ABSENT_LIMIT) {
        absent.clear();
      }
      absent.add(key);
    }
    return read;
  }

  private static Optional<Secret> cached(SecretWatch.Pair caches, ResourceID id) {
    return caches.owned().get(id).or(() -> caches.referenced().get(id));
  }

  /**
   * GETs a Secret and keeps it in the store of the informer that follows it when {@code keepIf} accepts
   * it. The read is announced to both stores first (a label change moves a Secret from one informer to
   * the other): if an informer delivers the Secret's deletion while the GET is under way, what the GET
   * returned may be the deleted Secret, so it is not kept and counts as absent (unless an informer has
   * delivered the key since: that is returned).
   *
   * @return the Secret, or empty when it does not exist (a 404, or a deletion delivered during the GET)
   */
  private Optional<Secret> fetch(SecretWatch.Pair caches, String namespace, String name,
      java.util.function.Predicate<Secret> keepIf) {
    String key = WantedSecrets.key(namespace, name);
    try (var owned = caches.ownedStore().fetching(key); var referenced = caches.referencedStore().fetching(key)) {
      Secret read = client.secrets().inNamespace(namespace).withName(name).get();
      if (read == null) {
        return Optional.empty();
      }
      boolean ours = read.getMetadata().getLabels() != null
          && Labels.KEYWARD.equals(read.getMetadata().getLabels().get(Labels.MANAGED_BY));
      WantedSecrets.Fetch fetch = ours ? owned : referenced;
      Secret use;
      if (keepIf.test(read)) {
        use = (ours ? caches.ownedStore() : caches.referencedStore()).keep(fetch, read);
      } else {
        use = fetch.deleted() ? null : read;
      }
      return Optional.ofNullable(use);
    }
  }

  /**
   * Creates {@code desired}, or replaces {@code existing} with it under an optimistic-concurrency
   * precondition (its resourceVersion). On a conflict the latest version is read once (the only GET,
   * and only then: our cache was behind, or emptied by a stop) and written over if this connector
   * owns it and {@code mayReplace} accepts it; otherwise the conflict is thrown. An update answered
   * 404 (the Secret was deleted under us, before the watch told the cache) is handled the same way:
   * read again, found absent, and created, rather than failing until the cache hears of the deletion.
   *
   * @throws CredentialException {@code SecretConflict} (terminal) when a Secret of that name exists and
   *     is not this connector's: it is never overwritten
   */
  Secret write(ResourceID primary, Secret desired, Secret existing, java.util.function.Predicate<Secret> mayReplace)
      throws CredentialException {
    try {
      return writeOnce(primary, desired, existing);
    } catch (KubernetesClientException e) {
      // 409: our cache was behind (or emptied by a stop); 404: the Secret was deleted under us (an update of
      // what the cache still holds), so it is read again, found absent, and created
      if (e.getCode() != 409 && !(e.getCode() == 404 && existing != null)) {
        throw e;
      }
      String namespace = desired.getMetadata().getNamespace();
      Secret latest = fetch(informers.of(namespace), namespace, desired.getMetadata().getName(),
          found -> !sameOwner(found, desired)).orElse(null);
      if (latest != null && !sameOwner(latest, desired)) {
        throw CredentialException.terminal("SecretConflict", "Secret " + namespace + "/"
            + desired.getMetadata().getName() + " exists and is not managed by this connector; Keyward will not"
            + " overwrite it");
      }
      if (latest != null && !mayReplace.test(latest)) {
        throw e;
      }
      return writeOnce(primary, desired, latest);
    }
  }

  private static boolean sameOwner(Secret latest, Secret desired) {
    var owners = latest.getMetadata().getOwnerReferences();
    String uid = desired.getMetadata().getOwnerReferences().get(0).getUid();
    return owners != null && owners.stream().anyMatch(o -> uid.equals(o.getUid()));
  }

  private Secret writeOnce(ResourceID primary, Secret desired, Secret existing) {
    var ops = client.secrets().inNamespace(desired.getMetadata().getNamespace());
    InformerEventSource<Secret, ?> informer = informers.of(desired.getMetadata().getNamespace()).owned();
    if (existing == null) {
      desired.getMetadata().setResourceVersion(null);
      Secret created = ops.resource(desired).create();
      informer.handleRecentResourceCreate(primary, created);
      return created;
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    Secret updated = ops.resource(desired).update();
    informer.handleRecentResourceUpdate(primary, updated, existing);
    return updated;
  }
}
