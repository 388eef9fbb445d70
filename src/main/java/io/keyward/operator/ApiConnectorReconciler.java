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
import io.keyward.renewal.RefreshChecks;
import io.keyward.renewal.RefreshDecision;
import io.keyward.renewal.RenewalPlan;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orchestrates one connector: gather inputs, decide, issue, persist state, project the output
 * Secret, build status, reschedule. Every decision lives in its own class.
 */
@ControllerConfiguration(name = "apiconnector")
public class ApiConnectorReconciler implements Reconciler<ApiConnector> {
  private static final Logger LOG = LoggerFactory.getLogger(ApiConnectorReconciler.class);

  private final CredentialIssuers issuers;
  private final OperatorSettings settings;
  private final FailureTracker failures;
  private final ConnectorMetrics metrics;
  /** Refresh requests acted on, so that a reconcile on a stale cache does not act twice. */
  private final java.util.Map<ResourceID, String> handledRequests = new java.util.concurrent.ConcurrentHashMap<>();
  private Events events;
  private SecretInputs inputs;
  private StateStore state;
  private OutputSecret output;
  private Issuance issuance;
  private JwksConfigMap jwks;

  ApiConnectorReconciler(CredentialIssuers issuers, OperatorSettings settings, Events events,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.metrics = new ConnectorMetrics(registry);
    this.issuers = issuers;
    this.settings = settings;
    this.events = events;
    this.failures = new FailureTracker(settings.backoff());
  }

  @Override
  public List<EventSource<?, ApiConnector>> prepareEventSources(EventSourceContext<ApiConnector> context) {
    InformerEventSource<Secret, ApiConnector> informer = SecretWatch.create(context);
    var configMaps = JwksConfigMap.informer(context);
    jwks = new JwksConfigMap(context.getClient(), configMaps);
    Secrets secrets = new Secrets(context.getClient(), informer);
    inputs = new SecretInputs(secrets::get, new SecretReferencePolicy(settings.requireSecretLabel()));
    state = new StateStore(secrets);
    output = new OutputSecret(secrets);
    if (events == null) {
      events = new KubernetesEvents(context.getClient(), settings.clock());
    }
    issuance = new Issuance(issuers, state, events, settings.clock(), metrics, settings.maxIssuancesPerNamespace());
    return List.of(informer, configMaps);
  }

  /** Forgets what is kept in memory for a connector that was deleted. */
  void forget(ResourceID id) {
    failures.clear(id);
    handledRequests.remove(id);
    if (issuance != null) {
      issuance.forget(id);
    }
    metrics.forget(id);
  }

  /** The published JWKS of a connector with generated keys, from the cache. */
  java.util.Optional<String> publishedJwks(String namespace, String name) {
    return jwks == null ? java.util.Optional.empty() : jwks.published(namespace, name);
  }

  /** Waits for in-flight issuances to persist their results; called when the operator stops. */
  void drain(java.time.Duration timeout) {
    if (issuance != null) {
      issuance.drain(timeout);
    }
  }

