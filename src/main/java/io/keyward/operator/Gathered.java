package io.keyward.operator;

import io.keyward.credential.CredentialException;
import io.keyward.credential.SecretValues;
import java.util.Optional;

/**
 * What a reconcile starts from, read once: the checked spec, the credential held, the resolved
 * inputs and the refresh annotation; or the problem that stopped the reading, with whatever was read
 * before it (a credential still held stays published when a referenced Secret goes missing).
 *
 * @param flushedPendingWrite a credential issued earlier but not written was written now
 */
record Gathered(Optional<ConnectorSettings> spec, Optional<Holding> holding, Optional<Inputs> inputs,
    Optional<String> refreshRequest, boolean flushedPendingWrite, Optional<CredentialException> problem) {

  /** The resolved Secret values and the digest of everything the credential is issued from. */
  record Inputs(SecretValues values, String fingerprint) {}

  /** The digest of the inputs, when they could be read. */
  Optional<String> fingerprint() {
    return inputs.map(Inputs::fingerprint);
  }
}
