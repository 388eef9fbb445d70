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
    return of(connector, spec, stored, null);
  }

  /**
   * A stored credential read by an operator that began reconciling at {@code since}: a renewal that
   * fell due before then is spread over the catch-up window ({@link RenewalSchedule#catchUp}).
   */
  static Holding of(ApiConnector connector, ConnectorSettings spec, StoredCredential stored, Instant since) {
    var c = stored.credential();
    if (c.expiresAt() == null) {
      return new Holding(stored, Optional.empty());
    }
    RenewalPlan plan = RenewalSchedule.plan(c.issuedAt(), c.expiresAt(), spec.renewal(), jitterSeed(connector, c.issuedAt()));
    return new Holding(stored, Optional.of(since == null ? plan
        : RenewalSchedule.catchUp(plan, c.expiresAt(), since, jitterSeed(connector, since))));
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
