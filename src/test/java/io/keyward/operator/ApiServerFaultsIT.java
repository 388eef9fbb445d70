package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.ApiFault;
import io.keyward.testing.ApiLink;
import io.keyward.testing.FaultCase;
import io.keyward.testing.TokenServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API-server rows of the fault matrix ({@code docs/reliability.md}): one connector with a rotating
 * refresh token, a provider that accepts each refresh token once ({@code invalid_grant} on reuse), and
 * an API server that refuses writes, drops its watches, or sees the operator replaced mid-refresh.
 *
 * <p>Each case checks what a user sees (conditions, the output Secret, Events), that the provider's
 * chain of refresh tokens never forks (each one presented once, none refused), how Keyward retried,
 * and that no secret value reached logs, Events, status or metrics.
 *
 * <p>The operator reaches the API server through an {@link ApiLink} the test can cut, on a client that
 * retries a 5xx answer {@value #CLIENT_RETRIES} times itself (Fabric8's default, 10 over about 20 s,
 * only makes an outage take longer to show).
 */
class ApiServerFaultsIT extends OperatorHarness {
  static final String SEED = "seed-refresh-token-matrix-5d4c";
  static final int CLIENT_RETRIES = 2;
  static final String STATE = "crm-keyward-state";
  static final String OUTPUT = "crm-credentials";

  ApiLink link;
  KubernetesClient operatorClient;

  @BeforeEach
  void linkTheOperator() throws Exception {
    operator.close(); // the harness's instance, on the test's own client
    link = cluster.link();
    operatorClient = cluster.client(link, CLIENT_RETRIES);
    afterOperator.add(operatorClient);
    afterOperator.add(link);
    // before the operator starts: its first list finds them, and no reconcile can race their watch events
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    operator = startLinkedOperator();
  }

  private KeywardOperator startLinkedOperator() {
    return startOperator(operatorClient, testSettings(), Loopback.sender());
  }

  // ---- writes refused ---------------------------------------------------------------------------

  @Test
  @FaultCase("api-409-state")
  void aConflictOnTheStateWriteKeepsTheRotatedTokenInMemoryAndThePreviousCredentialPublished() {
    publishFirstToken();
    ApiFault conflict = ApiFault.secretWrites(NS, STATE, 409);
    cluster.intercept(conflict);
    requestRefresh("crm", "2026-12-01T10:00:00Z");

    ApiConnectorStatus failing = awaitRetrying("StateWriteFailed", 3);
    assertThat(failing.condition("Degraded").orElseThrow().message).contains("Secret " + STATE, "HTTP 409",
        "kept and written on retry", "next retry at");
    assertServes(1);
    assertThat(tokens.issuedCount()).as("provider calls: the first issue and the one refresh").isEqualTo(2);
    // each attempt is a write and, after the conflict, one more over the latest version
    assertRetriedOnBackoff(conflict, 2);

    conflict.heal();
    awaitOutput(OUTPUT, v -> TokenServer.token(2).equals(v.get("token")));
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    assertThat(tokens.issuedCount()).as("the kept answer was written, not asked for again").isEqualTo(2);
    assertThat(eventReasons("crm")).as("one Warning for the failure, not one per retry; the recovery once written")
        .containsExactly("Issued", "StateWriteFailed", "Recovered");
    assertChainIntact();
    assertNothingLeaked();
  }

  @Test
  @FaultCase("api-409-output")
  void aConflictOnTheOutputWriteKeepsThePreviousCredentialAndReprojectsFromState() {
    publishFirstToken();
    ApiFault conflict = ApiFault.secretWrites(NS, OUTPUT, 409);
    cluster.intercept(conflict);
    requestRefresh("crm", "2026-12-01T10:00:00Z");

    ApiConnectorStatus failing = awaitRetrying("OutputWriteFailed", 3);
    assertThat(failing.condition("Degraded").orElseThrow().message).contains("Secret " + OUTPUT, "HTTP 409");
    assertThat(failing.condition("Ready").orElseThrow()).as("Ready, though the Secret holds a valid credential")
        .satisfies(c -> assertThat(c.status).isEqualTo("False"), c -> assertThat(c.reason).isEqualTo("OutputWriteFailed"));
    assertThat(cluster.secretValues(NS, OUTPUT).get("token")).as("the previous credential stays")
        .isEqualTo(TokenServer.token(1));
    assertThat(stateRefreshToken()).as("state before output: the rotated token is persisted")
        .isEqualTo(onlyLiveRefreshToken());
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertRetriedOnBackoff(conflict, 2);

    conflict.heal();
    awaitOutput(OUTPUT, v -> TokenServer.token(2).equals(v.get("token")));
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(tokens.issuedCount()).as("re-projected from state, the provider not asked again").isEqualTo(2);
    assertThat(eventReasons("crm")).containsOnlyOnce("OutputWriteFailed");
    assertChainIntact();
    assertNothingLeaked();
  }

