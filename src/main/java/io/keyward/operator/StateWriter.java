package io.keyward.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the state Secret, and keeps what it could not write: a credential a provider issued is
 * written on the next reconcile, before anything else, instead of asking the provider again (DESIGN
 * §3: a rotated refresh token is never dropped and never replaced by a second provider call).
 */
final class StateWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StateWriter.class);
  private final StateStore state;
  private final Map<ResourceID, Pending> pending = new ConcurrentHashMap<>();

  /** A credential issued but not yet in the state Secret, with what writing it needs. */
  private record Pending(ApiConnector connector, ConnectorSettings spec, StoredCredential credential) {}
  /**
   * Credentials kept with the output Secret ({@link StoredCredential#keptWithOutput}) until the output
   * Secret holds them: the state Secret does not, so a failed output write would otherwise lose them
   * and cost a provider call (or, for an output name another Secret holds, one at every reconcile).
   */
  private final Map<ResourceID, StoredCredential> unprojected = new ConcurrentHashMap<>();

  StateWriter(StateStore state) {
    this.state = state;
  }

  /** Writes {@code next}; on failure keeps it for {@link #writePending}. */
  void write(ApiConnector connector, ConnectorSettings spec, StoredCredential next) throws CredentialException {
    try {
      state.save(connector, spec.stateSecretName(), next);
    } catch (KubernetesClientException e) {
      keep(connector, spec, next);
      throw CredentialException.transientFailure("StateWriteFailed", "could not write state Secret "
          + spec.stateSecretName() + " (HTTP " + e.getCode() + "); the new credential is kept and written on retry",
          null);
    } catch (CredentialException e) {
      keep(connector, spec, next); // a foreign Secret of that name: kept, never dropped
      throw e;
    } catch (RuntimeException e) {
      // whatever went wrong, what the provider answered is kept and written on retry, never dropped
      keep(connector, spec, next);
      throw CredentialException.transientFailure("StateWriteFailed", "could not write state Secret "
          + spec.stateSecretName() + " (" + e.getClass().getSimpleName()
          + "); the new credential is kept and written on retry", null).classified("state_write_failed");
    }
  }

  private void keep(ApiConnector connector, ConnectorSettings spec, StoredCredential next) {
    pending.put(ResourceID.fromResource(connector), new Pending(connector, spec, next));
  }

  /** Holds {@code written} (just written to the state Secret) until {@link #projected} says the output holds it. */
  void awaitProjection(ResourceID id, StoredCredential written) {
    if (written.keptWithOutput()) {
      unprojected.put(id, written);
    } else {
      unprojected.remove(id);
    }
  }

  /** The output Secret now holds {@code credential}: nothing to hold for it any more. */
  void projected(ResourceID id, StoredCredential credential) {
    unprojected.remove(id, credential);
  }

  /**
   * What the connector holds: {@code loaded} from the state and output Secrets, or the credential held
   * since its output write failed when that is newer (the output then holds an older one, or none).
   */
  Optional<StoredCredential> holding(ResourceID id, Optional<StoredCredential> loaded) {
    StoredCredential held = unprojected.get(id);
    if (held == null || loaded.map(l -> !held.credential().issuedAt().isAfter(l.credential().issuedAt())).orElse(false)) {
      return loaded;
    }
    return Optional.of(held);
  }

  boolean hasPending(ResourceID id) {
    return pending.containsKey(id);
  }

  /**
   * Writes the credential kept from an earlier failed write, whatever its inputs or expiry (it may
   * carry the only refresh token the provider still accepts), unless the state Secret already holds
   * one issued later (by a former leader).
   *
   * @param stored what the state Secret holds now
   * @return the credential written, or the later one found; empty when nothing was pending
   */
  Optional<StoredCredential> writePending(ApiConnector connector, ConnectorSettings spec,
      Optional<StoredCredential> stored) throws CredentialException {
    Pending left = pending.remove(ResourceID.fromResource(connector));
    if (left == null) {
      return Optional.empty();
    }
    StoredCredential kept = left.credential();
    if (stored.isPresent() && stored.get().credential().issuedAt().isAfter(kept.credential().issuedAt())) {
      LOG.warn("{}/{}: the state Secret holds a credential issued after the unwritten one; keeping the newer",
          connector.getMetadata().getNamespace(), connector.getMetadata().getName());
      return stored;
    }
    write(connector, spec, kept);
    awaitProjection(ResourceID.fromResource(connector), kept);
    return Optional.of(kept);
  }

  /**
   * Forgets a connector that was deleted or left this operator's shard, and hands back the write of a
   * credential still pending for it: a relabelled connector lives on in another shard, which must
   * find the rotated refresh token in the state Secret rather than present the spent one. The write
   * runs on the caller's thread; it does what {@link #writePending} does (a later credential in the
   * state Secret wins), and keeps nothing when it fails.
   *
   * @return the write to run, if a credential was pending
   */
  Optional<DepartedWrite> forget(ResourceID id) {
    unprojected.remove(id);
    Pending left = pending.remove(id);
    return Optional.ofNullable(left).map(p -> (DepartedWrite) () -> {
      Optional<StoredCredential> stored = state.load(p.connector(), p.spec());
      if (stored.isPresent() && stored.get().credential().issuedAt().isAfter(p.credential().credential().issuedAt())) {
        return;
      }
      try {
        state.save(p.connector(), p.spec().stateSecretName(), p.credential());
      } catch (KubernetesClientException e) {
        throw CredentialException.transientFailure("StateWriteFailed", "could not write state Secret "
            + p.spec().stateSecretName() + " (HTTP " + e.getCode() + ")", null);
      }
    });
  }

  /** The state write of a connector that left, pending when it did. */
  @FunctionalInterface
  interface DepartedWrite {
    void run() throws CredentialException;
  }
}
