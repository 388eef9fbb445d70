package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.api.v1alpha1.ApiConnector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keyward's own metrics, per connector and per refresh. Labels are the connector's namespace and
 * name, the auth type, a result and a closed set of error classes: never a secret value, never a
 * provider's free text.
 */
final class ConnectorMetrics {
  static final String EXPIRATION = "keyward.credential.expiration.timestamp";
  static final String RENEWAL = "keyward.credential.renewal.timestamp";
  static final String READY = "keyward.connector.ready";
  static final String REFRESH = "keyward.refresh";
  static final String REFRESH_DURATION = "keyward.refresh.duration";
  static final String CACHED_SECRETS = "keyward.secrets.cached";

  private static final Duration[] SLO = java.util.stream.Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
      10000, 30000).map(Duration::ofMillis).toArray(Duration[]::new);
  private final MeterRegistry registry;
  private final Map<ResourceID, Gauges> gauges = new ConcurrentHashMap<>();

  ConnectorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** What the last reconcile saw: readiness, and the expiry and renewal times of the published credential. */
  void observed(ApiConnector connector, boolean ready, Instant expiresAt, Instant renewAt) {
    Gauges g = gauges.computeIfAbsent(ResourceID.fromResource(connector), id -> new Gauges(id));
    g.ready = ready ? 1 : 0;
    g.expiresAt = expiresAt == null ? Double.NaN : expiresAt.toEpochMilli() / 1000.0;
    g.renewAt = renewAt == null ? Double.NaN : renewAt.toEpochMilli() / 1000.0;
    g.register();
  }

  /** An issue put off before anything was sent (the provider's host had its share in flight). */
  static final String ROLLOUTS = "keyward_rollouts_total";
  static final String ROLLOUTS_QUEUED = "keyward_rollouts_queued";
  static final String ROLLOUTS_IN_PROGRESS = "keyward_rollouts_in_progress";

  /** A workload restart written ({@code restarted}) or refused ({@code failed}). */
  void rollout(String result) {
    Counter.builder(ROLLOUTS).description("Workload restarts for a changed credential, by result")
        .tag("result", result).register(registry).increment();
  }

  /** Restarts waiting for a slot, and rollouts holding one. */
  void rolloutQueue(io.keyward.rollout.RolloutSlots slots) {
    Gauge.builder(ROLLOUTS_QUEUED, slots, io.keyward.rollout.RolloutSlots::queued)
        .description("Workload restarts waiting for one of the --max-concurrent-rollouts slots").register(registry);
    Gauge.builder(ROLLOUTS_IN_PROGRESS, slots, io.keyward.rollout.RolloutSlots::inProgress)
        .description("Workload rollouts in progress (holding a slot)").register(registry);
  }

  void deferred(ApiConnector connector, String authType, String errorClass) {
    Counter.builder(REFRESH)
        .description("Credential issues and refreshes, by result and error class")
        .tags("namespace", connector.getMetadata().getNamespace(), "name", connector.getMetadata().getName(),
            "type", authType, "result", "deferred", "reason", errorClass)
        .register(registry)
        .increment();
  }

  /** One issue attempt: the provider call (or the local mint) and the state write. */
  void refreshed(ApiConnector connector, String authType, Duration took, String errorClass) {
    String result = errorClass == null ? "success" : "failure";
    Counter.builder(REFRESH)
        .description("Credential issues and refreshes, by result and error class")
        .tags("namespace", connector.getMetadata().getNamespace(), "name", connector.getMetadata().getName(),
            "type", authType, "result", result, "reason", errorClass == null ? "" : errorClass)
        .register(registry)
        .increment();
    Timer.builder(REFRESH_DURATION)
        .description("Time to issue a credential and write it to the state Secret")
        .tags("type", authType, "result", result)
        // a dozen buckets from a local mint (ms) to a slow provider (30 s), not Micrometer's seventy
        .serviceLevelObjectives(SLO)
        .register(registry)
        .record(took);
  }

  /** How many Secrets the informers keep, owned and referenced (DESIGN §8: not every Secret of the cluster). */
  void secretCaches(SecretWatch.Informers informers) {
    for (String cache : List.of("owned", "referenced")) {
      Gauge.builder(CACHED_SECRETS, informers, i -> i.byNamespace().values().stream()
              .mapToInt(p -> ("owned".equals(cache) ? p.ownedStore() : p.referencedStore()).size()).sum())
          .description("Secrets held in the operator's cache: those connectors own (output, state) and those they reference")
          .tags("cache", cache)
          .register(registry);
    }
  }

  /** Drops every series of a deleted connector. */
  void forget(ResourceID id) {
    Gauges g = gauges.remove(id);
    if (g != null) {
      g.remove();
    }
    List<Meter> counters = new ArrayList<>();
    registry.find(REFRESH).tags("namespace", id.getNamespace().orElse(""), "name", id.getName()).meters()
        .forEach(counters::add);
    counters.forEach(registry::remove);
  }

  private final class Gauges {
    private final Tags tags;
    private volatile double ready;
    private volatile double expiresAt = Double.NaN;
    private volatile double renewAt = Double.NaN;
    private Gauge readyGauge;
    private Gauge expirationGauge;
    private Gauge renewalGauge;

    Gauges(ResourceID id) {
      this.tags = Tags.of("namespace", id.getNamespace().orElse(""), "name", id.getName());
    }

    /** A credential that does not expire has no expiry series rather than a NaN one. */
    synchronized void register() {
      if (readyGauge == null) {
        readyGauge = Gauge.builder(READY, this, g -> g.ready)
            .description("1 when the connector's credential is published and valid, else 0")
            .tags(tags).register(registry);
      }
      expirationGauge = toggle(expirationGauge, !Double.isNaN(expiresAt), () -> Gauge.builder(EXPIRATION, this,
          g -> g.expiresAt).description("When the published credential expires (Unix time)").baseUnit("seconds")
          .tags(tags).register(registry));
      renewalGauge = toggle(renewalGauge, !Double.isNaN(renewAt), () -> Gauge.builder(RENEWAL, this,
          g -> g.renewAt).description("When the published credential will be renewed (Unix time)").baseUnit("seconds")
          .tags(tags).register(registry));
    }

    private Gauge toggle(Gauge current, boolean wanted, java.util.function.Supplier<Gauge> create) {
      if (wanted && current == null) {
        return create.get();
      }
      if (!wanted && current != null) {
        registry.remove(current);
        return null;
      }
      return current;
    }

    synchronized void remove() {
      for (Gauge g : new Gauge[] {readyGauge, expirationGauge, renewalGauge}) {
        if (g != null) {
          registry.remove(g);
        }
      }
    }
  }
}