  @Test
  @FaultCase("api-5xx-blip")
  void afewServerErrorsAreRetriedByTheClientAndShowNowhere() {
    publishFirstToken();
    ApiFault blip = ApiFault.secretWrites(NS, STATE, 503).first(CLIENT_RETRIES);
    cluster.intercept(blip);
    requestRefresh("crm", "2026-12-01T10:00:00Z");

    awaitOutput(OUTPUT, v -> TokenServer.token(2).equals(v.get("token")));
    assertThat(blip.refusals()).isEqualTo(CLIENT_RETRIES);
    ApiConnectorStatus status = await().atMost(Duration.ofSeconds(30)).until(() -> connector("crm").getStatus(),
        s -> "2026-12-01T10:00:00Z".equals(s.lastRefreshRequest));
    assertThat(status.condition("Degraded").orElseThrow().reason).isEqualTo("RefreshSucceeded");
    assertThat(status.consecutiveFailures).isZero();
    assertThat(status.lastFailureTime).isNull();
    assertThat(eventReasons("crm")).as("no Warning; the requested refresh").containsExactly("Issued", "Reissued");
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertChainIntact();
    assertNothingLeaked();
  }

  @Test
  @FaultCase("api-5xx-state")
  void stateWritesFailingPastTheExpiryKeepTheRotatedTokenAndNeverAskTheProviderTwice() {
    // renewed at half-life (3 s): the outage below outlasts the published credential
    tokens.expiresIn(6);
    publishFirstToken();
    ApiFault outage = ApiFault.secretWrites(NS, STATE, 503);
    cluster.intercept(outage);

    await().atMost(Duration.ofSeconds(60)).until(() -> outage.refusals() > 0);
    ApiConnectorStatus failing = awaitRetrying("StateWriteFailed", 3);
    assertThat(failing.condition("Degraded").orElseThrow().message).contains("HTTP 503");
    assertThat(tokens.issuedCount()).as("the rotation is held, not asked for again").isEqualTo(2);
    Map<String, String> published = cluster.secretValues(NS, OUTPUT);
    assertThat(published.get("token")).as("the previous credential stays published").isEqualTo(TokenServer.token(1));
    Instant firstExpiry = Instant.parse(published.get("expires-at"));

    // past its expiry the previous credential is still there (never removed), and Ready says why it is not enough
    Condition notReady = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> readyCondition(), c -> c != null && "False".equals(c.status));
    assertThat(notReady.reason).isEqualTo("StateWriteFailed");
    assertThat(Instant.now()).isAfter(firstExpiry);
    assertThat(cluster.secretValues(NS, OUTPUT).get("token")).isEqualTo(TokenServer.token(1));
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertRetriedOnBackoff(outage, 1 + CLIENT_RETRIES);

