package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
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

  /** The pending credential issued from the same inputs, if it has not expired. */
  Optional<StoredCredential> take(ResourceID id, String fingerprint, Instant now) {
    StoredCredential c = pending.remove(id);
    if (c == null || !c.fingerprint().equals(fingerprint) || c.expiredAt(now)) {
      return Optional.empty();
    }
    return Optional.of(c);
  }

  void clear(ResourceID id) {
    pending.remove(id);
  }
}
