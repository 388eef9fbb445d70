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
import io.keyward.operator.FailureTracker.Failure;
import io.keyward.renewal.RefreshChecks;
import io.keyward.renewal.RefreshDecision;
import io.keyward.renewal.RefreshInputs;
import io.keyward.renewal.RenewalPlan;
import io.keyward.renewal.Standing;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Orchestrates one connector, top to bottom: gather, decide, issue and persist, project, settle the
 * failure record, build status, reschedule. Each step is one call with one typed result; every
 * decision lives in its own class (the refresh checks in {@code renewal}, the status in
 * {@link StatusBuilder}).
 */
@ControllerConfiguration(name = "apiconnector")
public class ApiConnectorReconciler implements Reconciler<ApiConnector> {
  /** When a deferral names no time of its own. */
  static final Duration DEFERRAL_RETRY = Duration.ofSeconds(2);

  private final CredentialIssuers issuers;
  private final OperatorSettings settings;
  private final ConnectorMetrics metrics;
  private final Events givenEvents;
  /** Holds a refresh due right after this operator picked a connector up from another shard. */
  private final ShardHandover handover;
  /**
   * When this operator began reconciling (its first reconcile, after it took the lead): renewals
   * found overdue then are spread over the catch-up window rather than all asked at once.
   */
  private final java.util.concurrent.atomic.AtomicReference<Instant> since = new java.util.concurrent.atomic.AtomicReference<>();
  /** What needs the Kubernetes client, built once JOSDK hands it over. */
  private Parts parts;

  private record Parts(Gatherer gatherer, Issuance issuance, OutputSecret output, JwksConfigMap jwks,
      FailureTracker failures, Rollouts rollouts, Revocation revocation, Rechecks rechecks) {}

  /** Whether the output Secret holds the credential, and why not when writing it failed. */
  private record Projection(boolean published, Optional<CredentialException> failure, Instant valueSince) {
    static final Projection NOTHING = new Projection(false, Optional.empty(), null);

    Projection(boolean published, Optional<CredentialException> failure) {
      this(published, failure, null);
    }
  }

  ApiConnectorReconciler(CredentialIssuers issuers, OperatorSettings settings, Events events,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.metrics = new ConnectorMetrics(registry);
    this.issuers = issuers;
    this.settings = settings;
    this.givenEvents = events;
    this.handover = new ShardHandover(settings.handoverGrace());
  }

  @Override
  public List<EventSource<?, ApiConnector>> prepareEventSources(EventSourceContext<ApiConnector> context) {
    var absent = Secrets.absentNames();
    SecretWatch.Informers informers = SecretWatch.create(context, settings.namespaces(), settings.requireSecretLabel(),
        absent::remove);
    metrics.secretCaches(informers);
    var configMaps = JwksConfigMap.informer(context);
    ProviderWatch.Watch providers = ProviderWatch.create(context);
    Secrets secrets = new Secrets(context.getClient(), informers, absent, settings.connectorSelector() != null);
    StateStore state = new StateStore(secrets);
    Events events = givenEvents != null ? givenEvents : new KubernetesEvents(context.getClient(), settings.clock());
    Issuance issuance = new Issuance(issuers, new StateWriter(state), events, settings.clock(), metrics,
        settings.maxIssuancesPerNamespace(), settings.reconcileThreads());
    parts = new Parts(new Gatherer(settings.defaultLifetime(), state, issuance,
        new SecretInputs(secrets::get, new SecretReferencePolicy(settings.requireSecretLabel())),
        providers.providers()), issuance,
        new OutputSecret(secrets, settings.clock()), new JwksConfigMap(context.getClient(), configMaps),
        new FailureTracker(settings.backoff(), events),
        new Rollouts(context.getClient(), settings.clock(),
            new io.keyward.rollout.RolloutSlots(settings.maxConcurrentRollouts()), events, metrics),
        new Revocation(context.getClient(), issuers, events, settings.clock(), settings.backoff(),
            settings.revocationTimeout()), new Rechecks(issuers, events, settings.clock()));
    List<EventSource<?, ApiConnector>> sources = new java.util.ArrayList<>(informers.eventSources());
    sources.add(configMaps);
    providers.informer().ifPresent(sources::add);
    return sources;
  }

