package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a shard that just picked a connector up holds its refresh, and for how long (the grace is 45 s). */
class ShardHandoverTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final Duration GRACE = Duration.ofSeconds(45);
  final ShardHandover handover = new ShardHandover(GRACE);
  final ApiConnector connector = connector();

  static ApiConnector connector() {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName("crm").withNamespace("sales").withUid("u-1").build());
    return c;
  }

  /** A published credential with a rotating refresh token, issued {@code age} ago and valid {@code left} more. */
  static Optional<Holding> rotating(Duration age, Duration left) {
    IssuedCredential c = IssuedCredential.authorization("Bearer", "at", T0.minus(age), T0.plus(left))
        .withState(Map.of("refresh-token", "r1", "seed-hash", "h"));
    return Optional.of(new Holding(new StoredCredential(c, "fp"), Optional.empty()));
  }

  static Optional<Holding> clientCredentials(Duration age, Duration left) {
    IssuedCredential c = IssuedCredential.authorization("Bearer", "at", T0.minus(age), T0.plus(left));
    return Optional.of(new Holding(new StoredCredential(c, "fp"), Optional.empty()));
  }

  @Test
  void aRefreshDueRightAfterPickingUpARotatingTokenWaitsForTheGrace() {
    var held = rotating(Duration.ofMinutes(40), Duration.ofMinutes(20));
    handover.reconciling(connector, held, true, T0);

    Optional<CredentialException> hold = handover.hold(connector, held, T0.plusSeconds(2));
    assertThat(hold).hasValueSatisfying(e -> {
      assertThat(e.reason()).isEqualTo("ShardHandover");
      assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(43));
    });
    assertThat(handover.hold(connector, held, T0.plus(GRACE))).isEmpty();
  }

  @Test
  void aFirstReconcileThatCouldNotReadTheStateSecretDoesNotDecideThatNothingWasAdopted() {
    var held = rotating(Duration.ofMinutes(40), Duration.ofMinutes(20));
    handover.reconciling(connector, Optional.empty(), false, T0); // the GET of the state Secret failed
    handover.reconciling(connector, held, true, T0.plusSeconds(2)); // the retry read it

    assertThat(handover.hold(connector, held, T0.plusSeconds(3))).isPresent();
  }

  @Test
  void aConnectorThisOperatorIssuedFirstIsNeverHeld() {
    handover.reconciling(connector, Optional.empty(), true, T0);
    var issuedHere = rotating(Duration.ZERO, Duration.ofMinutes(60));

    assertThat(handover.hold(connector, issuedHere, T0.plusSeconds(2))).isEmpty();
  }

  @Test
  void aShortLivedTokenIsHeldForLessNotSkippedAndNeverPastThirtySecondsBeforeItsExpiry() {
    // 5-minute tokens are renewed when 2 minutes are left: the moment the old shard's refresh is in flight
    var held = rotating(Duration.ofMinutes(3), Duration.ofMinutes(2));
    handover.reconciling(connector, held, true, T0);
    assertThat(handover.hold(connector, held, T0.plusSeconds(1)))
        .hasValueSatisfying(e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(44)));

    // 50 s left: the hold ends 30 s before the expiry
    var almost = rotating(Duration.ofMinutes(4), Duration.ofSeconds(50));
    ShardHandover other = new ShardHandover(GRACE);
    other.reconciling(connector, almost, true, T0);
    assertThat(other.hold(connector, almost, T0.plusSeconds(1)))
        .hasValueSatisfying(e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(19)));
    assertThat(other.hold(connector, almost, T0.plusSeconds(20))).isEmpty();
  }

  @Test
  void aCredentialWithoutDurableStateIsIssuedAtOnceSinceASecondIssueSpendsNothing() {
    var held = clientCredentials(Duration.ofMinutes(40), Duration.ofMinutes(20));
    handover.reconciling(connector, held, true, T0);

    assertThat(handover.hold(connector, held, T0.plusSeconds(2))).isEmpty();
  }

  @Test
  void anExpiredCredentialIsIssuedAtOnce() {
    var expired = rotating(Duration.ofMinutes(70), Duration.ofMinutes(-10));
    handover.reconciling(connector, expired, true, T0);

    assertThat(handover.hold(connector, expired, T0.plusSeconds(2))).isEmpty();
  }
}
