package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An informer's store that keeps only the Secrets a connector of this operator wants (DESIGN §8:
 * memory must not grow with every Secret of the cluster). The informer still sees every Secret its
 * selector matches; one no connector owns or references is dropped as it arrives. Its key stays in
 * the informer's namespace index until the Secret is deleted (about a hundred bytes): what an
 * unrelated Secret costs.
 *
 * <p>A Secret that arrived before a connector wanted it (a connector created after it, or moved in
 * from another shard) is not here: {@link Secrets#get} reads it once and {@link #keep keeps} it;
 * from then on its events are kept, since it is wanted. Such a read is announced first
 * ({@link #fetching}): a deletion the informer delivers while the GET is under way means that what
 * the GET returns may be the deleted Secret, and it is then not kept (it would stay cached until the
 * informer relists, and the connector would go on using a Secret that no longer exists).
 */
final class WantedSecrets implements ItemStore<Secret> {
  private final Map<String, Secret> kept = new ConcurrentHashMap<>();
  /**
   * The reads on demand under way, by key, each with what the informer delivered for its key meanwhile.
   * Only reads in flight are here (one per reconcile thread at most), whatever the number of Secrets;
   * its lock on a key also orders the informer's events for that key against {@link #keep}.
   */
  private final Map<String, List<Fetch>> fetching = new ConcurrentHashMap<>();
  private final Predicate<Secret> wanted;
  private final Consumer<String> seen;

  /**
   * @param wanted whether a connector in the cache owns or references the Secret
   * @param seen told the key of every Secret the informer delivers, kept or not
   */
  WantedSecrets(Predicate<Secret> wanted, Consumer<String> seen) {
    this.wanted = wanted;
    this.seen = seen;
  }

  static String key(String namespace, String name) {
    return Cache.namespaceKeyFunc(namespace, name);
  }

  @Override
  public String getKey(Secret secret) {
    return Cache.metaNamespaceKeyFunc(secret);
  }

  @Override
  public Secret put(String key, Secret secret) {
    seen.accept(key);
    if (!wanted.test(secret)) {
      // no longer wanted (a label or an owner changed): dropped, and not kept by a read under way either
      return deliver(key, null, Delivered.DROPPED);
    }
    return deliver(key, trimmed(secret), Delivered.KEPT);
  }

  /** What the informer delivered for a key while it was being read on demand. */
  enum Delivered { NOTHING, KEPT, DROPPED, DELETED }

  /** A read on demand of one key, from {@link #fetching} until {@link #close}. */
  final class Fetch implements AutoCloseable {
    private final String key;
    /** The informer's last word on the key since the read began; guarded by {@link #fetching}'s lock on it. */
    private Delivered delivered = Delivered.NOTHING;

    private Fetch(String key) {
      this.key = key;
    }

    /** Whether the informer delivered the key's deletion since the read began (and nothing of it since). */
    boolean deleted() {
      Delivered[] d = new Delivered[1];
      fetching.compute(key, (k, fs) -> {
        d[0] = delivered;
        return fs;
      });
      return d[0] == Delivered.DELETED;
    }

    @Override
    public void close() {
      fetching.computeIfPresent(key, (k, fs) -> {
        fs.remove(this);
        return fs.isEmpty() ? null : fs;
      });
    }
  }

  /**
   * Announces a read on demand of {@code key}, before its GET is sent; {@link Fetch#close close} it
   * when done, whatever the outcome.
   */
  Fetch fetching(String key) {
    Fetch fetch = new Fetch(key);
    fetching.compute(key, (k, fs) -> {
      List<Fetch> list = fs == null ? new ArrayList<>(1) : fs;
      list.add(fetch);
      return list;
    });
    return fetch;
  }

  /**
   * Keeps a Secret read on demand, unless the informer has meanwhile delivered one of that key (kept,
   * dropped or deleted).
   *
   * @return what the connector should use: the Secret the informer delivered meanwhile, else the one
   *     read; {@code null} when the informer delivered its deletion since the read began (what was read
   *     may be the deleted Secret). A Secret dropped as unwanted meanwhile is returned, not kept.
   */
  Secret keep(Fetch fetch, Secret read) {
    Secret[] use = new Secret[1];
    fetching.compute(fetch.key, (k, fs) -> {
      Secret delivered = kept.get(k);
      if (delivered != null) {
        use[0] = delivered; // the informer's, which is in the cache anyway
      } else if (fetch.delivered == Delivered.DELETED) {
        use[0] = null;
      } else {
        use[0] = trimmed(read);
        if (fetch.delivered == Delivered.NOTHING) {
          kept.put(k, use[0]);
        }
      }
      return fs;
    });
    return use[0];
  }

  @Override
  public Secret remove(String key) {
    seen.accept(key);
    Secret removed = deliver(key, null, Delivered.DELETED);
    // a Secret that was dropped is still in the informer's namespace index: handing back its namespace
    // lets the index forget it (the deletion then reaches no connector, as none wanted it)
    return removed != null ? removed : placeholder(key);
  }

  /**
   * Keeps ({@code secret}) or drops ({@code null}) what the informer delivered for a key, and tells the
   * reads of it under way, under the key's lock: none keeps a Secret after its deletion was delivered.
   *
   * @return what was kept before
   */
  private Secret deliver(String key, Secret secret, Delivered what) {
    Secret[] before = new Secret[1];
    fetching.compute(key, (k, fs) -> {
      if (fs != null) {
        fs.forEach(f -> f.delivered = what);
      }
      before[0] = secret == null ? kept.remove(k) : kept.put(k, secret);
      return fs;
    });
    return before[0];
  }

  /** How many keys are being read on demand now (for tests: it must not grow with the Secrets seen). */
  int keysBeingFetched() {
    return fetching.size();
  }

  private static Secret placeholder(String key) {
    int slash = key.indexOf('/');
    return new SecretBuilder().withNewMetadata()
        .withNamespace(slash < 0 ? null : key.substring(0, slash))
        .withName(key.substring(slash + 1))
        .endMetadata().build();
  }

  /** What Keyward keeps of a Secret (see {@link CachedObjects}). */
  private static Secret trimmed(Secret secret) {
    return CachedObjects.trim(secret);
  }

  @Override
  public Stream<String> keySet() {
    return kept.keySet().stream();
  }

  @Override
  public Stream<Secret> values() {
    return kept.values().stream();
  }

  @Override
  public int size() {
    return kept.size();
  }

  @Override
  public Secret get(String key) {
    return kept.get(key);
  }
}
