package io.keyward.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialIssuers;
import io.keyward.renewal.Backoff;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;

/**
 * The operator as one object: JOSDK configured for Keyward, with the ApiConnector reconciler
 * registered. {@code keyward run} and the tests build it the same way.
 */
public final class KeywardOperator implements AutoCloseable {
  private final Operator operator;
  private final ApiConnectorReconciler reconciler;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  /** Probes answer within half a second; a start that holds JOSDK's lock longer than 10 minutes is stuck. */
  private final RuntimeHealth health;

  public KeywardOperator(KubernetesClient client, CredentialIssuers issuers, OperatorSettings settings) {
    this(client, issuers, settings, null);
  }

  /** @param events where Events go; {@code null} writes them to the API server */
  public KeywardOperator(KubernetesClient client, CredentialIssuers issuers, OperatorSettings settings, Events events) {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    issuers.http().ifPresent(http -> http.observe(new ProviderHostMetrics(registry)));
    this.reconciler = new ApiConnectorReconciler(issuers, settings, events, registry);
    // JOSDK's reconcile metrics without per-resource series (thousands of connectors); a deletion
    // also drops what Keyward keeps per connector
    Metrics metrics = new ForgettingMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry), reconciler::forget);
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(metrics)
          .withConcurrentReconciliationThreads(settings.reconcileThreads())
          .withCloseClientOnStop(false)
          // let an in-flight issuance finish persisting its state before the executor stops
          .withReconciliationTerminationTimeout(Duration.ofSeconds(30))
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false);
      var election = settings.leaderElection();
      if (election != null) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(election.leaseName())
            .withLeaseNamespace(election.leaseNamespace())
            .withIdentity(election.identity())
            .withLeaseDuration(election.leaseDuration())
            .withRenewDeadline(election.renewDeadline())
            .withRetryPeriod(election.retryPeriod())
            .withExitOnStopLeading(election.exitOnStopLeading())
            .build());
      }
    });
    this.health = new RuntimeHealth(() -> {
      var info = operator.getRuntimeInfo();
      boolean started = info.isStarted();
      return new RuntimeHealth.State(started, started && info.allEventSourcesAreHealthy());
    }, Duration.ofMillis(500), Duration.ofMinutes(10), System::nanoTime);
    operator.register(reconciler, overrider -> {
      // a spec change bumps the generation; the refresh annotation does not, so it is let through here
      overrider.withGenerationAware(false);
      // every event reaches reconcile, deletions too: the finalizer is Keyward's to manage, and only connectors of
      // deletionPolicy Revoke carry one (a Cleaner would put one on every connector)
      overrider.withTriggerReconcilerOnAllEvents(true);
      overrider.withOnUpdateFilter(KeywardOperator::worthReconciling);
      overrider.withRetry(retryOfFailedReconciles(settings.backoff()));
      // the cache keeps what Keyward reads, with shared strings; the LIST comes in pages (a real API server's
      // answer is otherwise read, and may be held by an idle connection, whole)
      overrider.withItemStore(new CachedObjects.TrimmedStore<>());
      overrider.withInformerListLimit(SecretWatch.LIST_PAGE);
      if (!settings.namespaces().isEmpty()) {
        overrider.settingNamespaces(settings.namespaces());
      }
      if (settings.connectorSelector() != null) {
        // one shard of several deployments: the ApiConnector informer lists and watches only these, and a
        // connector relabelled out of the selector leaves the cache as if deleted (its series go with it)
        overrider.withLabelSelector(settings.connectorSelector().toString());
      }
    });
  }

  /**
   * How JOSDK retries a reconcile that threw: in practice a status patch the API server refused, since
   * every step of a reconcile catches its own failures. On Keyward's backoff and without a limit: a
   * reconcile whose last retry failed would lose its reschedule, and JOSDK would look at the connector
   * again only after its maximum reconciliation interval (10 hours), its credential expired long before.
   */
  static GenericRetry retryOfFailedReconciles(Backoff backoff) {
    return new GenericRetry()
        .setInitialInterval(backoff.initial().toMillis())
        .setIntervalMultiplier(backoff.factor())
        .setMaxInterval(backoff.max().toMillis())
        .withoutMaxAttempts();
  }

  /** Spec changes and refresh requests; not our own status patches. */
  static boolean worthReconciling(ApiConnector updated, ApiConnector old) {
    return !java.util.Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
        || !updated.refreshRequest().equals(old.refreshRequest())
        || updated.getMetadata().getDeletionTimestamp() != null;
  }

  public void start() {
    operator.start();
  }

  /** Metrics in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Live: every informer is healthy, or the operator is still starting (see {@link RuntimeHealth}). */
  public boolean healthy() {
    return health.live();
  }

  /** Ready: started, with every informer synced and watching (on standby replicas too). */
  public boolean ready() {
    return health.ready();
  }

  /**
   * How often each connector ({@code namespace/name}) was refreshed since this operator started: its
   * successful issues after the first (from {@code keyward_refresh_total}; routine refreshes are no Events).
   */
  public Map<String, Integer> refreshes() {
    Map<String, Integer> counts = new java.util.HashMap<>();
    registry.find(ConnectorMetrics.REFRESH).tag("result", "success").counters().forEach(c -> counts.merge(
        c.getId().getTag("namespace") + "/" + c.getId().getTag("name"), (int) c.count(), Integer::sum));
    counts.replaceAll((connector, issues) -> Math.max(0, issues - 1));
    return counts;
  }

  /** The JWKS a connector with generated keys publishes, for {@code /jwks/<namespace>/<name>}. */
  public java.util.Optional<String> jwks(String namespace, String name) {
    return reconciler.publishedJwks(namespace, name);
  }

  /** JOSDK's metrics, plus: a deleted connector's in-memory state and series are dropped. */
  private record ForgettingMetrics(Metrics delegate, java.util.function.Consumer<ResourceID> forget) implements Metrics {
    @Override
    public void controllerRegistered(io.javaoperatorsdk.operator.processing.Controller<? extends HasMetadata> c) {
      delegate.controllerRegistered(c);
    }

    @Override
    public void receivedEvent(io.javaoperatorsdk.operator.processing.event.Event event, Map<String, Object> metadata) {
      delegate.receivedEvent(event, metadata);
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
      delegate.reconcileCustomResource(resource, retryInfo, metadata);
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
      delegate.failedReconciliation(resource, exception, metadata);
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
      delegate.reconciliationExecutionStarted(resource, metadata);
    }

    @Override
    public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
      delegate.reconciliationExecutionFinished(resource, metadata);
    }

    @Override
    public void cleanupDoneFor(ResourceID id, Map<String, Object> metadata) {
      delegate.cleanupDoneFor(id, metadata);
      forget.accept(id);
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
      delegate.finishedReconciliation(resource, metadata);
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
      return delegate.timeControllerExecution(execution);
    }

    @Override
    public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
      return delegate.monitorSizeOf(map, name);
    }
  }

  /** Stops, after letting any in-flight issuance persist what the provider answered. */
  @Override
  public void close() {
    operator.stop();
    reconciler.drain(Duration.ofSeconds(30));
    health.close();
    gcMetrics.close();
    registry.close();
  }
}
