package io.keyward.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.IssueContext;
import io.keyward.credential.SecretValues;
import io.keyward.renewal.RefreshDecision;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues a credential and persists it to the state Secret before anything else sees it. A
 * credential the provider issued but that could not be persisted is kept and persisted on the next
 * attempt, without a second provider call.
 */
final class Issuance {
  private static final Logger LOG = LoggerFactory.getLogger(Issuance.class);
  private final CredentialIssuers issuers;
  private final StateStore state;
  private final Events events;
  private final Clock clock;
  private final ConnectorMetrics metrics;
  /**
   * As many issuance threads as JOSDK has reconcile threads: each reconcile waits for at most one
   * issuance, so none queues, and a slow provider cannot make the pool grow (every call has a deadline).
   */
  static final int THREADS = io.javaoperatorsdk.operator.api.config.ConfigurationService.DEFAULT_RECONCILIATION_THREADS_NUMBER;
  private final PendingCredentials pending = new PendingCredentials();
  private final ExecutorService critical;

  private final NamespaceShares namespaces;

  Issuance(CredentialIssuers issuers, StateStore state, Events events, Clock clock, ConnectorMetrics metrics,
      int perNamespace) {
    this(issuers, state, events, clock, metrics, THREADS, perNamespace);
  }

  Issuance(CredentialIssuers issuers, StateStore state, Events events, Clock clock, ConnectorMetrics metrics,
      int threads, int perNamespace) {
    this.namespaces = new NamespaceShares(perNamespace);
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    this.critical = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "keyward-issuance-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.metrics = metrics;
    this.issuers = issuers;
    this.state = state;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Issues and persists. The provider call and the state write run on their own thread, which an
   * operator shutdown does not interrupt: once a provider has answered (and perhaps rotated a
   * refresh token), the answer is persisted or kept, never dropped half-way.
   */
  StoredCredential issue(ApiConnector connector, ConnectorSettings spec, SecretValues values,
      String fingerprint, StoredCredential previous, RefreshDecision decision) throws CredentialException {
    try (var share = namespaces.enter(connector.getMetadata().getNamespace())) {
      return critically(() -> issueNow(connector, spec, values, fingerprint, previous, decision));
    }
  }

  /**
   * Persists a credential that was issued earlier but could not be written, before anything else
   * happens to the connector (DESIGN §3.3): it may carry the only refresh token the provider still
   * accepts. Called at the start of every reconcile, whether or not a refresh is due.
   *
   * @param stored what the state Secret holds now
   * @return the credential now in the state Secret, if one was pending
   */
  Optional<StoredCredential> persistPending(ApiConnector connector, ConnectorSettings spec, StoredCredential stored)
      throws CredentialException {
    ResourceID id = ResourceID.fromResource(connector);
    if (!pending.has(id)) {
      return Optional.empty();
    }
    return critically(() -> {
      Optional<StoredCredential> kept = pending.take(id);
      if (kept.isEmpty()) {
        return Optional.empty();
      }
      if (stored != null && stored.credential().issuedAt().isAfter(kept.get().credential().issuedAt())) {
        // another writer (a former leader) stored a credential the provider issued later: that one is current
        LOG.warn("{}/{}: the state Secret holds a credential issued after the unwritten one; keeping the newer",
            connector.getMetadata().getNamespace(), connector.getMetadata().getName());
        return Optional.of(stored);
      }
      persist(connector, spec, kept.get());
      return Optional.of(announce(connector, spec, kept.get(), stored, RefreshDecision.due("WrittenOnRetry",
          "state written on retry")));
    });
  }

  private <T> T critically(java.util.concurrent.Callable<T> work) throws CredentialException {
    Future<T> result = critical.submit(work);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          interrupted = true; // finish first; the interrupt is restored below
        } catch (ExecutionException e) {
          if (e.getCause() instanceof CredentialException c) {
            throw c;
          }
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private StoredCredential issueNow(ApiConnector connector, ConnectorSettings spec, SecretValues values,
      String fingerprint, StoredCredential previous, RefreshDecision decision) throws CredentialException {
    if (pending.has(ResourceID.fromResource(connector))) {
      // persistPending runs first in every reconcile; reaching here means it could not write
      throw new IllegalStateException("an unwritten credential is pending; it must be persisted before a new issue");
    }
    Map<String, String> previousState = previous == null ? Map.of() : previous.credential().state();
    long started = System.nanoTime();
    String errorClass = null;
    boolean deferred = false;
    try {
      StoredCredential next = new StoredCredential(issuers.issue(spec.auth(),
          new IssueContext(values, clock, spec.defaultLifetime(), previousState)), fingerprint)
          .issuedBecause(decision.reason(), decision.message())
          .withRefreshRequest(handledAfter(connector, previous));
      if (spec.validation() != null) {
        validate(connector, spec, next, previous);
      }
      persist(connector, spec, next);
      return announce(connector, spec, next, previous, decision);
    } catch (CredentialException e) {
      errorClass = e.errorClass();
      deferred = e.isDeferred();
      keepRotated(connector, spec, previous, e.rotatedState());
      throw e;
    } catch (RuntimeException e) {
      errorClass = "internal";
      throw e;
    } finally {
      if (deferred) {
        metrics.deferred(connector, spec.auth().type(), errorClass); // nothing was sent: not an attempt
      } else {
        metrics.refreshed(connector, spec.auth().type(), Duration.ofNanos(System.nanoTime() - started), errorClass);
      }
    }
  }

  /**
   * Checks the issued token against spec.validation. A token that fails is not published; what the
   * provider rotated with it (a refresh token) is still persisted, next to the previous credential.
   */
  private void validate(ApiConnector connector, ConnectorSettings spec, StoredCredential next,
      StoredCredential previous) throws CredentialException {
    try {
      issuers.validate(spec.validation(), next.credential(), clock.instant());
    } catch (CredentialException e) {
      CredentialException failed = e;
      if (e.isDeferred()) {
        // the token endpoint was already called: this is no "nothing was sent" deferral, it backs off
        failed = CredentialException.transientFailure("TokenValidationFailed", "the issued token could not be"
            + " checked yet: " + e.getMessage(), e.retryAfter().orElse(null)).classified("jwks_busy");
      }
      throw failed.withRotatedState(next.credential().state());
    }
  }

  /** The refresh request this issue settles: the annotation's value now, else the one settled before. */
  private static String handledAfter(ApiConnector connector, StoredCredential previous) {
    String now = ConnectorSchedule.refreshRequest(connector);
    return now != null ? now : previous == null ? null : previous.refreshRequest();
  }

  /**
   * Persists what the provider rotated in an attempt that failed, next to the previous credential,
   * which stays published. (Before any credential was issued there is nothing to keep it next to;
   * the seed is used again.)
   */
  private void keepRotated(ApiConnector connector, ConnectorSettings spec, StoredCredential previous,
      Map<String, String> rotated) throws CredentialException {
    if (previous != null && !rotated.isEmpty() && !rotated.equals(previous.credential().state())) {
      persist(connector, spec, previous.withCredential(previous.credential().withState(rotated)));
    }
  }

  /** Forgets a deleted connector. */
  void forget(ResourceID id) {
    pending.clear(id);
  }

  /** Lets in-flight issuances finish persisting (an operator stopping waits for them); takes no new ones. */
  void drain(Duration timeout) {
    critical.shutdown();
    try {
      if (!critical.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("An issuance did not finish within {}; its result may be lost", timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes the state Secret; on failure keeps the credential for the next attempt. */
  private void persist(ApiConnector connector, ConnectorSettings spec, StoredCredential next)
      throws CredentialException {
    try {
      state.save(connector, spec.stateSecretName(), next);
    } catch (KubernetesClientException e) {
      pending.keep(ResourceID.fromResource(connector), next);
      throw CredentialException.transientFailure("StateWriteFailed", "could not write state Secret "
          + spec.stateSecretName() + " (HTTP " + e.getCode() + "); the new credential is kept and written on retry",
          null);
    } catch (RuntimeException e) {
      // whatever went wrong, what the provider answered is kept and written on retry, never dropped
      pending.keep(ResourceID.fromResource(connector), next);
      throw CredentialException.transientFailure("StateWriteFailed", "could not write state Secret "
          + spec.stateSecretName() + " (" + e.getClass().getSimpleName()
          + "); the new credential is kept and written on retry", null).classified("state_write_failed");
    }
  }

  private StoredCredential announce(ApiConnector connector, ConnectorSettings spec, StoredCredential next,
      StoredCredential previous, RefreshDecision decision) {
    String expiry = next.credential().expiresAt() == null
        ? "does not expire" : "expires at " + StatusBuilder.time(next.credential().expiresAt());
    String reason = previous == null ? "Issued" : "Refreshed";
    events.normal(connector, reason, "Issued a new " + spec.auth().type() + " credential into Secret "
        + spec.outputSecretName() + " (" + decision.reason() + "); it " + expiry);
    LOG.info("{} {}/{}: {} credential, {} ({})", reason, connector.getMetadata().getNamespace(),
        connector.getMetadata().getName(), spec.auth().type(), expiry, decision.reason());
    return next;
  }
}
