package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.Notice;
import io.keyward.credential.SecretValues;
import io.keyward.operator.FailureTracker.Failure;
import io.keyward.operator.FailureTracker.Step;
import io.keyward.renewal.RefreshChecks;
import io.keyward.renewal.RefreshDecision;
import io.keyward.renewal.RefreshInputs;
import io.keyward.renewal.RenewalPlan;
import io.keyward.renewal.Standing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orchestrates one connector, top to bottom: gather, decide, issue and persist, project, settle the
 * failure record, build status, reschedule. Each step is one call with one typed result; every
 * decision lives in its own class (the refresh checks in {@code renewal}, the status in
 * {@link StatusBuilder}).
 */
@ControllerConfiguration(name = "apiconnector")
public class ApiConnectorReconciler implements Reconciler<ApiConnector> {
  private static final Logger LOG = LoggerFactory.getLogger(ApiConnectorReconciler.class);

  private final CredentialIssuers issuers;
  private final OperatorSettings settings;
  private final FailureTracker failures;
  private final ConnectorMetrics metrics;
  private final Events givenEvents;
  /** What needs the Kubernetes client, built once JOSDK hands it over. */
  private Parts parts;

  private record Parts(SecretInputs inputs, StateStore state, OutputSecret output, JwksConfigMap jwks,
      Issuance issuance, Events events) {}

  /** Whether the output Secret holds the credential, and why not when writing it failed. */
  private record Projection(boolean published, Optional<CredentialException> failure) {
    static final Projection NOTHING = new Projection(false, Optional.empty());
  }

  ApiConnectorReconciler(CredentialIssuers issuers, OperatorSettings settings, Events events,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.metrics = new ConnectorMetrics(registry);
    this.issuers = issuers;
    this.settings = settings;
    this.givenEvents = events;
    this.failures = new FailureTracker(settings.backoff());
  }

  @Override
  public List<EventSource<?, ApiConnector>> prepareEventSources(EventSourceContext<ApiConnector> context) {
    InformerEventSource<Secret, ApiConnector> informer = SecretWatch.create(context);
    var configMaps = JwksConfigMap.informer(context);
    Secrets secrets = new Secrets(context.getClient(), informer);
    StateStore state = new StateStore(secrets);
    Events events = givenEvents != null ? givenEvents : new KubernetesEvents(context.getClient(), settings.clock());
    parts = new Parts(new SecretInputs(secrets::get, new SecretReferencePolicy(settings.requireSecretLabel())), state,
        new OutputSecret(secrets), new JwksConfigMap(context.getClient(), configMaps),
        new Issuance(issuers, new StateWriter(state), events, settings.clock(), metrics,
            settings.maxIssuancesPerNamespace()), events);
    return List.of(informer, configMaps);
  }

  @Override
  public UpdateControl<ApiConnector> reconcile(ApiConnector connector, Context<ApiConnector> context) {
    Instant now = settings.clock().instant();
    ResourceID id = ResourceID.fromResource(connector);
    Gathered gathered = gather(connector);
    Optional<Failure> before = failures.get(id);
    Attempt attempt = decideAndIssue(connector, gathered, before, now);
    Optional<Holding> holding = attempt.issued().or(gathered::holding);
    Projection projection = project(connector, gathered.spec(), holding); // also after a failure: the last good stays
    Optional<Failure> failure = settleFailure(connector, gathered, before, attempt, projection, now);
    Optional<Holding> publishable = holding.filter(h -> h.stored().publishable());
    Optional<Instant> nextCheck = RefreshChecks.nextCheck(
        new Standing(publishable.map(Holding::held), failure.map(Failure::last)), now);
    ApiConnectorStatus status = StatusBuilder.build(connector.getStatus(), StatusBuilder.Observation.of(
        generation(connector), gathered.spec(), holding, projection.published(), failure,
        handledRequest(holding, failure), attempt.deferral().map(e -> new Notice(e.reason(), e.getMessage())),
        nextCheck), now);
    metrics.observed(connector, status.condition(StatusBuilder.READY).map(c -> "True".equals(c.status)).orElse(false),
        publishable.map(h -> h.stored().credential().expiresAt()).orElse(null),
        publishable.flatMap(Holding::plan).map(RenewalPlan::renewAt).orElse(null));
    UpdateControl<ApiConnector> control = statusUpdate(connector, status);
    // a deferred issue is tried again soon; otherwise the connector is looked at when the next check is due
    attempt.deferral().map(e -> e.retryAfter().orElse(DEFERRAL_RETRY))
        .or(() -> nextCheck.map(at -> RefreshChecks.delayUntil(at, now)))
        .ifPresent(control::rescheduleAfter);
    return control;
  }