    outage.heal();
    // the held answer is written first; if it expired meanwhile, the next refresh presents its refresh token
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    assertThat(eventReasons("crm")).containsOnlyOnce("StateWriteFailed");
    assertChainIntact();
    assertNothingLeaked();
  }

  @Test
  @FaultCase("api-5xx-output")
  void outputWritesFailingKeepThePreviousCredentialAndAreRetriedWithoutAProviderCall() {
    publishFirstToken();
    ApiFault outage = ApiFault.secretWrites(NS, OUTPUT, 503);
    cluster.intercept(outage);
    requestRefresh("crm", "2026-12-01T10:00:00Z");

    ApiConnectorStatus failing = awaitRetrying("OutputWriteFailed", 3);
    assertThat(failing.condition("Degraded").orElseThrow().message).contains("Secret " + OUTPUT, "HTTP 503");
    assertThat(failing.condition("Ready").orElseThrow()).as("Ready, though the Secret holds a valid credential")
        .satisfies(c -> assertThat(c.status).isEqualTo("False"), c -> assertThat(c.reason).isEqualTo("OutputWriteFailed"));
    assertThat(cluster.secretValues(NS, OUTPUT).get("token")).isEqualTo(TokenServer.token(1));
    assertThat(stateRefreshToken()).isEqualTo(onlyLiveRefreshToken());
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertRetriedOnBackoff(outage, 1 + CLIENT_RETRIES);

    outage.heal();
    awaitOutput(OUTPUT, v -> TokenServer.token(2).equals(v.get("token")));
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertThat(eventReasons("crm")).containsOnlyOnce("OutputWriteFailed");
    assertChainIntact();
    assertNothingLeaked();
  }

  @Test
  @FaultCase("api-5xx-status")
  void refreshesGoOnWhileStatusWritesFailAndStatusCatchesUpAfterwards() {
    tokens.expiresIn(60); // renewed at half-life: 30 s after its issue
    publishFirstToken();
    ApiFault outage = ApiFault.statusWrites(NS, "crm", 503);
    cluster.intercept(outage);
    requestRefresh("crm", "2026-12-01T10:00:00Z"); // a refresh, whose status cannot be written
    awaitOutput(OUTPUT, v -> TokenServer.token(2).equals(v.get("token")));
    await().atMost(Duration.ofSeconds(30)).until(() -> outage.refusals() > 0);

    // the renewal of token 2 falls due after JOSDK's default retry (5 attempts over about 16 s) gives up:
    // before, the last failed attempt lost the reschedule, and the connector was looked at again only
    // after JOSDK's maximum reconciliation interval (10 hours), long after its credential expired
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
        .until(() -> TokenServer.token(3).equals(cluster.secretValues(NS, OUTPUT).get("token")));
    assertThat(outage.refusals()).as("status writes tried").isGreaterThan(5 * (1 + CLIENT_RETRIES));
    assertThat(tokens.issuedCount()).isEqualTo(3);

    outage.heal();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      var out = client.secrets().inNamespace(NS).withName(OUTPUT).get();
      var status = connector("crm").getStatus();
      assertThat(status.issuedAt).as("status describes the published credential")
          .isEqualTo(StatusBuilder.time(Instant.parse(out.getMetadata().getAnnotations().get("keyward.io/issued-at"))));
      assertThat(status.condition("Ready").orElseThrow().reason).isEqualTo("CredentialIssued");
      assertThat(status.condition("Degraded").orElseThrow().reason).isEqualTo("RefreshSucceeded");
    });
    assertThat(operator.scrape()).as("the failed reconciles are counted")
        .containsPattern("(?m)^operator_sdk_reconciliations_failed_total\\S* [1-9]");
    assertThat(logs.text()).as("and logged").contains("Failure executing: PATCH", "/apiconnectors/crm/status");
    assertThat(eventReasons("crm")).as("no Warning: no refresh failed; the requested refresh, not the routine one")
        .containsExactly("Issued", "Reissued");
    assertChainIntact();
    assertNothingLeaked();
  }

  // ---- the watch and the operator ----------------------------------------------------------------

  @Test
  @FaultCase("api-watch-dropped")
  void aRefreshRequestedWhileTheWatchIsDownIsActedOnOnceItResumes() {
    publishFirstToken();
    int accepted = link.accepted();
    link.cut(true); // every watch and pooled connection closes; the API server stays unreachable
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    await().atMost(Duration.ofSeconds(60)).until(() -> link.refused() >= 3); // the informers try to reconnect
    assertThat(tokens.issuedCount()).isEqualTo(1);
    assertServes(1);

    link.restore();
    // the informers reconnect on their own backoff (Fabric8's: from 1 s, doubling)
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> TokenServer.token(2).equals(cluster.secretValues(NS, OUTPUT).get("token")));
    assertThat(link.accepted()).as("the watches were opened again").isGreaterThan(accepted);
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    // and the resumed watch carries the next change
    requestRefresh("crm", "2026-12-01T11:00:00Z");
    awaitOutput(OUTPUT, v -> TokenServer.token(3).equals(v.get("token")));
    assertThat(tokens.issuedCount()).as("one provider call per refresh request").isEqualTo(3);
    assertChainIntact();
    assertNothingLeaked();
  }

  @Test
  @FaultCase("api-operator-replaced-mid-refresh")
  void anOperatorStoppedWhileTheProviderAnswersHandsTheRotatedTokenToItsSuccessor() throws Exception {
    publishFirstToken();
    var held = new CountDownLatch(1);   // the provider has the refresh and holds its answer
    var answer = new CountDownLatch(1); // the test lets it rotate the token and answer
    tokens.beforeAnswer(r -> {
      if (tokens.issuedCount() == 1) {
        held.countDown();
        try {
          answer.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    try {
      assertThat(held.await(30, TimeUnit.SECONDS)).as("the refresh reached the provider").isTrue();
      long shutdownsBefore = shutdownMessages();
      KeywardOperator stopped = operator;
      var closing = new FutureTask<Void>(stopped::close, null);
      new Thread(closing, "test-stops-operator").start();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
          .until(() -> stopping(stopped, shutdownsBefore));
      answer.countDown();                // rotated and answered while the operator stops
      closing.get(90, TimeUnit.SECONDS); // close waits for the in-flight issue to persist what it got
    } finally {
      answer.countDown();
      tokens.beforeAnswer(null);
    }
    assertThat(stateRefreshToken()).as("the token rotated during the stop is persisted")
        .isEqualTo(onlyLiveRefreshToken());
    Map<String, String> meanwhile = cluster.secretValues(NS, OUTPUT);
    assertThat(meanwhile.get("token")).as("with no operator, a valid credential is published")
        .isIn(TokenServer.token(1), TokenServer.token(2));
    assertThat(Instant.parse(meanwhile.get("expires-at"))).isAfter(Instant.now());

    operator = startLinkedOperator();
    awaitOutput(OUTPUT, v -> TokenServer.token(2).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    assertThat(tokens.issuedCount()).as("the successor does not ask again for what was answered").isEqualTo(2);
    String rotatedDuringStop = onlyLiveRefreshToken();
    requestRefresh("crm", "2026-12-01T11:00:00Z");
    awaitOutput(OUTPUT, v -> TokenServer.token(3).equals(v.get("token")));
    assertThat(tokens.requests().get(2).form().get("refresh_token")).as("the successor's first refresh")
        .isEqualTo(rotatedDuringStop);
    assertChainIntact();
    assertNothingLeaked();
  }

  // ---- what the cases share ---------------------------------------------------------------------

  private void publishFirstToken() {
    create(refreshing("crm"));
    awaitOutput(OUTPUT, v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
  }

  private Condition readyCondition() {
    var c = connector("crm");
    return c == null || c.getStatus() == null ? null : c.getStatus().condition("Ready").orElse(null);
  }

  /** Degraded for {@code reason}, retried: at least {@code failures} failures in a row. */
  private ApiConnectorStatus awaitRetrying(String reason, int failures) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> connector("crm").getStatus(), s -> s != null && s.consecutiveFailures >= failures
            && s.condition("Degraded").filter(d -> "True".equals(d.status) && reason.equals(d.reason)).isPresent());
  }

  /** The output Secret still holds the n-th token, valid, and Ready says so. */
  private void assertServes(int n) {
    Map<String, String> out = cluster.secretValues(NS, OUTPUT);
    assertThat(out.get("token")).isEqualTo(TokenServer.token(n));
    assertThat(Instant.parse(out.get("expires-at"))).isAfter(Instant.now());
    Condition ready = connector("crm").getStatus().condition("Ready").orElseThrow();
    assertThat(ready.status).isEqualTo("True");
    assertThat(ready.reason).isEqualTo("CredentialIssued");
  }

  /**
   * Keyward retried on its backoff, not in a loop: every attempt is a failure counted in status, and
   * attempts are at least the first backoff step apart (a loaded machine only spaces them more).
   */
  private void assertRetriedOnBackoff(ApiFault fault, int writesPerAttempt) {
    List<Instant> refused = fault.refusedAt();
    int failures = connector("crm").getStatus().consecutiveFailures;
    int attempts = (refused.size() + writesPerAttempt - 1) / writesPerAttempt;
    assertThat(attempts).as("attempts, each one a failure in status").isGreaterThanOrEqualTo(2)
        .isLessThanOrEqualTo(failures + 1);
    Duration span = Duration.between(refused.get(0), refused.get(refused.size() - 1));
    assertThat(attempts).as("attempts over %s: no faster than one per first backoff step", span)
        .isLessThanOrEqualTo(2 + (int) (span.toMillis() / 400));
  }

  private String stateRefreshToken() {
    return cluster.secretValues(NS, STATE).get("state.refresh-token");
  }

  private String onlyLiveRefreshToken() {
    assertThat(tokens.liveRefreshTokens()).hasSize(1);
    return tokens.liveRefreshTokens().iterator().next();
  }

  /**
   * No refresh token was lost: none was refused, each was presented once (the chain never forked),
   * and the one the provider accepts now is the one in the state Secret.
   */
  private void assertChainIntact() {
    assertThat(tokens.invalidGrants()).as("refresh tokens the provider refused").isZero();
    List<String> presented = tokens.requests().stream().map(r -> r.form().get("refresh_token")).toList();
    assertThat(presented).as("refresh tokens presented").startsWith(SEED).doesNotContainNull()
        .doesNotHaveDuplicates();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(tokens.liveRefreshTokens()).containsExactly(stateRefreshToken()));
    secretValues.addAll(presented);
    secretValues.addAll(tokens.liveRefreshTokens());
  }

  private void assertNothingLeaked() {
    assertNothingLeakedIncludingMetrics(OUTPUT, SEED);
  }

}
