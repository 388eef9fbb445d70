package io.keyward.credential.http;

import io.keyward.credential.CredentialException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP client per distinct {@link TlsMaterial}, keyed by a SHA-256 digest of all of it (CA
 * bundle, client certificate, client key), so that two connectors share a client only when they
 * would trust and present exactly the same. Bounded: the least recently used client is evicted and
 * closed (after its calls in flight), so rotating a certificate does not leak clients.
 */
final class TlsClients {
  private final HttpLimits limits;
  private final EgressResolver resolver;
  private final LinkedHashMap<String, Client> clients;

  TlsClients(HttpLimits limits, EgressResolver resolver, int capacity) {
    this.limits = limits;
    this.resolver = resolver;
    this.clients = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Client> eldest) {
        if (size() > capacity) {
          eldest.getValue().retire();
          return true;
        }
        return false;
      }
    };
  }

  /** The client for {@code tls}, with a call already entered: the caller must {@link Client#leave()}. */
  Client enter(TlsMaterial tls) throws CredentialException {
    String key = tls.digest();
    synchronized (clients) {
      Client c = clients.get(key);
      if (c != null && c.enter()) {
        return c;
      }
    }
    // building an SSLContext parses keys: outside the lock
    Client built = new Client(limits, tls.sslContext(), resolver);
    synchronized (clients) {
      Client raced = clients.get(key);
      if (raced != null && raced.enter()) {
        built.close();
        return raced;
      }
      built.enter();
      clients.put(key, built);
      return built;
    }
  }

  /** The client kept for {@code tls}, if any, without touching its recency (for tests). */
  Client peek(TlsMaterial tls) {
    synchronized (clients) {
      return clients.entrySet().stream().filter(e -> e.getKey().equals(tls.digest()))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    }
  }

  int size() {
    synchronized (clients) {
      return clients.size();
    }
  }

  void closeAll() {
    synchronized (clients) {
      clients.values().forEach(Client::retire);
      clients.clear();
    }
  }
}
