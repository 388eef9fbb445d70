package io.keyward.operator;

import io.keyward.credential.CredentialException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Each namespace gets its own share of the issuance threads: at most {@code limit} issuances in
 * flight at once. The per-host cap keeps one slow provider from holding more than its share, but a
 * tenant names its hosts itself (fifty names, ports or wildcard-DNS entries for one slow server);
 * this cap holds whatever hosts a namespace's connectors name. A connector over its namespace's
 * share is deferred at once, holding no thread, and tried again in 1–3 s. Only namespaces with
 * issuances in flight are remembered.
 */
final class NamespaceShares {
  /** A share; closing it gives it back. */
  interface Share extends AutoCloseable {
    @Override
    void close();
  }

  private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
  private final int limit;

  NamespaceShares(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("at least one issuance per namespace");
    }
    this.limit = limit;
  }

  Share enter(String namespace) throws CredentialException {
    boolean[] admitted = new boolean[1];
    inFlight.compute(namespace, (k, n) -> {
      int current = n == null ? 0 : n;
      admitted[0] = current < limit;
      return admitted[0] ? current + 1 : current == 0 ? null : current;
    });
    if (!admitted[0]) {
      throw CredentialException.deferred("NamespaceBusy", "namespace " + namespace + " already has " + limit
          + " credential requests in flight (--max-issuances-per-namespace); this one waits its turn",
          Duration.ofMillis(1000 + ThreadLocalRandom.current().nextLong(2001))).classified("namespace_busy");
    }
    boolean[] closed = new boolean[1];
    return () -> {
      synchronized (closed) {
        if (closed[0]) {
          return;
        }
        closed[0] = true;
      }
      inFlight.computeIfPresent(namespace, (k, n) -> n <= 1 ? null : n - 1);
    };
  }
}
