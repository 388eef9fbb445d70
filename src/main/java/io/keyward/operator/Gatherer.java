package io.keyward.operator;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.SecretValues;
import java.time.Duration;
import java.util.Optional;

/**
 * The first step of a reconcile: reads the spec, the state Secret and the referenced Secrets, once,
 * from the informer cache. A credential issued earlier but not yet written goes to the state Secret
 * first, refresh due or not (DESIGN §3.3).
 */
final class Gatherer {
  private final Duration defaultLifetime;
  private final StateStore state;
  private final Issuance issuance;
  private final SecretInputs inputs;

  /** Where the Secrets an auth block references are read (revocation reads only the client's). */
  SecretInputs inputs() {
    return inputs;
  }
  private final io.keyward.provider.ProviderSource providers;

  Gatherer(Duration defaultLifetime, StateStore state, Issuance issuance, SecretInputs inputs,
      io.keyward.provider.ProviderSource providers) {
    this.defaultLifetime = defaultLifetime;
    this.providers = providers;
    this.state = state;
    this.issuance = issuance;
    this.inputs = inputs;
  }

  /**
   * What was read, or the problem that stopped the reading with what was read before it; never throws.
   *
   * @param since when this operator began reconciling: a stored renewal overdue by then is spread
   *     (see {@link Holding#of(ApiConnector, ConnectorSettings, StoredCredential, java.time.Instant)})
   */
  Gathered gather(ApiConnector connector, java.time.Instant since) {
    Optional<ConnectorSettings> spec = Optional.empty();
    Optional<StoredCredential> stored = Optional.empty();
    boolean flushed = false;
    try {
      spec = Optional.of(ConnectorSettings.of(connector, defaultLifetime, providers));
      stored = issuance.holding(connector, state.load(connector, spec.get()));
      Optional<StoredCredential> written = issuance.writePending(connector, spec.get(), stored);
      if (written.isPresent()) {
        stored = written;
        flushed = true;
      }
      if (stored.isPresent() && stored.get().checksumKey() == null) {
        stored = Optional.of(issuance.withChecksumKey(connector, spec.get(), stored.get())); // written by an earlier version
      }
      var values = inputs.resolve(connector, spec.get().auth());
      var resolved = new Gathered.Inputs(SecretValues.of(values),
          Fingerprint.of(spec.get().auth(), values, spec.get().defaultLifetime(), spec.get().validation()));
      return gathered(connector, spec, stored, since, Optional.of(resolved), flushed, Optional.empty());
    } catch (CredentialException e) {
      return gathered(connector, spec, stored, since, Optional.empty(), flushed, Optional.of(e));
    } catch (RuntimeException e) {
      return gathered(connector, spec, stored, since, Optional.empty(), flushed,
          Optional.of(InternalErrors.classify(e, connector)));
    }
  }

  private static Gathered gathered(ApiConnector connector, Optional<ConnectorSettings> spec,
      Optional<StoredCredential> stored, java.time.Instant since, Optional<Gathered.Inputs> inputs, boolean flushed,
      Optional<CredentialException> problem) {
    Optional<Holding> holding = stored.map(s -> Holding.of(connector, spec.orElseThrow(), s, since));
    return new Gathered(spec, holding, inputs, connector.refreshRequest(), flushed, problem);
  }
}
