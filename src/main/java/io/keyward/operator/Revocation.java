package io.keyward.operator;

import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.IssueContext;
import io.keyward.credential.SecretValues;
import io.keyward.credential.oauth2.OAuth2Issuer;
import io.keyward.renewal.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spec.deletionPolicy: Revoke}: the connector carries the finalizer {@value #FINALIZER} (added
 * when the policy is Revoke, removed when it no longer is); once it is deleted, the refresh token and
 * the access token Keyward holds are revoked at the provider (RFC 7009), retried with backoff for at
 * most the revocation timeout, the outcome told in an Event, and the finalizer removed: a deletion is
 * never held for good. Connectors of the default policy, Retain, carry no finalizer.
 */
final class Revocation {
  static final String FINALIZER = "keyward.io/revoke-tokens";
  private static final Logger LOG = LoggerFactory.getLogger(Revocation.class);

  private final KubernetesClient client;
  private final CredentialIssuers issuers;
  private final Events events;
  private final Clock clock;
  private final Backoff backoff;
  private final Duration timeout;
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

  Revocation(KubernetesClient client, CredentialIssuers issuers, Events events, Clock clock, Backoff backoff,
      Duration timeout) {
    this.client = client;
    this.issuers = issuers;
    this.events = events;
    this.clock = clock;
    this.backoff = backoff;
    this.timeout = timeout;
  }

  /** Adds or removes the finalizer as the connector's policy asks; whether the connector was changed. */
  boolean keepFinalizer(ApiConnector connector, boolean revoke) {
    boolean has = connector.hasFinalizer(FINALIZER);
    if (has == revoke) {
      return false;
    }
    try {
      setFinalizers(connector, revoke);
      return true;
    } catch (KubernetesClientException e) {
      LOG.warn("{}/{}: could not {} the finalizer {} (HTTP {}); tried again at the next reconcile",
          connector.getMetadata().getNamespace(), connector.getMetadata().getName(), revoke ? "add" : "remove",
          FINALIZER, e.getCode());
      return false;
    }
  }

  /**
   * A deleted connector with the finalizer: revoke what is held, or try again later, or give up
   * once the deletion is older than the timeout; the finalizer goes in the last two cases.
   */
  UpdateControl<ApiConnector> finish(ApiConnector connector, Gathered g, SecretInputs inputs) {
    String id = connector.getMetadata().getNamespace() + "/" + connector.getMetadata().getName();
    Instant now = clock.instant();
    Instant deleted = deletionTime(connector, now);
    List<String> revoked = new ArrayList<>();
    try {
      OAuth2Auth auth = g.spec().map(ConnectorSettings::auth).filter(OAuth2Auth.class::isInstance)
          .map(OAuth2Auth.class::cast).orElseThrow(() -> g.problem().orElse(CredentialException.invalidConfiguration(
              "spec.auth.oauth2", "only OAuth 2.0 tokens can be revoked")));
      var stored = g.holding().map(Holding::stored).map(StoredCredential::credential);
      String refresh = stored.map(c -> c.state().get(OAuth2Issuer.REFRESH_TOKEN_STATE)).orElse(null);
      String access = stored.map(c -> c.token()).filter(t -> !t.isEmpty()).orElse(null);
      if (refresh != null || access != null) {
        // the client's own Secrets only: the seed Secret may be deleted with the connector
        SecretValues values = SecretValues.of(inputs.resolve(connector, auth, field -> !OAuth2Auth.isSeedField(field)));
        IssueContext context = new IssueContext(values, clock, Duration.ofHours(1));
        if (refresh != null) {
          issuers.revoke(auth, context, refresh, true);
          revoked.add("the refresh token");
        }
        if (access != null) {
          issuers.revoke(auth, context, access, false);
          revoked.add("the access token");
        }
      }
    } catch (CredentialException e) {
      if (!e.isTerminal() && now.isBefore(deleted.plus(timeout))) {
        int attempt = attempts.merge(id, 1, Integer::sum);
        Duration wait = backoff.delay(attempt, e.retryAfter().orElse(null), Math.random());
        events.warning(connector, "RevocationFailed", e.getMessage() + " (" + e.reason() + "); tried again in "
            + Math.max(1, wait.toSeconds()) + "s, the deletion waits at most " + timeout.toSeconds() + "s in all");
        return UpdateControl.<ApiConnector>noUpdate().rescheduleAfter(wait);
      }
      attempts.remove(id);
      events.warning(connector, "RevocationAbandoned", (revoked.isEmpty() ? "" : String.join(" and ", revoked)
          + " revoked; ") + "not revoked: " + e.getMessage() + " (" + e.reason() + ")" + (e.isTerminal() ? ""
          : "; gave up after " + timeout.toSeconds() + "s") + ". The connector is deleted; revoke its tokens at the"
          + " provider by hand");
      release(connector);
      return UpdateControl.noUpdate();
    }
    attempts.remove(id);
    events.normal(connector, "Revoked", revoked.isEmpty() ? "nothing to revoke: no token was issued"
        : String.join(" and ", revoked) + " revoked at the provider before the deletion");
    release(connector);
    return UpdateControl.noUpdate();
  }

  /**
   * The connector's finalizers with or without Keyward's, as a JSON patch that first tests the
   * resourceVersion they were read at: a concurrent change of the list fails the patch, tried again
   * at the next reconcile, never an overwrite.
   */
  private void setFinalizers(ApiConnector connector, boolean with) {
    List<String> finalizers = new ArrayList<>(connector.getMetadata().getFinalizers() == null ? List.of()
        : connector.getMetadata().getFinalizers());
    finalizers.remove(FINALIZER);
    if (with) {
      finalizers.add(FINALIZER);
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var patch = json.createArrayNode();
    patch.addObject().put("op", "test").put("path", "/metadata/resourceVersion")
        .put("value", connector.getMetadata().getResourceVersion());
    var set = patch.addObject().put("op", "add").put("path", "/metadata/finalizers");
    finalizers.forEach(set.putArray("value")::add);
    client.resources(ApiConnector.class).inNamespace(connector.getMetadata().getNamespace())
        .withName(connector.getMetadata().getName())
        .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
            patch.toString());
  }

  private static Instant deletionTime(ApiConnector connector, Instant now) {
    try {
      return Optional.ofNullable(connector.getMetadata().getDeletionTimestamp()).map(Instant::parse).orElse(now);
    } catch (RuntimeException e) {
      return now;
    }
  }

  private void release(ApiConnector connector) {
    try {
      setFinalizers(connector, false);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e; // JOSDK retries the reconcile
      }
    }
  }
}