  @Override
  public UpdateControl<ApiConnector> reconcile(ApiConnector connector, Context<ApiConnector> context) {
    Instant now = settings.clock().instant();
    ResourceID id = ResourceID.fromResource(connector);
    ConnectorSettings spec = null;
    StoredCredential stored = null;
    String fingerprint = null;
    FailureTracker.Failure failure;
    boolean published = false;
    CredentialException deferred = null; // put off before anything was sent: not a failure
    String handledBefore = handledRefreshRequest(connector, null);
    try {
      spec = ConnectorSettings.of(connector, settings.defaultLifetime());
      stored = state.load(connector, spec.stateSecretName()).orElse(null);
      // an issued credential not yet written goes first, refresh due or not (DESIGN §3.3)
      var written = issuance.persistPending(connector, spec, stored);
      if (written.isPresent()) {
        stored = written.get();
        failures.clear(id); // the failed state write is done
      }
      var values = inputs.resolve(connector, spec.auth());
      fingerprint = Fingerprint.of(spec.auth(), values, spec.defaultLifetime(), spec.validation());
      String fp = fingerprint;
      failure = failures.get(id).filter(f -> fp.equals(f.fingerprint())).orElse(null);
      RefreshDecision decision = RefreshChecks.decide(ConnectorSchedule.refreshInputs(connector, spec, stored, fp,
          failure, handledRefreshRequest(connector, stored), now));
      if (ConnectorSchedule.refreshRequest(connector) != null) {
        handledRequests.put(id, ConnectorSchedule.refreshRequest(connector));
      }
      if (decision.due()) {
        stored = issuance.issue(connector, spec, SecretValues.of(values), fp, stored, decision);
        failure = null;
      } else if (failure != null && !failure.terminal() && !now.isBefore(failure.retryNotBefore())) {
        failure = null; // its retry is this reconcile: nothing else was due, so what failed was the write below
      }
    } catch (CredentialException e) {
      if (e.isDeferred()) {
        deferred = e;
        String fp = fingerprint;
        failure = failures.get(id).filter(f -> fp != null && fp.equals(f.fingerprint())).orElse(null);
        restoreHandledRequest(id, handledBefore); // a deferred refresh request is still to do
        LOG.debug("{}/{}: {}: {}", connector.getMetadata().getNamespace(), connector.getMetadata().getName(),
            e.reason(), e.getMessage());
      } else {
        failure = recordFailure(connector, id, e, fingerprint, now);
      }
    } catch (RuntimeException e) {
      failure = recordFailure(connector, id, InternalErrors.classify(e, connector), fingerprint, now);
    }
    if (stored != null && stored.publishable()) {
      try {
        project(connector, spec, stored); // also after a failure: the last good credential stays published
        published = true;
      } catch (CredentialException e) {
        failure = recordFailure(connector, id, e, fingerprint, now);
      } catch (RuntimeException e) {
        failure = recordFailure(connector, id, InternalErrors.classify(e, connector), fingerprint, now);
      }
    }
    if (failure == null) {
      failures.clear(id);
    }
    RenewalPlan plan = stored == null ? null : ConnectorSchedule.plan(connector, spec, stored);
    var outlook = ConnectorSchedule.outlook(stored, plan, failure);
    ApiConnectorStatus status = StatusBuilder.build(connector.getStatus(), new StatusBuilder.Observation(
        generation(connector), spec == null ? null : spec.auth().type(), spec == null ? null : spec.outputSecretName(),
        stored == null ? null : stored.credential(), published, plan, failure,
        deferred != null ? handledBefore : ConnectorSchedule.refreshRequest(connector),
        deferred == null ? null : new Notice(deferred.reason(), deferred.getMessage()),
        stored == null || stored.issueReason() == null ? null
            : new Notice(stored.issueReason(), stored.issueMessage()),
        RefreshChecks.nextCheckAt(outlook, now).orElse(null)), now);
    UpdateControl<ApiConnector> control = UpdateControl.noUpdate();
    if (!sameStatus(connector.getStatus(), status)) {
      connector.setStatus(status);
      control = UpdateControl.patchStatus(connector);
    }
    metrics.observed(connector, status.condition("Ready").map(c -> "True".equals(c.status)).orElse(false),
        stored == null ? null : stored.credential().expiresAt(), plan == null ? null : plan.renewAt());
    RefreshChecks.nextCheck(outlook, now).ifPresent(control::rescheduleAfter);
    if (deferred != null) {
      control.rescheduleAfter(deferred.retryAfter().orElse(java.time.Duration.ofSeconds(2)));
    }
    return control;
  }

  private void project(ApiConnector connector, ConnectorSettings spec, StoredCredential stored)
      throws CredentialException {
    try {
      if (stored.credential().publication() != null) {
        jwks.publish(connector, stored.credential().publication()); // public keys before any token that needs them
      }
      output.project(connector, spec.outputSecretName(), stored.credential());
    } catch (KubernetesClientException e) {
      throw CredentialException.transientFailure("OutputWriteFailed",
          "could not write Secret " + spec.outputSecretName() + " (HTTP " + e.getCode() + ")", null);
    }
  }

  private FailureTracker.Failure recordFailure(ApiConnector connector, ResourceID id, CredentialException e,
      String fingerprint, Instant now) {
    String previousReason = failures.get(id).map(FailureTracker.Failure::reason).orElse(null);
    FailureTracker.Failure failure = failures.record(id, e, fingerprint, now, ConnectorSchedule.seed(connector, now));
    if (!e.reason().equals(previousReason)) {
      events.warning(connector, e.reason(), e.getMessage());
    }
    LOG.warn("{}/{}: {}: {}{}", connector.getMetadata().getNamespace(), connector.getMetadata().getName(),
        e.reason(), e.getMessage(), e.isTerminal() ? " (waiting for a change)" : " (will retry)");
    return failure;
  }

  private void restoreHandledRequest(ResourceID id, String handled) {
    if (handled == null) {
      handledRequests.remove(id);
    } else {
      handledRequests.put(id, handled);
    }
  }

  /**
   * The refresh request already acted on: remembered since an attempt in this process (also a failed
   * one), else the one the state Secret settled, else (objects from before it was kept there) status.
   */
  private String handledRefreshRequest(ApiConnector connector, StoredCredential stored) {
    String remembered = handledRequests.get(ResourceID.fromResource(connector));
    if (remembered != null) {
      return remembered;
    }
    if (stored != null && stored.refreshRequest() != null) {
      return stored.refreshRequest();
    }
    return connector.getStatus() == null ? null : connector.getStatus().lastRefreshRequest;
  }

  private static long generation(ApiConnector c) {
    return c.getMetadata().getGeneration() == null ? 0 : c.getMetadata().getGeneration();
  }

  private static boolean sameStatus(ApiConnectorStatus a, ApiConnectorStatus b) {
    var mapper = Serialization.jsonMapper();
    return a != null && mapper.valueToTree(a).equals(mapper.valueToTree(b));
  }
}