  /** When a deferral names no time of its own. */
  static final Duration DEFERRAL_RETRY = Duration.ofSeconds(2);

  /**
   * Reads the spec, the state Secret and the referenced Secrets, once. A credential issued earlier but
   * not yet written goes to the state Secret first, refresh due or not (DESIGN §3.3).
   */
  private Gathered gather(ApiConnector connector) {
    Optional<ConnectorSettings> spec = Optional.empty();
    Optional<StoredCredential> stored = Optional.empty();
    boolean flushed = false;
    try {
      spec = Optional.of(ConnectorSettings.of(connector, settings.defaultLifetime()));
      stored = parts.state().load(connector, spec.get().stateSecretName());
      Optional<StoredCredential> written = parts.issuance().writePending(connector, spec.get(), stored);
      if (written.isPresent()) {
        stored = written;
        flushed = true;
        failures.clear(ResourceID.fromResource(connector)); // the failed state write is done
      }
      var values = parts.inputs().resolve(connector, spec.get().auth());
      var inputs = new Gathered.Inputs(SecretValues.of(values),
          Fingerprint.of(spec.get().auth(), values, spec.get().defaultLifetime(), spec.get().validation()));
      return gathered(connector, spec, stored, Optional.of(inputs), flushed, Optional.empty());
    } catch (CredentialException e) {
      return gathered(connector, spec, stored, Optional.empty(), flushed, Optional.of(e));
    } catch (RuntimeException e) {
      return gathered(connector, spec, stored, Optional.empty(), flushed,
          Optional.of(InternalErrors.classify(e, connector)));
    }
  }

  private static Gathered gathered(ApiConnector connector, Optional<ConnectorSettings> spec,
      Optional<StoredCredential> stored, Optional<Gathered.Inputs> inputs, boolean flushed,
      Optional<CredentialException> problem) {
    Optional<Holding> holding = stored.map(s -> Holding.of(connector, spec.orElseThrow(), s));
    return new Gathered(spec, holding, inputs, connector.refreshRequest(), flushed, problem);
  }

  /** Runs the refresh checks on what was gathered and, when a refresh is due, issues and persists. */
  private Attempt decideAndIssue(ApiConnector connector, Gathered g, Optional<Failure> before, Instant now) {
    if (g.inputs().isEmpty()) {
      return Attempt.notGathered(g.problem().orElseThrow());
    }
    Gathered.Inputs inputs = g.inputs().get();
    Optional<String> handled = handledRequest(g.holding(), before);
    Standing standing = new Standing(g.holding().filter(h -> h.stored().publishable()).map(Holding::held),
        before.map(Failure::last));
    RefreshDecision decision = RefreshChecks.decide(new RefreshInputs(standing, inputs.fingerprint(),
        g.refreshRequest().filter(r -> !handled.equals(Optional.of(r))).isPresent(), now));
    return decision.due()
        ? parts.issuance().issue(connector, g.spec().orElseThrow(), inputs, g.holding(), decision, g.refreshRequest())
        : Attempt.notDue(decision);
  }

  /** Writes the published keys (before any token that needs them), then the output Secret, from state. */
  private Projection project(ApiConnector connector, Optional<ConnectorSettings> spec, Optional<Holding> holding) {
    Optional<StoredCredential> stored = holding.map(Holding::stored).filter(StoredCredential::publishable);
    if (stored.isEmpty()) {
      return Projection.NOTHING;
    }
    String secretName = spec.orElseThrow().outputSecretName();
    try {
      if (stored.get().credential().publication() != null) {
        parts.jwks().publish(connector, stored.get().credential().publication());
      }
      parts.output().project(connector, secretName, stored.get().credential());
      return new Projection(true, Optional.empty());
    } catch (KubernetesClientException e) {
      return new Projection(false, Optional.of(CredentialException.transientFailure("OutputWriteFailed",
          "could not write Secret " + secretName + " (HTTP " + e.getCode() + ")", null)));
    } catch (CredentialException e) {
      return new Projection(false, Optional.of(e));
    } catch (RuntimeException e) {
      return new Projection(false, Optional.of(InternalErrors.classify(e, connector)));
    }
  }

