package io.keyward.operator;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.renewal.RefreshDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issue step of a reconcile: ask the issuer, check the answer, write it to the state Secret
 * (through the {@link StateWriter}), announce it. It runs on a thread an operator shutdown does not
 * interrupt: once a provider has answered (and perhaps rotated a refresh token), the answer is
 * persisted or kept, never dropped half-way.
 */
final class Issuance {
  private static final Logger LOG = LoggerFactory.getLogger(Issuance.class);
  private final CredentialIssuers issuers;
  private final StateWriter writer;
  private final Events events;
  private final Clock clock;
  private final ConnectorMetrics metrics;
  private final NamespaceShares namespaces;
  private final ExecutorService critical;

  Issuance(CredentialIssuers issuers, StateWriter writer, Events events, Clock clock, ConnectorMetrics metrics,
      int perNamespace, int threads) {
    this.issuers = issuers;
    this.writer = writer;
    this.events = events;
    this.clock = clock;
    this.metrics = metrics;
    this.namespaces = new NamespaceShares(perNamespace);
    AtomicInteger n = new AtomicInteger();
    // as many issuance threads as reconcile threads: each reconcile waits for at most one issuance, so
    // none queues, and a slow provider cannot make the pool grow (every call has a deadline)
    this.critical = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "keyward-issuance-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Issues, checks and persists a credential, within the namespace's share.
   *
   * @param previous the credential held now (its issuer state, such as a refresh token, is used)
   * @param refreshRequest the refresh annotation now: the issued credential records it as handled
   */
  Attempt issue(ApiConnector connector, ConnectorSettings spec, Gathered.Inputs inputs, Optional<Holding> previous,
      RefreshDecision decision, Optional<String> refreshRequest) {
    ResourceID id = ResourceID.fromResource(connector);
    Optional<CredentialException> held = stillWaiting(id, inputs.fingerprint());
    if (held.isPresent()) {
      metrics.deferred(connector, spec.auth().type(), held.get().errorClass());
      return Attempt.deferred(decision, held.get());
    }
    long started = System.nanoTime();
    String errorClass = null;
    boolean deferred = false;
    try (var share = namespaces.enter(connector.getMetadata().getNamespace())) {
      started = System.nanoTime(); // the refresh takes from here: waiting for the share is no part of it
      Optional<StoredCredential> before = previous.map(Holding::stored);
      waiting.remove(id);
      StoredCredential next = critically(() -> issueAndPersist(connector, spec, inputs, before, decision,
          refreshRequest.or(() -> before.map(StoredCredential::refreshRequest))));
      return Attempt.issued(decision, Holding.of(connector, spec, next));
    } catch (CredentialException e) {
      errorClass = e.errorClass();
      deferred = e.isDeferred();
      if (deferred) {
        if (e.isAwaiting()) {
          // a provider's own polling interval; a busy host's deferral is retried when its time comes, as before
          e.retryAfter().ifPresent(after -> waiting.put(id, new Waiting(clock.instant().plus(after), e,
              inputs.fingerprint())));
        }
        LOG.debug("{}/{}: put off: {}: {}", connector.getMetadata().getNamespace(), connector.getMetadata().getName(),
            e.reason(), e.getMessage());
        return Attempt.deferred(decision, e);
      }
      return Attempt.failed(decision, e);
    } catch (RuntimeException e) {
      errorClass = "internal";
      return Attempt.failed(decision, InternalErrors.classify(e, connector));
    } finally {
      if (deferred) {
        metrics.deferred(connector, spec.auth().type(), errorClass); // nothing was sent: not an attempt
      } else {
        metrics.refreshed(connector, spec.auth().type(), Duration.ofNanos(System.nanoTime() - started), errorClass);
      }
    }
  }

  /** An attempt put off until {@code until}, and why, made from the inputs of {@code fingerprint}. */
  private record Waiting(Instant until, CredentialException why, String fingerprint) {}

  /** Connectors waiting for a person, until their next poll: their own writes (a state kept) do not bring it forward. */
  private final Map<ResourceID, Waiting> waiting = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The wait for a person still in force for {@code id}: a reconcile that an event brings before the
   * time the last poll named (the state Secret it wrote, a status patch) does not ask the provider
   * sooner; a device authorization is polled no faster than its interval, or the provider answers
   * {@code slow_down}. A change of the spec or a referenced Secret since then is acted on at once.
   */
  private Optional<CredentialException> stillWaiting(ResourceID id, String fingerprint) {
    Waiting w = waiting.get(id);
    Instant now = clock.instant();
    if (w == null || !now.isBefore(w.until()) || !w.fingerprint().equals(fingerprint)) {
      return Optional.empty();
    }
    Duration left = Duration.between(now, w.until());
    return Optional.of((w.why().isAwaiting()
        ? CredentialException.awaiting(w.why().reason(), w.why().getMessage(), left)
        : CredentialException.deferred(w.why().reason(), w.why().getMessage(), left)).classified(w.why().errorClass()));
  }

  /**
   * Writes a credential issued earlier whose write failed, before anything else happens to the
   * connector (DESIGN §3.3); see {@link StateWriter#writePending}.
   */
  Optional<StoredCredential> writePending(ApiConnector connector, ConnectorSettings spec,
      Optional<StoredCredential> stored) throws CredentialException {
    if (!writer.hasPending(ResourceID.fromResource(connector))) {
      return Optional.empty();
    }
    return critically(() -> {
      Optional<StoredCredential> written = writer.writePending(connector, spec, stored);
      written.filter(w -> stored.map(s -> s != w).orElse(true))
          .ifPresent(w -> announce(connector, spec, stored, w, "WrittenOnRetry", null));
      return written;
    });
  }

  /**
   * Gives a record written before there were checksum keys ({@link StoredCredential#checksumKey}) one,
   * and writes it to the state Secret, before the output is projected with it: the output's plain
   * SHA-256 was checked when it was read, and the output is written again with the HMAC. No provider is
   * asked. If the write fails, the keyed record is written on retry ({@link #writePending}).
   */
  StoredCredential withChecksumKey(ApiConnector connector, ConnectorSettings spec, StoredCredential keyless)
      throws CredentialException {
    return critically(() -> {
      StoredCredential keyed = keyless.withNewChecksumKey();
      writer.write(connector, spec, keyed);
      writer.awaitProjection(ResourceID.fromResource(connector), keyed);
      LOG.info("{}/{}: the state Secret holds a checksum key now; the output Secret's checksum becomes an HMAC",
          connector.getMetadata().getNamespace(), connector.getMetadata().getName());
      return keyed;
    });
  }

  private StoredCredential issueAndPersist(ApiConnector connector, ConnectorSettings spec, Gathered.Inputs inputs,
      Optional<StoredCredential> previous, RefreshDecision decision, Optional<String> handled)
      throws CredentialException {
    if (writer.hasPending(ResourceID.fromResource(connector))) {
      // writePending runs first in every reconcile; reaching here means it could not write
      throw new IllegalStateException("an unwritten credential is pending; it must be persisted before a new issue");
    }
    IssuedCredential fresh;
    try {
      // for the provider host's turns: the soonest-expiring go first, and a connector without a credential is due now
      Instant needBy = previous.map(p -> p.credential().expiresAt()).filter(java.util.Objects::nonNull)
          .orElse(clock.instant());
      var caller = new io.keyward.credential.http.Caller(
          connector.getMetadata().getNamespace() + "/" + connector.getMetadata().getName(), needBy);
      fresh = issuers.issue(spec.auth(), new IssueContext(inputs.values(), clock, spec.defaultLifetime(),
          previous.map(p -> p.credential().state()).orElse(Map.of()), caller,
          inputs.fingerprint() + "|" + handled.orElse("")));
    } catch (CredentialException e) {
      // an attempt that waits (a device authorization started or polled) has acted on the refresh request
      keepRotated(connector, spec, inputs, previous, e.rotatedState(), e.isDeferred() ? handled : Optional.empty());
      // once what it started is kept: a device authorization's Event names where to approve it
      e.notice().ifPresent(n -> events.normal(connector, n.reason(), n.message()));
      throw e;
    }
    Optional<CredentialException> rejected = rejection(spec, fresh).or(() -> expiredOverValid(previous, fresh));
    if (rejected.isPresent()) {
      keepRotated(connector, spec, inputs, previous, fresh.state(), Optional.empty()); // not published; its refresh token is kept
      throw rejected.get();
    }
    StoredCredential next = new StoredCredential(fresh, inputs.fingerprint()).withChecksumKeyOf(previous)
        .issuedBecause(decision.reason(), decision.message())
        .withRefreshRequest(handled.orElse(null));
    writer.write(connector, spec, next);
    writer.awaitProjection(ResourceID.fromResource(connector), next);
    announce(connector, spec, previous, next, decision.reason(), decision.message());
    revokeReplaced(connector, spec, inputs, previous, next);
    return next;
  }

  /**
   * deletionPolicy Revoke: the refresh token that a new seed replaced (a re-authorisation) is revoked
   * at the provider once the new one is persisted and published, so that a re-authorised connector
   * leaves no second refresh token valid behind it. One attempt: an Event says whether it worked.
   */
  private void revokeReplaced(ApiConnector connector, ConnectorSettings spec, Gathered.Inputs inputs,
      Optional<StoredCredential> previous, StoredCredential next) {
    if (!spec.revokeOnDelete() || !(spec.auth() instanceof io.keyward.api.v1alpha1.auth.OAuth2Auth auth)
        || Boolean.FALSE.equals(auth.revokeReplacedSeed) || auth.refreshTokenRef == null) {
      return;
    }
    Optional<StoredCredential> replaced = previous.filter(StoredCredential::publishable);
    String old = replaced.map(p -> p.credential().state().get(io.keyward.credential.oauth2.OAuth2Issuer.REFRESH_TOKEN_STATE))
        .orElse(null);
    boolean reauthorized = replaced.flatMap(p -> issuers.milestone(spec.auth(), p.credential(), next.credential()))
        .filter(n -> "Reauthorized".equals(n.reason())).isPresent();
    // not the one just sent: a "new" seed that is the kept token copied back (a restored backup) was rotated now
    String seed = inputs.values().find(auth.refreshTokenRef).map(String::strip).orElse(null);
    if (old == null || !reauthorized || old.equals(seed)
        || old.equals(next.credential().state().get(io.keyward.credential.oauth2.OAuth2Issuer.REFRESH_TOKEN_STATE))) {
      return;
    }
    try {
      issuers.revoke(auth, new IssueContext(inputs.values(), clock, spec.defaultLifetime()), old, true);
      events.normal(connector, "Revoked", "Revoked the refresh token that the new seed replaced");
    } catch (CredentialException | RuntimeException e) {
      events.warning(connector, "RevocationFailed", "The refresh token that the new seed replaced was not revoked: "
          + (e instanceof CredentialException c ? c.getMessage() + " (" + c.reason() + ")" : e.getClass().getSimpleName())
          + "; it stays valid at the provider until it expires or is revoked there");
    }
  }

  /** Why the issued token fails spec.validation, if it does. Checks only; writes nothing. */
  private Optional<CredentialException> rejection(ConnectorSettings spec, IssuedCredential fresh) {
    if (spec.validation() == null) {
      return Optional.empty();
    }
    try {
      issuers.validate(spec.validation(), fresh, clock.instant());
      return Optional.empty();
    } catch (CredentialException e) {
      if (e.isDeferred()) {
        // the token endpoint was already called: this is no "nothing was sent" deferral, it backs off
        return Optional.of(CredentialException.transientFailure("TokenValidationFailed", "the issued token could not"
            + " be checked yet: " + e.getMessage(), e.retryAfter().orElse(null)).classified("jwks_busy"));
      }
      return Optional.of(e);
    }
  }

  /**
   * A credential that had expired when it was issued ({@code expires_in} of zero or less, an expiry in
   * the past) does not replace one that is still valid (DESIGN §4: a still-valid credential is never
   * removed because a refresh failed). The attempt fails, and is tried again no sooner than
   * {@link io.keyward.renewal.RenewalPolicy#EXPIRED_ON_ISSUE_RETRY}. With nothing valid to keep, it is
   * published, with the {@code ExpiredOnIssue} warning.
   */
  private Optional<CredentialException> expiredOverValid(Optional<StoredCredential> previous, IssuedCredential fresh) {
    Instant now = clock.instant();
    boolean expiredOnIssue = fresh.expiresAt() != null && !fresh.expiresAt().isAfter(fresh.issuedAt());
    boolean previousValid = previous.filter(StoredCredential::publishable).map(StoredCredential::credential)
        .filter(c -> c.expiresAt() == null || c.expiresAt().isAfter(now)).isPresent();
    if (!expiredOnIssue || !previousValid) {
      return Optional.empty();
    }
    return Optional.of(CredentialException.transientFailure("ExpiredOnIssue", "the provider issued a credential that"
        + " had already expired; the previous one stays published while it is valid",
        io.keyward.renewal.RenewalPolicy.EXPIRED_ON_ISSUE_RETRY).classified("expired_on_issue"));
  }

  /**
   * Persists what the provider rotated in an attempt that failed: next to the previous credential,
   * which stays published, or, before any credential was issued, in a record that is never published,
   * so that the next attempt presents the rotated refresh token rather than the spent seed.
   */
  private void keepRotated(ApiConnector connector, ConnectorSettings spec, Gathered.Inputs inputs,
      Optional<StoredCredential> previous, Map<String, String> rotated, Optional<String> handled)
      throws CredentialException {
    if (rotated.isEmpty() || previous.map(p -> rotated.equals(p.credential().state())).orElse(false)) {
      return;
    }
    // a record never published is dated by the inputs it was made from now: a changed spec is noticed once
    StoredCredential kept = previous.filter(StoredCredential::publishable)
        .map(p -> p.withCredential(p.credential().withState(rotated)))
        .orElseGet(() -> StoredCredential.unpublishable(IssuedCredential.stateOnly(rotated, null, clock.instant()),
            inputs.fingerprint()));
    // the refresh request acted on stays recorded (a re-created record would forget it, and it would look new)
    Optional<String> acted = handled.or(() -> previous.map(StoredCredential::refreshRequest));
    writer.write(connector, spec, acted.isPresent() ? kept.withRefreshRequest(acted.get()) : kept);
  }

  private <T> T critically(Callable<T> work) throws CredentialException {
    // the reconcile's logging context (which connector: JOSDK's resource.namespace and resource.name) goes along
    Map<String, String> context = org.slf4j.MDC.getCopyOfContextMap();
    Future<T> result = critical.submit(() -> {
      if (context != null) {
        org.slf4j.MDC.setContextMap(context);
      }
      try {
        return work.call();
      } finally {
        org.slf4j.MDC.clear();
      }
    });
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

  /** What the connector holds, given what was loaded: see {@link StateWriter#holding}. */
  Optional<StoredCredential> holding(ApiConnector connector, Optional<StoredCredential> loaded) {
    return writer.holding(ResourceID.fromResource(connector), loaded);
  }

  /** The output Secret holds {@code stored}'s credential now. */
  void projected(ApiConnector connector, StoredCredential stored) {
    writer.projected(ResourceID.fromResource(connector), stored);
  }

  /** Forgets a deleted connector. */
  /** Attempts at writing what was pending for a connector that left, 2 s apart: its next shard holds its refresh for longer. */
  static final int DEPARTED_WRITE_ATTEMPTS = 5;

  void forget(ResourceID id) {
    waiting.remove(id);
    writer.forget(id).ifPresent(write -> {
      try {
        critical.execute(() -> writeDeparted(id, write));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.warn("{}: left while a credential issued for it was not yet in its state Secret, as the operator stopped;"
            + " it is not written", id);
      }
    });
  }

  /**
   * A connector left (relabelled into another shard, or deleted) while a credential issued for it was
   * not yet in its state Secret: written now, so that the shard that takes it over finds the rotated
   * refresh token rather than the spent one.
   */
  private void writeDeparted(ResourceID id, StateWriter.DepartedWrite write) {
    for (int attempt = 1; attempt <= DEPARTED_WRITE_ATTEMPTS; attempt++) {
      try {
        write.run();
        LOG.info("{}: left this operator; the credential issued for it was written to its state Secret", id);
        return;
      } catch (CredentialException | RuntimeException e) {
        if (attempt == DEPARTED_WRITE_ATTEMPTS) {
          LOG.warn("{}: left this operator; the credential issued for it could not be written to its state Secret"
              + " ({}); a rotated refresh token it carried may be lost", id,
              e instanceof CredentialException c ? c.getMessage() : e.getClass().getSimpleName());
          return;
        }
        try {
          Thread.sleep(2000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
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

  /** Reasons of an issue a person asked for, by changing the spec or a Secret, or by the refresh annotation. */
  private static final java.util.Set<String> ASKED_FOR = java.util.Set.of("InputsChanged", "RefreshRequested");

  /**
   * The Event of a new credential (DESIGN §4): the first issue, one a person asked for, a
   * re-authorisation or key rotation, and one written after its state write had failed. A routine
   * refresh is no Event (metrics count refreshes; status says when and why): at thousands of
   * connectors an Event per refresh would flood etcd.
   *
   * @param why the refresh check that decided, or {@code WrittenOnRetry}
   */
  private void announce(ApiConnector connector, ConnectorSettings spec, Optional<StoredCredential> previous,
      StoredCredential next, String why, String whyMessage) {
    String expiry = next.credential().expiresAt() == null
        ? "does not expire" : "expires at " + StatusBuilder.time(next.credential().expiresAt());
    String into = " into Secret " + spec.outputSecretName() + "; it " + expiry;
    Optional<StoredCredential> replaced = previous.filter(StoredCredential::publishable);
    Optional<io.keyward.credential.Notice> milestone =
        replaced.flatMap(p -> issuers.milestone(spec.auth(), p.credential(), next.credential()));
    String reason;
    if (replaced.isEmpty()) {
      reason = "Issued";
      events.normal(connector, reason, "Issued a new " + spec.auth().type() + " credential" + into);
    } else if (milestone.isPresent()) {
      reason = milestone.get().reason();
      events.normal(connector, reason, milestone.get().message() + "; issued a new credential" + into);
    } else if ("WrittenOnRetry".equals(why)) {
      reason = "Recovered";
      events.normal(connector, reason, "Wrote the credential kept since its state write failed" + into);
    } else if (ASKED_FOR.contains(why)) {
      reason = "Reissued";
      events.normal(connector, reason, "Issued a new credential (" + whyMessage + ")" + into);
    } else {
      LOG.debug("Refreshed {}/{}: {} credential, {} ({})", connector.getMetadata().getNamespace(),
          connector.getMetadata().getName(), spec.auth().type(), expiry, why);
      return;
    }
    LOG.info("{} {}/{}: {} credential, {} ({})", reason, connector.getMetadata().getNamespace(),
        connector.getMetadata().getName(), spec.auth().type(), expiry, why);
  }
}
