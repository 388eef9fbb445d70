package io.keyward.operator;

import io.keyward.credential.http.HostBusyException;
import io.keyward.credential.http.HostObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per provider host: requests sent, calls told to wait (and why), and pauses the provider asked
 * for. The only label is {@code host} ({@code scheme://host:port}, never a path or query), and a
 * tenant names hosts itself, so after {@link #MAX_HOSTS} distinct hosts the rest count as
 * {@code other}.
 */
final class ProviderHostMetrics implements HostObserver {
  static final String REQUESTS = "keyward.provider.requests";
  static final String WAITS = "keyward.provider.waits";
  static final String PAUSES = "keyward.provider.pauses";
  static final int MAX_HOSTS = 200;

  private final MeterRegistry registry;
  private final Set<String> hosts = ConcurrentHashMap.newKeySet();

  ProviderHostMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void requested(String host) {
    Counter.builder(REQUESTS).description("Requests Keyward sent to a provider host")
        .tag("host", label(host)).register(registry).increment();
  }

  @Override
  public void waited(String host, HostBusyException.Why why) {
    Counter.builder(WAITS).description("Calls to a provider host told to come back later: busy (its share of calls"
            + " in flight), paused (the provider asked), rate (the host's request rate), queued (sooner-expiring first)")
        .tags("host", label(host), "why", why.name().toLowerCase(Locale.ROOT)).register(registry).increment();
  }

  @Override
  public void paused(String host, Duration pause) {
    Counter.builder(PAUSES).description("Pauses a provider host asked for (429, or 503 with Retry-After)")
        .tag("host", label(host)).register(registry).increment();
  }

  private String label(String host) {
    if (hosts.contains(host)) {
      return host;
    }
    if (hosts.size() < MAX_HOSTS && hosts.add(host)) {
      return host;
    }
    return hosts.contains(host) ? host : "other";
  }
}
