package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.credential.http.EgressPolicy;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import io.keyward.renewal.Backoff;
import io.keyward.testing.SteppingClock;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Response;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * The timing logic of the real reconciler, driven by a clock the test moves (DESIGN §4): issue,
 * renewal, failure, backoff, retry and recovery, with status and schedule asserted at each step.
 * Tokens live an hour of the test's clock, so the wall clock decides nothing; a reconcile is
 * brought about by touching a referenced Secret (as a rotation would), and the test waits only for
 * the operator to have reconciled.
 */
class SteppingClockReconcileIT extends OperatorHarness {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  /** A clock that stands still until the test moves it. */
  private final SteppingClock clock = new SteppingClock(T0);
  private int touches;

  @Test
  void issueRenewalFailureBackoffRetryAndRecoveryOnTheTestsClock() {
    operator.close();
    operator = startOperator(testSettings().withClock(clock)
        .withBackoff(new Backoff(Duration.ofSeconds(20), Duration.ofMinutes(5), 2.0)),
        new HttpSender(HttpLimits.defaults(), Loopback.only(), clock));
    tokens.expiresIn(3600);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));

    // issue
    create(oauth2("crm"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    ApiConnectorStatus s = connector("crm").getStatus();
    assertThat(s.lastIssueReason).isEqualTo("Issuing");
    assertThat(s.issuedAt).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(s.expiresAt).isEqualTo("2026-12-01T11:00:00Z");
    Instant renewAt = Instant.parse(s.renewalTime);
    // renewed when a third of the hour is left, moved earlier by a few percent of jitter
    assertThat(renewAt).isBetween(T0.plusSeconds(2100), T0.plusSeconds(2412));
    assertThat(s.nextCheckTime).isEqualTo(s.renewalTime);
    assertThat(tokens.issuedCount()).isEqualTo(1);

    // just before the renewal time nothing is due: a reconcile calls nobody
    clock.set(renewAt.minusSeconds(5));
    touchAndAwaitReconcile();
    assertThat(tokens.issuedCount()).isEqualTo(1);
    assertThat(connector("crm").getStatus().lastIssueReason).isEqualTo("Issuing");

    // renewal
    Instant renewedAt = renewAt.plusSeconds(1);
    clock.set(renewedAt);
    touch();
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    s = await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").getStatus(),
        st -> "RenewalDue".equals(st.lastIssueReason));
    assertThat(s.issuedAt).isEqualTo(renewedAt.toString());
    assertThat(s.expiresAt).isEqualTo(renewedAt.plusSeconds(3600).toString());
    Instant secondRenewal = Instant.parse(s.renewalTime);
    assertThat(secondRenewal).isAfter(renewedAt.plusSeconds(2000));
    assertThat(s.nextCheckTime).isEqualTo(s.renewalTime);

    // failure: the provider is down and asks for a minute; the published token stays, Ready stays True
    tokens.override(r -> new Response(503, "application/json", "{}".getBytes(StandardCharsets.UTF_8),
        Map.of("Retry-After", "60")));
    Instant failedAt = secondRenewal.plusSeconds(1);
    clock.set(failedAt);
    touch();
    awaitCondition("crm", "Degraded", "True", "TokenEndpointUnavailable");
    s = connector("crm").getStatus();
    assertThat(s.consecutiveFailures).isEqualTo(1);
    assertThat(s.lastFailureTime).isEqualTo(failedAt.toString());
    assertThat(s.nextCheckTime).as("the provider's Retry-After beats the 20 s backoff")
        .isEqualTo(failedAt.plusSeconds(60).toString());
    assertThat(s.condition("Ready").orElseThrow().status).isEqualTo("True");
    int calls = tokens.requests().size();

    // backing off: inside the minute nobody is called, however often the connector is reconciled
    clock.set(failedAt.plusSeconds(30));
    touchAndAwaitReconcile();
    touchAndAwaitReconcile();
    assertThat(tokens.requests()).as("no call while backing off").hasSize(calls);
    assertThat(connector("crm").getStatus().consecutiveFailures).isEqualTo(1);

    // retry, still failing: the minute asked for again beats the second backoff (40 s ± 20 %)
    Instant retriedAt = failedAt.plusSeconds(61);
    clock.set(retriedAt);
    touch();
    s = await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").getStatus(),
        st -> st.consecutiveFailures != null && st.consecutiveFailures == 2);
    assertThat(tokens.requests()).hasSize(calls + 1);
    assertThat(Instant.parse(s.nextCheckTime)).isEqualTo(retriedAt.plusSeconds(60));

    // recovery: the provider is back; the next retry issues, and the failure is cleared
    tokens.override(null);
    clock.set(retriedAt.plusSeconds(61));
    touch();
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    awaitOutput("crm-credentials", v -> TokenServer.token(3).equals(v.get("token")));
    s = connector("crm").getStatus();
    assertThat(s.consecutiveFailures).isZero();
    assertThat(s.issuedAt).isEqualTo(retriedAt.plusSeconds(61).toString());
    assertThat(s.nextCheckTime).isEqualTo(s.renewalTime);
    assertThat(tokens.issuedCount()).isEqualTo(3);
    assertNoSecretValueLeaked();
  }

  @Test
  void aRefreshRequestThatFailsIsTriedAgainAfterItsBackoffAndOnlyThen() {
    startOnTheTestsClock();

    // the user asks for a refresh while the provider is down
    tokens.override(r -> unavailableForAMinute());
    Instant requestedAt = T0.plusSeconds(600);
    clock.set(requestedAt);
    requestRefresh("crm", "2026-12-01T10:10:00Z");
    awaitCondition("crm", "Degraded", "True", "TokenEndpointUnavailable");
    ApiConnectorStatus s = connector("crm").getStatus();
    assertThat(s.lastRefreshRequest).as("acted on, though it failed").isEqualTo("2026-12-01T10:10:00Z");
    assertThat(s.nextCheckTime).isEqualTo(requestedAt.plusSeconds(60).toString());
    assertThat(s.condition("Ready").orElseThrow().status).as("the last good token stays").isEqualTo("True");
    int calls = tokens.requests().size();

    // backing off: the request is not repeated on every reconcile
    clock.set(requestedAt.plusSeconds(30));
    touchAndAwaitReconcile();
    assertThat(tokens.requests()).as("no call while backing off").hasSize(calls);

    // after the backoff the failed request is tried again (not forgotten), and succeeds
    tokens.override(null);
    clock.set(requestedAt.plusSeconds(61));
    touch();
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    s = await().atMost(Duration.ofSeconds(15)).until(() -> connector("crm").getStatus(),
        st -> "Retrying".equals(st.lastIssueReason) && "False".equals(st.condition("Degraded").orElseThrow().status));
    assertThat(s.lastIssueMessage).contains("backoff is over");
    assertThat(s.consecutiveFailures).isZero();
    assertThat(s.nextCheckTime).isEqualTo(s.renewalTime);

    // settled: the same request is not acted on again
    touchAndAwaitReconcile();
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertNoSecretValueLeaked();
  }

  @Test
  void anOutputWriteThatFailsAfterARetriedIssueIsRetriedByWritingNotByAskingTheProviderAgain() {
    startOnTheTestsClock();
    // a refresh request fails at the provider
    tokens.override(r -> unavailableForAMinute());
    Instant requestedAt = T0.plusSeconds(600);
    clock.set(requestedAt);
    requestRefresh("crm", "2026-12-01T10:10:00Z");
    awaitCondition("crm", "Degraded", "True", "TokenEndpointUnavailable");

    // its retry succeeds at the provider, but the output Secret cannot be written
    AtomicBoolean refuseOutput = new AtomicBoolean(true);
    cluster.intercept(r -> refuseOutput.get() && writesTheOutputSecret(r) ? forbidden() : null);
    tokens.override(null);
    Instant retriedAt = requestedAt.plusSeconds(61);
    clock.set(retriedAt);
    touch();
    awaitCondition("crm", "Degraded", "True", "OutputWriteFailed");
    // client credentials keep no token in the state Secret: the new one is held in memory until it is published
    assertThat(cluster.secretValues(NS, "crm-keyward-state")).doesNotContainKey("token");
    assertThat(tokens.issuedCount()).isEqualTo(2);

    // later reconciles, past every backoff, write again; the provider is not asked again
    for (int minutes = 5; minutes <= 15; minutes += 5) {
      clock.set(retriedAt.plusSeconds(60L * minutes));
      touchAndAwaitReconcile();
    }
    assertThat(tokens.issuedCount()).as("provider calls while only the output write fails").isEqualTo(2);
    assertThat(connector("crm").getStatus().consecutiveFailures).isGreaterThanOrEqualTo(2);

    // the write goes through: the credential held is published, the failure clears
    refuseOutput.set(false);
    clock.set(retriedAt.plusSeconds(60L * 30));
    touch();
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertNoSecretValueLeaked();
  }

  @Test
  void aNewRefreshRequestAfterAFailedOneIsActedOnOnceEvenWhenItsOutputWriteFails() {
    startOnTheTestsClock();
    // a 503 that names no Retry-After: the connector backs off on its own, and the host is not paused
    // (with one, every connector of the host, a refresh request included, would wait it out)
    tokens.override(r -> new Response(503, "application/json", "{}".getBytes(StandardCharsets.UTF_8), Map.of()));
    Instant requestedAt = T0.plusSeconds(600);
    clock.set(requestedAt);
    requestRefresh("crm", "first");
    awaitCondition("crm", "Degraded", "True", "TokenEndpointUnavailable");

    // a second request during the backoff wins; the provider answers, the output write fails
    cluster.intercept(r -> writesTheOutputSecret(r) ? forbidden() : null);
    tokens.override(null);
    clock.set(requestedAt.plusSeconds(10));
    requestRefresh("crm", "second");
    awaitCondition("crm", "Degraded", "True", "OutputWriteFailed");
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertThat(connector("crm").getStatus().lastRefreshRequest).isEqualTo("second");

    // reconciles that follow do not take "second" for a new request
    clock.set(requestedAt.plusSeconds(20));
    touchAndAwaitReconcile();
    clock.set(requestedAt.plusSeconds(600));
    touchAndAwaitReconcile();
    assertThat(tokens.issuedCount()).as("the second request acted on once").isEqualTo(2);
    assertThat(connector("crm").getStatus().lastRefreshRequest).isEqualTo("second");
    assertNoSecretValueLeaked();
  }

  @Test
  void renewalsFoundOverdueAtARestartAreSpreadOverTwoMinutesNotAskedAtOnce() {
    operator.close();
    tokens.expiresIn(3600);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    operator = startOperator(testSettings().withClock(clock), http());
    int n = 24;
    for (int i = 0; i < n; i++) {
      create(oauth2("crm-" + i));
    }
    for (int i = 0; i < n; i++) {
      awaitCondition("crm-" + i, "Ready", "True", "CredentialIssued");
    }
    assertThat(tokens.issuedCount()).isEqualTo(n);

    // the operator is down while every renewal point (about 10:40) passes; it comes back at 10:50, 10 minutes
    // before the tokens expire. It is stopped once it is quiet: a reconcile still running when the clock moves
    // would renew on the old operator's side
    var settledAt = new double[] {reconciles()};
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
      double now = reconciles();
      boolean quiet = now == settledAt[0];
      settledAt[0] = now;
      return quiet;
    });
    operator.close();
    Instant restart = T0.plus(Duration.ofMinutes(50));
    clock.set(restart);
    operator = startOperator(testSettings().withClock(clock), http());
    java.util.Set<Instant> planned = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      String name = "crm-" + i;
      ApiConnectorStatus st = await().atMost(Duration.ofSeconds(30)).until(() -> connector(name).getStatus(),
          x -> x.renewalTime != null && !Instant.parse(x.renewalTime).isBefore(restart));
      Instant at = Instant.parse(st.renewalTime);
      assertThat(at).as(name + "'s renewal, moved into the two minutes after the restart (last issue: "
              + st.lastIssueReason + " at " + st.issuedAt + ")")
          .isBefore(restart.plus(Duration.ofMinutes(2)));
      assertThat(st.nextCheckTime).isEqualTo(st.renewalTime);
      assertThat(st.expiresAt).isEqualTo(T0.plus(Duration.ofHours(1)).toString());
      planned.add(at);
    }
    assertThat(tokens.issuedCount()).as("nothing asked at the restart itself").isEqualTo(n);
    assertThat(planned).as("spread, not one instant").hasSizeGreaterThan(n / 2);

    // once the window has passed, every one of them is renewed
    clock.set(restart.plus(Duration.ofMinutes(2)));
    touch();
    await().atMost(Duration.ofSeconds(30)).until(tokens::issuedCount, c -> c >= 2 * n);
    for (int i = 0; i < n; i++) {
      String name = "crm-" + i;
      await().atMost(Duration.ofSeconds(15)).until(() -> connector(name).getStatus(),
          x -> "RenewalDue".equals(x.lastIssueReason));
    }
    assertThat(tokens.issuedCount()).isEqualTo(2 * n);

    // down again until 90 s before the new tokens expire: no room to spread, each is renewed at once
    operator.close();
    clock.set(restart.plus(Duration.ofMinutes(2)).plus(Duration.ofHours(1)).minusSeconds(90));
    operator = startOperator(testSettings().withClock(clock), http());
    await().atMost(Duration.ofSeconds(30)).until(tokens::issuedCount, c -> c >= 3 * n);
    assertNoSecretValueLeaked();
  }

  /** A sender on the test's clock whose per-host budget (refilled by that clock) lets 24 connectors through. */
  private HttpSender http() {
    return new HttpSender(HttpLimits.defaults().withHostRate(1000, 1000), Loopback.only(), clock);
  }

  private void startOnTheTestsClock() {
    operator.close();
    operator = startOperator(testSettings().withClock(clock)
        .withBackoff(new Backoff(Duration.ofSeconds(20), Duration.ofMinutes(5), 2.0)),
        new HttpSender(HttpLimits.defaults(), Loopback.only(), clock));
    tokens.expiresIn(3600);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
  }

  private static Response unavailableForAMinute() {
    return new Response(503, "application/json", "{}".getBytes(StandardCharsets.UTF_8), Map.of("Retry-After", "60"));
  }

  private static boolean writesTheOutputSecret(RecordedRequest r) {
    return !"GET".equals(r.getMethod()) && (r.getPath().contains("/secrets/crm-credentials")
        || r.getPath().endsWith("/secrets") && new String(r.getBody().getBytes()).contains("\"crm-credentials\""));
  }

  private static MockResponse forbidden() {
    return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
        + "\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}");
  }

  /** Touches the client secret's metadata (not its value): the Secret informer brings a reconcile. */
  private void touch() {
    int n = ++touches;
    client.secrets().inNamespace(NS).withName("crm-oauth").edit(secret -> {
      secret.getMetadata().setLabels(Map.of("touched", String.valueOf(n)));
      return secret;
    });
  }

  /** Touches, then waits until the operator has finished two more reconciles. */
  private void touchAndAwaitReconcile() {
    double before = reconciles();
    touch();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> reconciles() >= before + 1);
    double after = reconciles();
    touch(); // a second one, so that at least one whole reconcile ran after the clock moved
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> reconciles() >= after + 1);
  }
}
