package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
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
 * from then on its events are kept, since it is wanted.
 */
final class WantedSecrets implements ItemStore<Secret> {
  private final Map<String, Secret> kept = new ConcurrentHashMap<>();
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
      return kept.remove(key); // no longer wanted (a label or an owner changed): dropped
    }
    return kept.put(key, trimmed(secret));
  }

  /** Keeps a Secret read on demand, unless the informer has meanwhile delivered one (which is as new or newer). */
  void keep(Secret secret) {
    kept.putIfAbsent(getKey(secret), trimmed(secret));
  }

  @Override
  public Secret remove(String key) {
    seen.accept(key);
    Secret removed = kept.remove(key);
    // a Secret that was dropped is still in the informer's namespace index: handing back its namespace
    // lets the index forget it (the deletion then reaches no connector, as none wanted it)
    return removed != null ? removed : placeholder(key);
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