  /**
   * The failure record after this reconcile: what failed now (the first step that failed counts; a
   * later one is only logged), else the earlier failure while it still stands (a deferral settles
   * nothing), else none.
   */
  private Optional<Failure> settleFailure(ApiConnector connector, Gathered g, Optional<Failure> before,
      Attempt attempt, Projection projection, Instant now) {
    Optional<Failure> failed = attempt.failure()
        .map(e -> record(connector, e, attempt.decision().isPresent() ? Step.ISSUE : Step.GATHER, g, now));
    if (failed.isEmpty()) {
      failed = projection.failure().map(e -> record(connector, e, Step.PROJECT, g, now));
    } else {
      projection.failure().ifPresent(e -> log(connector, e));
    }
    String fingerprint = g.fingerprint().orElse(null);
    Optional<Failure> after = failed.isPresent() ? failed
        : attempt.deferral().isPresent() ? before.filter(f -> Objects.equals(f.fingerprint(), fingerprint))
        : attempt.issued().isPresent() ? Optional.empty()
        : before.filter(f -> f.standsAt(fingerprint, now));
    if (after.isEmpty()) {
      failures.clear(ResourceID.fromResource(connector));
    }
    return after;
  }

  private Failure record(ApiConnector connector, CredentialException e, Step step, Gathered g, Instant now) {
    ResourceID id = ResourceID.fromResource(connector);
    String previousReason = failures.get(id).map(Failure::reason).orElse(null);
    Failure failure = failures.record(id, e, step, g.fingerprint().orElse(null), g.refreshRequest().orElse(null),
        now, Holding.jitterSeed(connector, now));
    if (!e.reason().equals(previousReason)) {
      parts.events().warning(connector, e.reason(), e.getMessage());
    }
    log(connector, e);
    return failure;
  }

  private static void log(ApiConnector connector, CredentialException e) {
    LOG.warn("{}/{}: {}: {}{}", connector.getMetadata().getNamespace(), connector.getMetadata().getName(),
        e.reason(), e.getMessage(), e.isTerminal() ? " (waiting for a change)" : " (will retry)");
  }

  /**
   * The refresh request already acted on: by the attempt that failed since the last success (kept
   * with the failure), else by the issue of the credential held (kept in the state Secret).
   */
  private static Optional<String> handledRequest(Optional<Holding> holding, Optional<Failure> failure) {
    return failure.map(Failure::refreshRequest)
        .or(() -> holding.map(h -> h.stored().refreshRequest()));
  }

  private static UpdateControl<ApiConnector> statusUpdate(ApiConnector connector, ApiConnectorStatus status) {
    var mapper = Serialization.jsonMapper();
    if (connector.getStatus() != null && mapper.valueToTree(connector.getStatus()).equals(mapper.valueToTree(status))) {
      return UpdateControl.noUpdate();
    }
    connector.setStatus(status);
    return UpdateControl.patchStatus(connector);
  }

  private static long generation(ApiConnector c) {
    return c.getMetadata().getGeneration() == null ? 0 : c.getMetadata().getGeneration();
  }

  /** Forgets what is kept in memory for a connector that was deleted. */
  void forget(ResourceID id) {
    failures.clear(id);
    if (parts != null) {
      parts.issuance().forget(id);
    }
    metrics.forget(id);
  }

  /** The published JWKS of a connector with generated keys, from the cache. */
  Optional<String> publishedJwks(String namespace, String name) {
    return parts == null ? Optional.empty() : parts.jwks().published(namespace, name);
  }

  /** Waits for in-flight issuances to persist their results; called when the operator stops. */
  void drain(Duration timeout) {
    if (parts != null) {
      parts.issuance().drain(timeout);
    }
  }
}