  @Override
  public UpdateControl<ApiConnector> reconcile(ApiConnector connector, Context<ApiConnector> context) {
    if (context.isPrimaryResourceDeleted() || context.isPrimaryResourceFinalStateUnknown() || left(connector, context)) {
      // deleted, or relabelled out of this operator's --connector-selector while this reconcile waited for a
      // thread: another shard has it now, and nothing is asked or written for it here
      return UpdateControl.noUpdate();
    }
    Instant now = settings.clock().instant();
    if (connector.isMarkedForDeletion()) {
      // JOSDK calls on every event (a few connectors need a finalizer, most none): nothing is issued for a
      // connector being deleted; one of deletionPolicy Revoke has its tokens revoked first
      if (!connector.hasFinalizer(Revocation.FINALIZER)) {
        return UpdateControl.noUpdate();
      }
      return parts.revocation().finish(connector, parts.gatherer().gather(connector, now), parts.gatherer().inputs());
    }
    Gathered gathered = parts.gatherer().gather(connector, since.updateAndGet(s -> s == null ? now : s));
    gathered.spec().ifPresent(spec -> parts.revocation().keepFinalizer(connector, spec.revokeOnDelete()));
    handover.reconciling(connector, gathered.holding(), gathered.problem().isEmpty() || gathered.holding().isPresent(), now);
    Optional<Failure> before = parts.failures().sinceLastSuccess(connector, gathered);
    Attempt attempt = decideAndIssue(connector, gathered, before, now);
    // an issue may have waited on the provider for up to its deadline: its outcome is dated when it ended,
    // so that lastFailureTime is when it failed and the retry is counted from then, as JOSDK reschedules it
    Instant settled = settings.clock().instant();
    attempt.issued().ifPresent(issued -> parts.rechecks().issued(connector));
    Optional<Holding> holding = attempt.issued().or(gathered::holding);
    Projection projection = project(connector, gathered.spec(), holding); // also after a failure: the last good stays
    Optional<Failure> failure =
        parts.failures().settle(connector, gathered, before, attempt, projection.failure(), settled);
    Optional<Holding> publishable = holding.filter(Holding::publishable);
    Rollouts.Outcome rollout = rollout(connector, projection.published()
        ? publishable.map(h -> new Rollouts.Published(h.stored(), projection.valueSince(),
            h.plan().map(RenewalPlan::renewAt).orElse(null)))
        : Optional.empty());
    Optional<Instant> nextCheck = RefreshChecks.nextCheck(standing(holding, failure), settled);
    ApiConnectorStatus status = StatusBuilder.build(connector.getStatus(), StatusBuilder.Observation.of(
        generation(connector), gathered.spec(), holding, projection.published(), failure,
        handledRequest(holding, failure), attempt.deferral().map(e -> new Notice(e.reason(), e.getMessage())),
        nextCheck).withRollout(rollout.targets(), withAwaiting(rollout.notices(), attempt, publishable)), settled);
    metrics.observed(connector, status.condition(StatusBuilder.READY).map(c -> "True".equals(c.status)).orElse(false),
        publishable.map(h -> h.stored().credential().expiresAt()).orElse(null),
        publishable.flatMap(Holding::plan).map(RenewalPlan::renewAt).orElse(null));
    if (left(connector, context)) {
      // it left while this reconcile ran, and JOSDK forgot it then: what the lines above kept is dropped again
      forget(ResourceID.fromResource(connector));
    }
    UpdateControl<ApiConnector> control = statusUpdate(connector, status);
    // a deferred issue is tried again soon; otherwise the connector is looked at when the next check is due
    // (a restart waiting for its debounce or a slot is looked at then too; status shows the refresh's next check)
    Optional<Instant> recheck = publishable.filter(h -> failure.isEmpty()).flatMap(h -> gathered.spec()
        .flatMap(spec -> parts.rechecks().nextAt(connector, spec, h)));
    attempt.deferral().map(e -> e.retryAfter().orElse(DEFERRAL_RETRY))
        .or(() -> earlier(earlier(nextCheck, rollout.nextCheck()), recheck).map(at -> RefreshChecks.delayUntil(at, settled)))
        .ifPresent(control::rescheduleAfter);
    return control;
  }

  /** Restarts the workloads of spec.rollout that need it; whatever goes wrong there is the rollout's, not the credential's. */
  private Rollouts.Outcome rollout(ApiConnector connector, Optional<Rollouts.Published> published) {
    try {
      return parts.rollouts().apply(connector, published,
          connector.getStatus() == null ? null : connector.getStatus().rolloutTargets);
    } catch (RuntimeException e) {
      return new Rollouts.Outcome(connector.getStatus() == null ? null : connector.getStatus().rolloutTargets,
          List.of(new Notice("RolloutFailed", "restarting the rollout targets failed ("
              + e.getClass().getSimpleName() + "); tried again at the next reconcile")),
          Optional.of(settings.clock().instant().plusSeconds(30)));
    }
  }

