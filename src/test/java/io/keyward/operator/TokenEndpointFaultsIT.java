package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.credential.http.EgressPolicy;
import io.keyward.credential.http.HostObserver;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.FaultCase;
import io.keyward.testing.ProviderLink;
import io.keyward.testing.TokenServer;
import io.keyward.testing.TokenServer.Request;
import io.keyward.testing.TokenServer.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token-endpoint rows of the fault matrix ({@code docs/reliability.md}): one connector with a
 * rotating refresh token (a provider that accepts each refresh token once, {@code invalid_grant} on
 * reuse) whose first credential is published, then a refresh meets a provider that fails, on the
 * same URL, in one way per row: an error status, a closed port, a connection that never completes,
 * headers that never come, a body trickled past the deadline, a 429 with {@code Retry-After}, an
 * answer that is no token response, a rejected grant or client, a token that has already expired.
 *
 * <p>Each row checks what a user sees (the conditions, their reason and message, the Warning Event,
 * the output Secret), how Keyward retried (transient: each retry one attempt, counted in status, on
 * the backoff or after {@code Retry-After}; terminal: not again, however often the connector is
 * reconciled), that the previous credential stays published, that the endpoint healing (or the
 * user's fix) brings a new credential, that the provider's chain of refresh tokens never forks and
 * loses nothing, and that no secret value reached logs, Events, status or {@code /metrics}.
 *
 * <p>The operator calls the provider through a {@link ProviderLink} (a loopback TCP link the test
 * breaks) with a {@value #DEADLINE_SECONDS} s deadline per exchange instead of 30 s, and the test
 * backoff (0.5 s doubling up to 2 s, ±20 %).
 */
class TokenEndpointFaultsIT extends OperatorHarness {
  static final String SEED = "seed-refresh-token-endpoint-8e21";
  static final long DEADLINE_SECONDS = 3;
  static final Duration DEADLINE = Duration.ofSeconds(DEADLINE_SECONDS);
  static final String OUTPUT = "crm-credentials";
  static final String STATE = "crm-keyward-state";
  static final String SEED_REF = "Secret crm-seed key refresh-token";
  /** The test backoff's steps (OperatorHarness#testSettings), before jitter. */
  static final long[] BACKOFF_MILLIS = {500, 1000, 2000};
  static final Duration AWAIT = Duration.ofSeconds(90);

  ProviderLink link;
  /** What the provider answers instead of its standard answer; {@code null} (or a null answer) behaves. */
  volatile Function<Request, Response> fault;
  /** A request the provider received, and when. */
  record Received(Instant at, Request request) {
    String grant() {
      return request.form().get("grant_type");
    }
  }

  /** Every request the provider received. */
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Every request Keyward sent to the provider's host, when (its own count: also those that never arrived). */
  final List<Instant> sent = new CopyOnWriteArrayList<>();
  /** Pauses the host was put under (a 429, a 503 with Retry-After), when. */
  final List<Instant> pauses = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startOnALink() throws Exception {
    operator.close(); // the harness's instance: this one calls the provider through the link, with a short deadline
    link = new ProviderLink(URI.create(tokens.tokenUrl()).getPort());
    afterOperator.add(link);
    tokens.override(r -> {
      received.add(new Received(Instant.now(), r));
      Function<Request, Response> f = fault;
      return f == null ? null : f.apply(r);
    });
    HttpSender http = new HttpSender(HttpLimits.defaults().withDeadline(DEADLINE), io.keyward.testing.Loopback.only());
    http.observe(new HostObserver() {
      @Override
      public void requested(String host) {
        sent.add(Instant.now());
      }

      @Override
      public void paused(String host, Duration pause) {
        pauses.add(Instant.now());
      }
    });
    afterOperator.add(http);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    operator = startOperator(testSettings(), http);
  }

  // ---- the provider answers an error status ----------------------------------------------------

  @Test
  @FaultCase("token-500")
  void a500IsRetriedOnTheBackoffAndTheNewCredentialFollowsOnceItHeals() throws Exception {
    retriedUntilHealed(answering(r -> answer(500, "application/json", "{\"error\":\"server_error\"}")),
        Expect.transientFailure("TokenEndpointUnavailable", "token endpoint answered HTTP 500", "server_error"));
  }

  @Test
  @FaultCase("token-502")
  void a502FromAGatewayIsRetriedOnTheBackoff() throws Exception {
    retriedUntilHealed(answering(r -> answer(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>")),
        Expect.transientFailure("TokenEndpointUnavailable", "token endpoint answered HTTP 502", "server_error"));
  }

  @Test
  @FaultCase("token-503")
  void a503WithoutRetryAfterIsRetriedOnTheBackoffAndPausesNoHost() throws Exception {
    retriedUntilHealed(answering(r -> answer(503, "text/plain", "Service Unavailable")),
        Expect.transientFailure("TokenEndpointUnavailable", "token endpoint answered HTTP 503", "server_error"));
    assertThat(pauses).as("a 503 that asks for no time pauses no host").isEmpty();
  }

  // ---- the network, or a provider that never answers in full -----------------------------------

  @Test
  @FaultCase("token-connection-refused")
  void aClosedPortIsRetriedAndTheExpiredCredentialStaysUntilTheEndpointIsBack() throws Exception {
    // a short-lived first credential: renewed at half-life (10 s), it expires during the outage
    tokens.expiresIn(20);
    publishFirstToken();
    link.refuse();
    ApiConnectorStatus failing = awaitRetrying("TokenEndpointUnreachable", 3);
    Expect expect = Expect.transientFailure("TokenEndpointUnreachable", unreachable(), "unreachable");
    assertFailing(failing, expect);
    assertFailureTimes(failing, 1, expect);
    assertBackedOff(1);
    assertThat(received).as("nothing reached the provider").hasSize(1);

    // past its expiry the credential is still in the output Secret (never removed); Ready says why it is not enough
    Instant expiry = Instant.parse(cluster.secretValues(NS, OUTPUT).get("expires-at"));
    Condition notReady = await().atMost(AWAIT).pollInterval(Duration.ofMillis(100))
        .until(() -> condition("crm", "Ready"), c -> c != null && "False".equals(c.status));
    assertThat(notReady.reason).isEqualTo("TokenEndpointUnreachable");
    assertThat(notReady.message).contains(unreachable(), "attempt ", "next retry at");
    assertThat(Instant.now()).isAfter(expiry);
    assertThat(cluster.secretValues(NS, OUTPUT).get("token")).isEqualTo(TokenServer.token(1));
    assertThat(warnings("crm")).as("one Warning, not one per retry nor one at the expiry").hasSize(1);

    tokens.expiresIn(3600);
    link.heal();
    assertRecovered(expect);
    assertChainIntact(0);
    assertNothingLeaked();
  }

  @Test
  @FaultCase("token-connect-timeout")
  void aConnectionThatNeverCompletesIsCutAtTheDeadlineAndReadsAsUnreachable() throws Exception {
    retriedUntilHealed(new Fault() {
      @Override
      public void start() throws Exception {
        link.stallConnects();
      }

      @Override
      public void heal() throws Exception {
        link.heal();
      }
    }, Expect.transientFailure("TokenEndpointUnreachable", unreachable(), "timeout").eachTaking(DEADLINE));
    assertThat(received).as("nothing reached the provider during the fault").hasSize(2);
  }

  @Test
  @FaultCase("token-headers-never-sent")
  void aProviderThatNeverSendsItsHeadersIsCutAtTheDeadline() throws Exception {
    retriedUntilHealed(new Fault() {
      @Override
      public void start() {
        link.withholdHeaders();
      }

      @Override
      public void heal() throws Exception {
        link.heal();
      }
    }, Expect.transientFailure("TokenEndpointUnreachable", unreachable(), "timeout").eachTaking(DEADLINE));
    assertThat(link.faultRequests()).as("each attempt one request, held until Keyward hung up")
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(link.abandoned()).isGreaterThanOrEqualTo(3);
  }

  @Test
  @FaultCase("token-body-trickled")
  void aBodyTrickledPastTheDeadlineIsCutOffAndNeverPublished() throws Exception {
    secretValues.add(ProviderLink.TRICKLED_TOKEN);
    retriedUntilHealed(new Fault() {
      @Override
      public void start() {
        link.trickleBody(Duration.ofMillis(250)); // a 95-byte token response over 24 s
      }

      @Override
      public void heal() throws Exception {
        link.heal();
      }
    }, Expect.transientFailure("TokenEndpointUnreachable", unreachable(), "timeout").eachTaking(DEADLINE));
    assertThat(link.abandoned()).as("Keyward hung up mid-body").isGreaterThanOrEqualTo(3);
  }

  // ---- the provider asks Keyward to wait -------------------------------------------------------

  @Test
  @FaultCase("token-429-retry-after-seconds")
  void a429WithRetryAfterInSecondsPausesTheHostForEveryConnectorUntilThen() throws Exception {
    long wait = 6;
    List<Instant> throttledAt = new CopyOnWriteArrayList<>();
    publishFirstToken();
    // only the refresh-token connector is throttled; another connector of the host asks for client credentials
    fault = r -> {
      if (!"refresh_token".equals(r.form().get("grant_type"))) {
        return null;
      }
      throttledAt.add(Instant.now());
      return new Response(429, "application/json", bytes("{\"error\":\"rate_limited\"}"),
          Map.of("Retry-After", String.valueOf(wait)));
    };
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    await().atMost(AWAIT).until(() -> !pauses.isEmpty());

    // a second connector of the same host, created while the host is paused: deferred, not failed
    List<ApiConnectorStatus> erpStatuses = new CopyOnWriteArrayList<>();
    Watch watch = watchStatuses("erp", erpStatuses);
    afterOperator.add(watch::close);
    ApiConnector erp = oauth2("erp");
    erp.getSpec().auth.oauth2.tokenUrl = link.url("/oauth2/token");
    create(erp);

    ApiConnectorStatus failing = awaitRetrying("TokenEndpointUnavailable", 2);
    Expect expect = Expect.transientFailure("TokenEndpointUnavailable", "token endpoint answered HTTP 429",
        "rate_limited");
    assertFailing(failing, expect);
    assertThat(Duration.between(Instant.parse(failing.lastFailureTime), Instant.parse(failing.nextCheckTime)))
        .as("status names the provider's time, not the 0.5 s backoff").isEqualTo(Duration.ofSeconds(wait));
    await().atMost(AWAIT).until(() -> erpStatuses.stream().anyMatch(s -> s.condition("Ready")
        .filter(c -> "ProviderThrottled".equals(c.reason)).isPresent()));
    Condition deferred = erpStatuses.stream().flatMap(s -> s.condition("Ready").stream())
        .filter(c -> "ProviderThrottled".equals(c.reason)).findFirst().orElseThrow();
    assertThat(deferred.status).isEqualTo("False");
    assertThat(deferred.message).contains("token endpoint " + link.endpoint() + " asked Keyward to wait until",
        "no connector calls it before then");

    // no request of the throttled connector before the time it was given
    List<Instant> crmRequests = refreshRequestTimes();
    for (int i = 0; i < throttledAt.size(); i++) {
      Instant until = throttledAt.get(i).plusSeconds(wait);
      Instant answeredAt = throttledAt.get(i);
      assertThat(crmRequests).as("a refresh after the 429 answered at %s, before %s", answeredAt, until)
          .noneMatch(t -> t.isAfter(answeredAt) && t.isBefore(until));
    }
    fault = null;
    assertRecovered(expect);
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    // the other connector's first request came only once the pause it was created in was over
    Instant firstErp = received.stream().filter(r -> "client_credentials".equals(r.grant())).findFirst()
        .orElseThrow().at();
    assertThat(firstErp).isAfterOrEqualTo(throttledAt.get(0).plusSeconds(wait));
    assertThat(erpStatuses).as("deferred, never failed").allSatisfy(s -> assertThat(s.condition("Degraded")
        .map(c -> c.status).orElse("False")).isEqualTo("False"));
    assertThat(eventReasons("erp")).as("no Warning for a deferral").containsExactly("Issued");
    assertThat(refreshes("erp", "deferred", "provider_paused")).isGreaterThanOrEqualTo(1);
    assertChainIntact(0);
    assertNothingLeaked();
  }

  @Test
  @FaultCase("token-429-retry-after-date")
  void a429WithRetryAfterAsAnHttpDateIsHonouredToTheSecond() throws Exception {
    record Asked(Instant answeredAt, Instant until) {}
    List<Asked> asked = new CopyOnWriteArrayList<>();
    publishFirstToken();
    fault = r -> {
      Instant now = Instant.now();
      Instant until = now.plusSeconds(5).truncatedTo(ChronoUnit.SECONDS);
      asked.add(new Asked(now, until));
      return new Response(429, "text/plain", bytes("Too Many Requests"),
          Map.of("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(until, ZoneOffset.UTC))));
    };
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    ApiConnectorStatus failing = awaitRetrying("TokenEndpointUnavailable", 2);
    Expect expect = Expect.transientFailure("TokenEndpointUnavailable", "token endpoint answered HTTP 429",
        "rate_limited");
    assertFailing(failing, expect);
    List<Instant> requests = refreshRequestTimes();
    for (Asked a : asked) {
      assertThat(requests).as("a request after the 429 answered at %s, before its date %s", a.answeredAt(), a.until())
          .noneMatch(t -> t.isAfter(a.answeredAt()) && t.isBefore(a.until()));
    }
    assertThat(Instant.parse(failing.nextCheckTime)).as("status names the provider's date, not the 1 s backoff")
        .isAfterOrEqualTo(asked.get(failing.consecutiveFailures - 1).until());
    assertThat(pauses).as("each 429 paused the host").hasSizeGreaterThanOrEqualTo(2);
    fault = null;
    assertRecovered(expect);
    assertChainIntact(0);
    assertNothingLeaked();
  }

  // ---- answers that are no token response --------------------------------------------------------

  @Test
  @FaultCase("token-html-page")
  void anHtmlPageWith200IsNoTokenAndIsRetried() throws Exception {
    retriedUntilHealed(answering(r -> answer(200, "text/html; charset=utf-8",
            "<!doctype html><html><body><form action=\"/login\">Sign in</form></body></html>")),
        Expect.transientFailure("InvalidTokenResponse",
            "token endpoint answered HTTP 200 with a body that is not a JSON object (Content-Type text/html)",
            "invalid_token_response"));
  }

  @Test
  @FaultCase("token-body-20mb")
  void a20MegabyteBodyIsCutOffAtTheCap() throws Exception {
    byte[] huge = new byte[20 << 20];
    Arrays.fill(huge, (byte) 'x');
    retriedUntilHealed(answering(r -> Response.chunked(200, "application/json", huge)),
        Expect.transientFailure("InvalidTokenResponse", "token endpoint " + link.endpoint()
            + " sent a response larger than " + HttpLimits.DEFAULT_MAX_BODY_BYTES + " bytes", "invalid_token_response"));
  }

  @Test
  @FaultCase("token-malformed-json")
  void malformedJsonIsNoTokenAndIsNeverQuoted() throws Exception {
    String cut = "access-token-in-a-broken-answer-51c0";
    secretValues.add(cut);
    retriedUntilHealed(answering(r -> answer(200, "application/json", "{\"access_token\":\"" + cut
            + "\",\"token_type\":\"Bearer\",\"expires_in\":")),
        Expect.transientFailure("InvalidTokenResponse",
            "token endpoint answered HTTP 200 with a body that is not a JSON object (Content-Type application/json)",
            "invalid_token_response"));
  }

  @Test
  @FaultCase("token-no-access-token")
  void anAnswerWithoutAnAccessTokenKeepsTheRefreshTokenItRotated() throws Exception {
    // the provider spends the refresh token and answers without an access token: the rotated one must be kept
    List<String> rotated = new CopyOnWriteArrayList<>();
    retriedUntilHealed(answering(r -> {
      String next = tokens.rotateRefreshToken(r.form().get("refresh_token"));
      if (next == null) {
        return Response.json(400, "{\"error\":\"invalid_grant\"}");
      }
      rotated.add(next);
      return Response.json(200, "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"" + next + "\"}");
    }), Expect.transientFailure("InvalidTokenResponse", "token endpoint answered HTTP 200 without an access_token",
        "invalid_token_response"));
    secretValues.addAll(rotated);
    assertThat(rotated).as("the provider rotated on every failed attempt").hasSizeGreaterThanOrEqualTo(3);
  }

  // ---- the provider rejects the grant or the client: terminal --------------------------------------

  @Test
  @FaultCase("token-invalid-grant")
  void aRevokedRefreshTokenAsksForReauthorisationOnceAndANewSeedRecovers() throws Exception {
    // the provider withdraws the grant at the first refresh; that refresh is the renewal at half-life (5 s)
    tokens.expiresIn(10);
    AtomicBoolean revoked = new AtomicBoolean();
    fault = r -> {
      if (tokens.issuedCount() >= 1 && revoked.compareAndSet(false, true)) {
        tokens.revokeRefreshTokens();
      }
      return null; // the provider's own answer: invalid_grant, with a description that repeats the token
    };
    publishFirstToken();
    Expect expect = Expect.terminal("ReauthorizationRequired", "the provider rejected the refresh token"
        + " (invalid_grant): re-authorise and put the new refresh token into " + SEED_REF, "invalid_grant");
    ApiConnectorStatus failing = awaitRetrying("ReauthorizationRequired", 1);
    assertFailing(failing, expect);
    assertNotRetried(failing);

    // past its expiry the last access token is still published; Ready turns False for the same reason
    Condition notReady = await().atMost(AWAIT).pollInterval(Duration.ofMillis(100))
        .until(() -> condition("crm", "Ready"), c -> c != null && "False".equals(c.status));
    assertThat(notReady.reason).isEqualTo("ReauthorizationRequired");
    assertThat(cluster.secretValues(NS, OUTPUT).get("token")).isEqualTo(TokenServer.token(1));
    assertThat(tokens.invalidGrants()).as("refused once, not asked again").isEqualTo(1);

    // the user re-authorises: a new seed in the Secret
    tokens.expiresIn(3600);
    seed("seed-after-reauthorisation-77a2");
    assertRecovered(expect, "Reauthorized");
    assertChainIntact(1);
    assertNothingLeaked();
  }

  @Test
  @FaultCase("token-invalid-client")
  void aRejectedClientIsNotRetriedUntilTheSecretIsFixed() throws Exception {
    String rotatedAtTheProvider = "cs-rotated-at-the-provider-0d9f";
    secretValues.add(rotatedAtTheProvider);
    publishFirstToken();
    // the client secret is rotated at the provider; its answer repeats the new one in error_description
    tokens.client("crm-client", rotatedAtTheProvider);
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    Expect expect = Expect.terminal("InvalidClient", "token endpoint rejected the request: invalid_client (HTTP 401)",
        "invalid_client");
    ApiConnectorStatus failing = awaitRetrying("InvalidClient", 1);
    assertFailing(failing, expect);
    assertNotRetried(failing);
    assertServes(1);

    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", rotatedAtTheProvider));
    assertRecovered(expect, "Reissued");
    assertChainIntact(0);
    assertNothingLeaked();
  }

  // ---- tokens that have already expired -------------------------------------------------------------

  @Test
  @FaultCase("token-expires-in-zero")
  void anExpiresInOfZeroDoesNotReplaceTheValidCredential() throws Exception {
    expiredOnIssue(0);
  }

  @Test
  @FaultCase("token-expires-in-negative")
  void aNegativeExpiresInDoesNotReplaceTheValidCredential() throws Exception {
    expiredOnIssue(-60);
  }

  /**
   * The provider answers a refresh with a token whose {@code expires_in} says it has already expired
   * (and rotates the refresh token): the valid credential stays published, the rotated refresh token
   * is kept, and the provider is asked again after 30 s, not in a loop.
   */
  private void expiredOnIssue(long expiresIn) throws Exception {
    publishFirstToken();
    int sentBefore = sent.size();
    tokens.expiresIn(expiresIn);
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    Expect expect = Expect.transientFailure("ExpiredOnIssue", "the provider issued a credential that had already"
        + " expired; the previous one stays published while it is valid", "expired_on_issue");
    ApiConnectorStatus failing = awaitRetrying("ExpiredOnIssue", 1);
    assertFailing(failing, expect);
    assertFailureTimes(failing, sentBefore, expect);
    assertServes(1);
    assertThat(Duration.between(Instant.parse(failing.lastFailureTime), Instant.parse(failing.nextCheckTime)))
        .as("asked again in 30 s, not at once").isEqualTo(Duration.ofSeconds(30));
    assertThat(connector("crm").getStatus().condition("Warning")).as("the published credential has nothing to warn of")
        .isEmpty();
    Instant expiredAnswer = received.get(received.size() - 1).at();

    tokens.expiresIn(3600);
    assertRecovered(expect);
    assertThat(received).as("the first issue, the expired answer, the retry").hasSize(3);
    assertThat(received.get(2).at()).as("the retry").isAfterOrEqualTo(expiredAnswer.plusSeconds(30));
    assertThat(cluster.secretValues(NS, OUTPUT).get("token")).as("the expired token was never published")
        .isEqualTo(TokenServer.token(3));
    assertChainIntact(0);
    assertNothingLeaked();
  }

  // ---- what the rows share ---------------------------------------------------------------------------

  /** What a user must see while one fault lasts. */
  record Expect(String reason, String message, boolean terminal, String errorClass, Duration eachAttempt) {
    static Expect transientFailure(String reason, String message, String errorClass) {
      return new Expect(reason, message, false, errorClass, Duration.ZERO);
    }

    static Expect terminal(String reason, String message, String errorClass) {
      return new Expect(reason, message, true, errorClass, Duration.ZERO);
    }

    /** Each attempt lasts this long before it fails (the deadline). */
    Expect eachTaking(Duration d) {
      return new Expect(reason, message, terminal, errorClass, d);
    }
  }

  /** A fault the test starts and heals; the connector's URL stays the same. */
  interface Fault {
    void start() throws Exception;

    void heal() throws Exception;
  }

  private Fault answering(Function<Request, Response> answer) {
    return new Fault() {
      @Override
      public void start() {
        fault = answer;
      }

      @Override
      public void heal() {
        fault = null;
      }
    };
  }

  /**
   * A transient row: the first credential published, the fault started, a refresh requested; then
   * it is retried on the backoff while the previous credential stays published, and once healed the
   * next retry publishes a new one.
   */
  private void retriedUntilHealed(Fault f, Expect expect) throws Exception {
    publishFirstToken();
    int sentBefore = sent.size();
    f.start();
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    ApiConnectorStatus failing = awaitRetrying(expect.reason(), 3);
    assertFailing(failing, expect);
    assertFailureTimes(failing, sentBefore, expect);
    assertServes(1);
    assertBackedOff(sentBefore);
    f.heal();
    assertRecovered(expect);
    assertChainIntact(0);
    assertNothingLeaked();
  }

  private void publishFirstToken() {
    ApiConnector crm = refreshing("crm");
    crm.getSpec().auth.oauth2.tokenUrl = link.url("/oauth2/token");
    create(crm);
    await().atMost(AWAIT).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.secretValues(NS, OUTPUT), v -> v != null && TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
  }

  /** Degraded for {@code reason}: at least {@code failures} failures in a row. */
  private ApiConnectorStatus awaitRetrying(String reason, int failures) {
    return await().atMost(AWAIT).pollInterval(Duration.ofMillis(100))
        .until(() -> connector("crm").getStatus(), s -> s != null && s.consecutiveFailures >= failures
            && s.condition("Degraded").filter(d -> "True".equals(d.status) && reason.equals(d.reason)).isPresent());
  }

  /** What the status, the Events and the metrics say while the fault lasts. */
  private void assertFailing(ApiConnectorStatus s, Expect expect) {
    Condition degraded = s.condition("Degraded").orElseThrow();
    assertThat(degraded.message).as("the Degraded message").startsWith(expect.message());
    if (expect.terminal()) {
      assertThat(degraded.message).as("a terminal failure names no retry").isEqualTo(expect.message());
    } else {
      assertThat(degraded.message).as("a transient failure names its attempt and retry")
          .matches(Pattern.quote(expect.message()) + " \\(attempt \\d+; next retry at \\S+Z\\)");
      assertThat(degraded.message).contains("next retry at " + s.nextCheckTime + ")");
    }
    Instant lastFailure = Instant.parse(s.lastFailureTime);
    assertThat(lastFailure).as("lastFailureTime").isBeforeOrEqualTo(Instant.now())
        .isAfter(Instant.parse(s.issuedAt).minusSeconds(1));
    if (!expect.terminal()) {
      assertThat(Instant.parse(s.nextCheckTime)).as("nextCheckTime after lastFailureTime").isAfterOrEqualTo(lastFailure);
    } else {
      assertThat(s.nextCheckTime).as("terminal: looked at again by itself only when the credential expires")
          .isEqualTo(s.expiresAt);
    }
    List<Event> warnings = warnings("crm");
    assertThat(warnings).as("one Warning for the failure, not one per retry").hasSize(1);
    assertThat(warnings.get(0).getReason()).isEqualTo(expect.reason());
    assertThat(warnings.get(0).getMessage()).isEqualTo(expect.message());
    assertThat(refreshes("crm", "failure", expect.errorClass())).as("failures counted by error class on /metrics")
        .isGreaterThanOrEqualTo(1);
  }

  /**
   * {@code lastFailureTime} is when the attempt failed, not when it began (an attempt may take the
   * whole deadline), and {@code nextCheckTime} comes after it: the status never names a retry time
   * that had passed before the attempt even failed.
   */
  private void assertFailureTimes(ApiConnectorStatus failing, int sentBefore, Expect expect) {
    Instant attemptSent = sent.get(sentBefore + failing.consecutiveFailures - 1);
    Instant failedBy = attemptSent.plus(expect.eachAttempt()).truncatedTo(ChronoUnit.SECONDS);
    assertThat(Instant.parse(failing.lastFailureTime))
        .as("lastFailureTime of attempt %d, sent at %s", failing.consecutiveFailures, attemptSent)
        .isAfterOrEqualTo(failedBy);
    assertThat(Instant.parse(failing.nextCheckTime)).as("nextCheckTime").isAfterOrEqualTo(failedBy);
  }

  /**
   * Each retry was one attempt, counted in status, and the attempts came on the backoff: no sooner,
   * in total, than the backoff's steps (0.5 s, 1 s, 2 s, 2 s, ...) less their 20 % jitter allow, or,
   * when each attempt lasts the deadline, one at a time.
   */
  private void assertBackedOff(int firstAttempt) {
    int before = connector("crm").getStatus().consecutiveFailures;
    List<Instant> all = List.copyOf(sent);
    List<Instant> seen = all.subList(firstAttempt, all.size());
    int after = connector("crm").getStatus().consecutiveFailures;
    assertThat(seen.size()).as("attempts, each one a failure in status").isBetween(before, after + 1);
    double least = 0;
    for (int k = 0; k < seen.size() - 1; k++) {
      least += 0.8 * BACKOFF_MILLIS[Math.min(k, BACKOFF_MILLIS.length - 1)];
    }
    Duration span = Duration.between(seen.get(0), seen.get(seen.size() - 1));
    assertThat(span.toMillis()).as("%d attempts over %s: on the backoff, not in a loop", seen.size(), span)
        .isGreaterThanOrEqualTo((long) least - BACKOFF_MILLIS[0]);
  }

  /**
   * A terminal failure is not retried: however often the connector is reconciled (here: an annotation
   * of its client-secret Secret touched, three times: its values, the inputs, stay the same), the
   * provider gets no request and the failure count stays.
   */
  private void assertNotRetried(ApiConnectorStatus failing) {
    int receivedBefore = received.size();
    int sentBefore = sent.size();
    for (int i = 1; i <= 3; i++) {
      double reconciled = reconciles();
      String touch = "touch-" + i;
      // an annotation on a Secret the connector references: a reconcile, on the same inputs
      client.secrets().inNamespace(NS).withName("crm-oauth").edit(sec -> {
        sec.getMetadata().setAnnotations(new java.util.HashMap<>(Map.of("example.com/touched", touch)));
        return sec;
      });
      await().atMost(AWAIT).until(() -> reconciles() > reconciled);
    }
    assertThat(received).as("requests the provider received after the failure").hasSize(receivedBefore);
    assertThat(sent).as("requests Keyward sent after the failure").hasSize(sentBefore);
    ApiConnectorStatus after = connector("crm").getStatus();
    assertThat(after.consecutiveFailures).isEqualTo(failing.consecutiveFailures);
    assertThat(after.condition("Degraded").orElseThrow().reason).isEqualTo(failing.condition("Degraded").orElseThrow().reason);
    assertThat(warnings("crm")).hasSize(1);
  }

  /**
   * Healed: a new credential published, Degraded False, and the Events tell the failure once, what
   * healed it when a person did ({@code heal}: a new seed, a fixed Secret), and the recovery; the
   * retry that succeeded is no Event of its own.
   */
  private void assertRecovered(Expect expect, String... heal) {
    String previous = cluster.secretValues(NS, OUTPUT).get("token");
    await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> cluster.secretValues(NS, OUTPUT),
        v -> !previous.equals(v.get("token")) && v.get("token").matches("access-token-\\d+"));
    await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      ApiConnectorStatus s = connector("crm").getStatus();
      assertThat(s.condition("Degraded").orElseThrow()).extracting(c -> c.status, c -> c.reason)
          .containsExactly("False", "RefreshSucceeded");
      assertThat(s.condition("Ready").orElseThrow()).extracting(c -> c.status, c -> c.reason)
          .containsExactly("True", "CredentialIssued");
      assertThat(s.consecutiveFailures).isZero();
    });
    assertThat(Instant.parse(cluster.secretValues(NS, OUTPUT).get("expires-at"))).isAfter(Instant.now());
    List<String> expected = new ArrayList<>(List.of("Issued", expect.reason()));
    expected.addAll(List.of(heal));
    expected.add("Recovered");
    assertThat(eventReasons("crm")).as("Issued, the failure once, what healed it, the recovery")
        .containsExactlyElementsOf(expected);
  }

  /** The output Secret still holds the n-th token, valid, and Ready says so. */
  private void assertServes(int n) {
    Map<String, String> out = cluster.secretValues(NS, OUTPUT);
    assertThat(out.get("token")).as("the previous credential stays published").isEqualTo(TokenServer.token(n));
    assertThat(Instant.parse(out.get("expires-at"))).isAfter(Instant.now());
    Condition ready = connector("crm").getStatus().condition("Ready").orElseThrow();
    assertThat(ready.status).isEqualTo("True");
    assertThat(ready.reason).isEqualTo("CredentialIssued");
  }

  /**
   * No refresh token was lost and no rotation asked for twice: the provider, which accepts each refresh
   * token once, refused {@code refused} (a spent one presented again would be refused), and the one it
   * accepts now is the one in the state Secret.
   */
  private void assertChainIntact(int refused) {
    assertThat(tokens.invalidGrants()).as("refresh tokens the provider refused").isEqualTo(refused);
    List<String> presented = tokens.requests().stream().map(r -> r.form().get("refresh_token"))
        .filter(t -> t != null).toList();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(tokens.liveRefreshTokens()).containsExactly(cluster.secretValues(NS, STATE).get("state.refresh-token")));
    secretValues.addAll(presented);
    secretValues.addAll(tokens.liveRefreshTokens());
  }

  private void assertNothingLeaked() {
    assertNothingLeakedIncludingMetrics(OUTPUT, "seed-"); // the first seed and the one after re-authorisation
  }


  private List<Instant> refreshRequestTimes() {
    return received.stream().filter(r -> "refresh_token".equals(r.grant())).map(Received::at).toList();
  }

  private List<Event> warnings(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType())).toList();
  }

  private Condition condition(String name, String type) {
    ApiConnector c = connector(name);
    return c == null || c.getStatus() == null ? null : c.getStatus().condition(type).orElse(null);
  }

  /** {@code keyward_refresh_total} of one connector, result and error class, from /metrics. */
  private double refreshes(String name, String result, String reason) {
    Matcher m = Pattern.compile("^keyward_refresh_total\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
        .matcher(operator.scrape());
    double sum = 0;
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("name=\"" + name + "\"") && labels.contains("result=\"" + result + "\"")
          && labels.contains("reason=\"" + reason + "\"")) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  private Watch watchStatuses(String name, List<ApiConnectorStatus> into) {
    return client.resources(ApiConnector.class).inNamespace(NS).withName(name).watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, ApiConnector resource) {
        if (resource.getStatus() != null) {
          into.add(resource.getStatus());
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  private String unreachable() {
    return "token endpoint " + link.endpoint() + " could not be reached or gave no complete answer within "
        + DEADLINE_SECONDS + "s";
  }

  private static Response answer(int status, String contentType, String body) {
    return new Response(status, contentType, bytes(body), Map.of());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
