package io.keyward.operator;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.renewal.RenewalPlan;
import io.keyward.renewal.RenewalSchedule;
import io.keyward.renewal.Standing;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The credential a connector holds (from its state Secret, or just issued) and its renewal plan,
 * computed once per credential.
 *
 * @param plan empty when the credential never expires
 */
record Holding(StoredCredential stored, Optional<RenewalPlan> plan) {
  static Holding of(ApiConnector connector, ConnectorSettings spec, StoredCredential stored) {
    var c = stored.credential();
    return new Holding(stored, c.expiresAt() == null ? Optional.empty()
        : Optional.of(RenewalSchedule.plan(c.issuedAt(), c.expiresAt(), spec.renewal(), jitterSeed(connector, c.issuedAt()))));
  }

  /** A stable spread per connector and instant (see {@link RenewalSchedule#jitterSeed}). */
  static double jitterSeed(ApiConnector connector, Instant instant) {
    return RenewalSchedule.jitterSeed(Objects.toString(connector.getMetadata().getUid(), ""), instant);
  }

  /** False for a record kept only for the issuer's state (a rotated refresh token): it is never published. */
  boolean publishable() {
    return stored.publishable();
  }

  Standing.Held held() {
    return new Standing.Held(stored.fingerprint(), stored.credential().expiresAt(),
        plan.map(RenewalPlan::renewAt).orElse(null));
  }
}