  /**
   * The notices of the Warning condition, with a wait for a person while a credential is still
   * published (the Ready condition stays True then, and would not say where to approve).
   */
  private static List<Notice> withAwaiting(List<Notice> notices, Attempt attempt, Optional<Holding> published) {
    Optional<CredentialException> awaiting = attempt.deferral().filter(CredentialException::isAwaiting);
    if (awaiting.isEmpty() || published.isEmpty()) {
      return notices;
    }
    List<Notice> all = new java.util.ArrayList<>(notices);
    all.add(new Notice(awaiting.get().reason(), awaiting.get().getMessage()));
    return all;
  }

  private static Optional<Instant> earlier(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.filter(x -> x.isBefore(a.get())).or(() -> a);
  }

  /** The connector is no longer in this operator's cache: deleted, or no longer matched by its selector. */
  private static boolean left(ApiConnector connector, Context<ApiConnector> context) {
    return context.getPrimaryCache().get(ResourceID.fromResource(connector)).isEmpty();
  }

  /** Runs the refresh checks on what was gathered and, when a refresh is due, issues and persists. */
  private Attempt decideAndIssue(ApiConnector connector, Gathered g, Optional<Failure> before, Instant now) {
    if (g.inputs().isEmpty()) {
      return Attempt.notGathered(g.problem().orElseThrow());
    }
    Gathered.Inputs inputs = g.inputs().get();
    Optional<String> handled = handledRequest(g.holding(), before);
    RefreshDecision decision = RefreshChecks.decide(new RefreshInputs(standing(g.holding(), before), inputs.fingerprint(),
        g.refreshRequest().filter(r -> !handled.equals(Optional.of(r))).isPresent(), now));
    if (!decision.due() && "UpToDate".equals(decision.reason()) && g.holding().filter(h ->
        issuers.awaitingPerson(g.spec().orElseThrow().auth(), h.stored().credential().state(), now)).isPresent()) {
      // a device authorization started while the credential held is still valid (a re-authorisation): polled
      decision = RefreshDecision.due("AwaitingAuthorization", "A device authorization waits for a person's approval");
    }
    Optional<Holding> published = g.holding().filter(Holding::publishable);
    if (!decision.due() && "UpToDate".equals(decision.reason()) && published.isPresent()) {
      // asked about at the provider again where its issuer says so (introspection.interval)
      decision = parts.rechecks().check(connector, g.spec().orElseThrow(), inputs, published.get()).orElse(decision);
    }
    if (!decision.due()) {
      return Attempt.notDue(decision);
    }
    Optional<CredentialException> held = handover.hold(connector, g.holding(), now);
    if (held.isPresent()) {
      metrics.deferred(connector, g.spec().orElseThrow().auth().type(), held.get().errorClass());
      return Attempt.deferred(decision, held.get());
    }
    return parts.issuance().issue(connector, g.spec().orElseThrow(), inputs, g.holding(), decision, g.refreshRequest());
  }

  /** Writes the published keys (before any token that needs them), then the output Secret, from state. */
  private Projection project(ApiConnector connector, Optional<ConnectorSettings> spec, Optional<Holding> holding) {
    Optional<StoredCredential> stored = holding.filter(Holding::publishable).map(Holding::stored);
    if (stored.isEmpty()) {
      return Projection.NOTHING;
    }
    String secretName = spec.orElseThrow().outputSecretName();
    try {
      if (stored.get().credential().publication() != null) {
        parts.jwks().publish(connector, stored.get().credential().publication());
      }
      Instant valueSince = parts.output().project(connector, secretName, stored.get());
      parts.issuance().projected(connector, stored.get());
      return new Projection(true, Optional.empty(), valueSince);
    } catch (KubernetesClientException e) {
      return new Projection(false, Optional.of(CredentialException.transientFailure("OutputWriteFailed",
          "could not write Secret " + secretName + " (HTTP " + e.getCode() + ")", null)));
    } catch (CredentialException e) {
      return new Projection(false, Optional.of(e));
    } catch (RuntimeException e) {
      return new Projection(false, Optional.of(InternalErrors.classify(e, connector)));
    }
  }

  /** Where the connector stands: a credential held only for its issuer state counts as none. */
  private static Standing standing(Optional<Holding> holding, Optional<Failure> failure) {
    return new Standing(holding.filter(Holding::publishable).map(Holding::held), failure.map(Failure::last));
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

  /** Forgets what is kept in memory for a connector that was deleted or left this operator's shard. */
  void forget(ResourceID id) {
    handover.forget(id);
    if (parts != null) {
      parts.rollouts().forget(id);
      parts.failures().clear(id);
      parts.issuance().forget(id);
      parts.rechecks().forget(id);
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
