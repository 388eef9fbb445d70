package io.keyward.operator;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.renewal.RefreshChecks;
import io.keyward.renewal.RefreshInputs;
import io.keyward.renewal.RenewalPlan;
import io.keyward.renewal.RenewalSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Applies the renewal maths to one connector: its refresh inputs, its plan, when to look again. */
final class ConnectorSchedule {
  private ConnectorSchedule() {}

  /** The value of the refresh annotation, or {@code null}. */
  static String refreshRequest(ApiConnector connector) {
    var annotations = connector.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(ApiConnector.REFRESH_REQUESTED_AT);
    return value == null || value.isBlank() ? null : value;
  }

  static RefreshInputs refreshInputs(ApiConnector connector, ConnectorSettings spec, StoredCredential stored,
      String fingerprint, FailureTracker.Failure failure, String handledRequest, Instant now) {
    String request = refreshRequest(connector);
    boolean terminal = failure != null && failure.terminal();
    RenewalPlan plan = stored == null ? null : plan(connector, spec, stored);
    return new RefreshInputs(
        stored != null,
        stored == null ? null : stored.credential().expiresAt(),
        fingerprint,
        stored == null ? null : stored.fingerprint(),
        plan == null ? null : plan.renewAt(),
        terminal ? failure.fingerprint() : null,
        failure == null || terminal ? null : failure.retryNotBefore(),
        request != null && !request.equals(handledRequest),
        now);
  }

  static RenewalPlan plan(ApiConnector connector, ConnectorSettings spec, StoredCredential stored) {
    var c = stored.credential();
    if (c.expiresAt() == null || spec == null) {
      return null;
    }
    return RenewalSchedule.plan(c.issuedAt(), c.expiresAt(), spec.renewal(), seed(connector, c.issuedAt()));
  }

  /** When to look again after this reconcile (see {@link RefreshChecks#nextCheck}). */
  static RefreshChecks.Outlook outlook(StoredCredential stored, RenewalPlan plan, FailureTracker.Failure failure) {
    return new RefreshChecks.Outlook(
        stored == null ? null : stored.credential().expiresAt(), plan == null ? null : plan.renewAt(),
        failure != null && failure.terminal(), failure == null ? null : failure.retryNotBefore());
  }

  static double seed(ApiConnector connector, Instant instant) {
    return RenewalSchedule.jitterSeed(Objects.toString(connector.getMetadata().getUid(), ""), instant);
  }

}
