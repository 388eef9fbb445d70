package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials a provider issued that could not be persisted yet. The next attempt persists these
 * instead of calling the provider again (DESIGN §3: a rotated credential is never dropped and never
 * replaced by a second provider call).
 */
final class PendingCredentials {
  private final Map<ResourceID, StoredCredential> pending = new ConcurrentHashMap<>();

  void keep(ResourceID id, StoredCredential credential) {
    pending.put(id, credential);
  }

  /**
   * The pending credential, whatever its inputs or expiry: it may carry a rotated refresh token,
   * the only one the provider still accepts.
   */
  Optional<StoredCredential> take(ResourceID id) {
    return Optional.ofNullable(pending.remove(id));
  }

  boolean has(ResourceID id) {
    return pending.containsKey(id);
  }

  void clear(ResourceID id) {
    pending.remove(id);
  }
}
