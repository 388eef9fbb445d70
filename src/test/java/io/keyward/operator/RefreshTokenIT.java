package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.mockwebserver.http.MockResponse;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.testing.TokenServer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Rotating refresh tokens through the whole operator: state before output, never a lost token,
 * never a second provider call for one rotation (DESIGN §3).
 */
class RefreshTokenIT extends OperatorHarness {
  static final String SEED = "seed-refresh-token-0a1b2c";

  /** Lifetime of the rotation test's tokens: renewed at half-life, so a published token has 5 s to spare. */
  static final long ROTATING_LIFETIME = 10;
  /** Refreshes in the rotation test, half of them by the restarted instance. */
  static final int ROTATIONS = 8;

  @Test
  void rotationsAcrossAnOperatorRestartWithoutASingleInvalidGrant() {
    // renewed at half-life: every poll below may stall for seconds and still find a valid token
    tokens.expiresIn(ROTATING_LIFETIME);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    create(refreshing("crm"));

    Set<String> seen = new HashSet<>();
    boolean restarted = false;
    Instant deadline = Instant.now().plusSeconds(120);
    while (tokens.issuedCount() < 1 + ROTATIONS && Instant.now().isBefore(deadline)) {
      if (!restarted && tokens.issuedCount() >= 1 + ROTATIONS / 2) {
        // between refreshes: once the last answer is published, a new instance on the same API server
        String latest = TokenServer.token(tokens.issuedCount());
        seen.add(awaitOutput("crm-credentials", v -> latest.equals(v.get("token"))).get("token"));
        operator.close();
        operator = startOperator();
        restarted = true;
      }
      Instant asked = Instant.now(); // before the read: a stall after it cannot age what was read
      Map<String, String> out = cluster.secretValues(NS, "crm-credentials");
      if (out != null) {
        assertThat(Instant.parse(out.get("expires-at"))).as("published token %s still valid when asked at %s",
            out.get("token"), asked).isAfter(asked);
        seen.add(out.get("token"));
      }
      sleep(100); // the poll interval; nothing here waits for an event
    }

    assertThat(tokens.issuedCount()).isGreaterThanOrEqualTo(1 + ROTATIONS);
    assertThat(restarted).isTrue();
    assertThat(tokens.invalidGrants()).as("invalid_grant responses").isZero();
    var presented = tokens.requests().stream().map(r -> r.form().get("refresh_token")).toList();
    assertThat(presented).as("refresh tokens presented: the seed, then each rotated one once").startsWith(SEED)
        .doesNotHaveDuplicates().doesNotContainNull();
    // each token is out for 4-5 s and polled every 100 ms: the last may not be out yet when the loop
    // ends, and one more may fall into the restart
    assertThat(seen).as("tokens seen in the output Secret").hasSizeGreaterThanOrEqualTo(ROTATIONS - 1);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(tokens.liveRefreshTokens())
        .containsExactly(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token")));
    Map<String, String> state = cluster.secretValues(NS, "crm-keyward-state");
    assertThat(state.get("state.refresh-token")).startsWith("rotated-refresh-token-");
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertThat(cluster.secretValues(NS, "crm-credentials").values())
        .noneMatch(v -> v.contains("refresh-token") || v.equals(SEED) || v.equals(CLIENT_SECRET));
    assertNoSecretValueLeaked();
  }

  @Test
  void stoppingTheOperatorWhileTheProviderAnswersLosesNoToken() throws Exception {
    // the lifetime only paces the refreshes: no assertion here depends on a token being valid
    tokens.expiresIn(3);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    var held = new CountDownLatch(1);   // the provider has the second refresh and holds its answer
    var answer = new CountDownLatch(1); // the test lets it rotate the token and answer
    tokens.beforeAnswer(r -> {
      if (tokens.issuedCount() == 2) {
        held.countDown();
        try {
          answer.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    create(refreshing("crm"));

    int issuedAtStop;
    String rotatedDuringStop;
    try {
      assertThat(held.await(30, TimeUnit.SECONDS)).as("the second refresh reached the provider").isTrue();
      long shutdownsBefore = shutdownMessages();
      KeywardOperator stopped = operator;
      var closing = new FutureTask<Void>(stopped::close, null);
      new Thread(closing, "test-stops-operator").start();
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
          .until(() -> stopping(stopped, shutdownsBefore));
      answer.countDown();                 // rotated and answered while the operator stops, before its state write
      closing.get(90, TimeUnit.SECONDS);  // close waits for the in-flight issuance to persist what it got
      tokens.beforeAnswer(null);
      issuedAtStop = tokens.issuedCount();
      assertThat(issuedAtStop).as("issued before the restart").isEqualTo(3);
      rotatedDuringStop = tokens.liveRefreshTokens().iterator().next();
      assertThat(tokens.liveRefreshTokens()).containsExactly(rotatedDuringStop);
      assertThat(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token"))
          .as("the token rotated during the stop was persisted").isEqualTo(rotatedDuringStop);
    } finally {
      answer.countDown();                 // never leave the provider's thread waiting
    }

    operator = startOperator();
    await().atMost(Duration.ofSeconds(60)).until(() -> tokens.issuedCount() >= issuedAtStop + 2);
    assertThat(tokens.invalidGrants()).as("invalid_grant responses").isZero();
    var presented = tokens.requests().stream().map(r -> r.form().get("refresh_token")).toList();
    assertThat(presented).as("each refresh token presented once").doesNotHaveDuplicates();
    assertThat(presented.get(issuedAtStop)).as("the restarted instance's first refresh").isEqualTo(rotatedDuringStop);
    tokens.liveRefreshTokens().forEach(secretValues::add);
    secretValues.add(rotatedDuringStop);
    assertNoSecretValueLeaked();
  }

  @Test
  void aFailedStateWriteKeepsTheRotatedTokenAndDoesNotCallTheProviderAgain() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    AtomicInteger failures = new AtomicInteger();
    cluster.intercept(r -> (r.getPath().contains("/secrets/crm-keyward-state")
        || r.getPath().endsWith("/secrets") && new String(r.getBody().getBytes()).contains("crm-keyward-state"))
            && !"GET".equals(r.getMethod())
        ? (failures.incrementAndGet() <= 3
            // a conflict, as from a stale writer (the client itself retries 5xx answers)
            ? new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409}")
            : null)
        : null);
    create(refreshing("crm"));

    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(failures.get()).isGreaterThanOrEqualTo(3);
    assertThat(tokens.issuedCount()).as("provider calls").isEqualTo(1);
    assertThat(tokens.invalidGrants()).isZero();
    String persisted = cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token");
    assertThat(tokens.liveRefreshTokens()).containsExactly(persisted);
    assertThat(eventReasons("crm")).contains("StateWriteFailed", "Issued");
    secretValues.add(persisted);
    assertNoSecretValueLeaked();
  }

  @Test
  void aTokenRotatedByAManualRefreshIsWrittenOnRetryThoughNoRefreshIsDue() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    create(refreshing("crm"));              // a one-hour token: no refresh falls due during the test
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    AtomicInteger conflicts = new AtomicInteger();
    cluster.intercept(r -> r.getPath().contains("/secrets/crm-keyward-state") && !"GET".equals(r.getMethod())
        && conflicts.incrementAndGet() <= 2  // the write, and the one re-decided write over the latest version
            ? new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409}")
            : null);
    client.resources(ApiConnector.class).inNamespace(NS).withName("crm").edit(c -> {
      c.getMetadata().getAnnotations().put(ApiConnector.REFRESH_REQUESTED_AT, "2026-11-22T10:00:00Z");
      return c;
    });

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(conflicts.get()).isGreaterThanOrEqualTo(3);
      assertThat(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token"))
          .isEqualTo(tokens.liveRefreshTokens().iterator().next());
    });
    assertThat(tokens.issuedCount()).as("provider calls: the first issue and the manual refresh").isEqualTo(2);
    assertThat(tokens.invalidGrants()).isZero();
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertNoSecretValueLeaked();
  }

  @Test
  void anAnswerThatCannotBePublishedStillKeepsTheRefreshTokenItRotated() {
    tokens.expiresIn(3600);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    create(refreshing("crm"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    AtomicInteger unusable = new AtomicInteger();
    // the provider rotates the refresh token, but its access token would split a header
    tokens.override(rotatingButUnusable(unusable));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    requestRefresh("crm", "2026-12-01T22:00:00Z");
    awaitCondition("crm", "Degraded", "True", "InvalidTokenResponse");
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token"))
            .isEqualTo(tokens.liveRefreshTokens().iterator().next()));
    assertThat(cluster.secretValues(NS, "crm-credentials").get("token")).as("the last good one stays")
        .isEqualTo(TokenServer.token(1));

    // the provider's next answer is usable: the failed refresh request is tried again after its backoff,
    // presenting the token it rotated last
    tokens.override(null);
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    assertThat(connector("crm").getStatus().lastIssueReason).isEqualTo("Retrying");
    assertThat(connector("crm").getStatus().lastRefreshRequest).isEqualTo("2026-12-01T22:00:00Z");
    assertThat(unusable.get()).isGreaterThanOrEqualTo(1);
    assertThat(tokens.invalidGrants()).as("no refresh token was lost").isZero();
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertNoSecretValueLeaked();
  }

  @Test
  void invalidGrantAsksForReauthorisationKeepsTheLastTokenAndRecoversFromANewSeed() {
    tokens.expiresIn(6);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    // the provider revokes the grant after the first issue: every refresh from then on is refused,
    // however late this thread gets to look (before, the override raced the refresh due at 3 s)
    tokens.override(r -> tokens.issuedCount() == 0 ? null : TokenServer.Response.json(400, "{\"error\":\"invalid_grant\"}"));
    create(refreshing("crm"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    tokens.liveRefreshTokens().forEach(secretValues::add);

    var ready = await().atMost(Duration.ofSeconds(30)).until(() -> connector("crm").getStatus().condition("Degraded")
        .orElse(null), c -> c != null && "ReauthorizationRequired".equals(c.reason));
    assertThat(ready.message).contains("crm-seed");
    assertThat(cluster.secretValues(NS, "crm-credentials").get("token")).isEqualTo(TokenServer.token(1));
    assertThat(eventReasons("crm")).contains("ReauthorizationRequired");
    int calls = tokens.requests().size();
    sleep(2000);
    assertThat(tokens.requests()).as("no retries of a rejected grant").hasSize(calls);

    tokens.override(null);
    seed("seed-after-reauthorisation-9z");
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    awaitOutput("crm-credentials", v -> !TokenServer.token(1).equals(v.get("token")));
    assertThat(tokens.requests().get(tokens.requests().size() - 1).form())
        .containsEntry("refresh_token", "seed-after-reauthorisation-9z");
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertThat(eventReasons("crm")).as("kubectl describe tells the re-authorisation")
        .containsExactly("Issued", "ReauthorizationRequired", "Reauthorized", "Recovered");
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).filteredOn(e -> "Reauthorized".equals(e.getReason()))
        .singleElement().satisfies(e -> assertThat(e.getMessage()).startsWith(
            "the new refresh token in Secret crm-seed key refresh-token replaced the stored one; issued a new credential"));
    assertNoSecretValueLeaked();
  }

  @Test
  void aFirstAnswerThatCannotBePublishedStillKeepsTheRefreshTokenItRotated() {
    tokens.expiresIn(3600);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    AtomicInteger unusable = new AtomicInteger();
    // the provider spends the seed and rotates it, but its first access token would split a header
    tokens.override(rotatingButUnusable(unusable));
    create(refreshing("crm"));
    awaitCondition("crm", "Degraded", "True", "InvalidTokenResponse");
    // nothing is published, but the rotated refresh token is in the state Secret, not lost with the answer
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token"))
            .isEqualTo(tokens.liveRefreshTokens().iterator().next()));
    assertThat(cluster.secretValues(NS, "crm-credentials")).isNull();
    assertThat(connector("crm").getStatus().condition("Ready").orElseThrow().status).isEqualTo("False");

    // the provider's next answer is usable: the retry presents the rotated token, not the spent seed
    tokens.override(null);
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(unusable.get()).isGreaterThanOrEqualTo(1);
    assertThat(tokens.invalidGrants()).as("no refresh token was lost").isZero();
    assertThat(tokens.requests().stream().map(r -> r.form().get("refresh_token")))
        .as("the seed is presented once").containsOnlyOnce(SEED);
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertNoSecretValueLeaked();
  }

  /**
   * A provider that rotates the refresh token it is shown (invalid_grant for a spent one) but answers
   * with an access token that would split a header; counts those answers.
   */
  java.util.function.Function<TokenServer.Request, TokenServer.Response> rotatingButUnusable(AtomicInteger unusable) {
    return r -> {
      String next = tokens.rotateRefreshToken(r.form().get("refresh_token"));
      if (next == null) {
        return TokenServer.Response.json(400, "{\"error\":\"invalid_grant\"}");
      }
      secretValues.add(next);
      unusable.incrementAndGet();
      return TokenServer.Response.json(200, "{\"access_token\":\"at-x\\r\\nX-Injected: 1\",\"token_type\":\"Bearer\","
          + "\"expires_in\":3600,\"refresh_token\":\"" + next + "\"}");
    };
  }
}
