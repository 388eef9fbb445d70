package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.testing.FaultCase;
import io.keyward.testing.Loopback;
import io.keyward.testing.TokenServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two Keyward deployments on one API server, each reconciling the connectors of its label shard
 * ({@code --connector-selector}) under a Lease of its own; what a user sees: whose Secrets and
 * status get written, by which shard (each shard's client has its own User-Agent, recorded at the
 * API server), and how many requests reach the token endpoint, counted there.
 */
class ShardingIT extends OperatorHarness {
  static final String SHARD = "keyward.io/shard";
  static final String SEED = "seed-refresh-token-5h4rd";
  /** Tokens that no refresh falls due for during a test: every provider call here is one the test caused. */
  static final long LIFETIME = 3600;
  /** The new shard's hold after picking a connector up (the CLI's is --http-timeout + 15 s). */
  static final Duration GRACE = Duration.ofSeconds(30);

  /** One deployment: its operator, and its own client to the API server (User-Agent {@code keyward-<name>}). */
  record Shard(String name, KeywardOperator operator, KubernetesClient client) {
    String userAgent() {
      return "keyward-" + name;
    }
  }

  /** A write the API server received: from which shard, what verb, what kind and name (Events: the involved object). */
  record Write(String userAgent, String method, String kind, String name) {}

  final List<Write> writes = new CopyOnWriteArrayList<>();
  /** An answer a test gives in place of the API server's, or null to let the request through. */
  volatile java.util.function.Function<RecordedRequest, MockResponse> refusal = r -> null;

  @BeforeEach
  void recordWritesAndAllowLeaderElection() {
    operator.close(); // the harness's instance watches every connector: a shard of its own is started by each test
    cluster.intercept(r -> {
      MockResponse refused = refusal.apply(r);
      if (refused != null) {
        return refused;
      }
      if ("POST".equals(r.getMethod()) && r.getPath().contains("selfsubjectrulesreviews")) {
        return new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"authorization.k8s.io/v1\","
            + "\"kind\":\"SelfSubjectRulesReview\",\"status\":{\"incomplete\":false,\"resourceRules\":"
            + "[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}],\"nonResourceRules\":[]}}");
      }
      if (!"GET".equals(r.getMethod())) {
        try {
          // getBytes, not getUtf8Body: reading the body would leave none for the API server
          String body = r.getBody() == null ? null : new String(r.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
          writes.add(write(r.getHeader("User-Agent"), r.getMethod(), r.getPath(), body));
        } catch (RuntimeException e) {
          writes.add(new Write(r.getHeader("User-Agent"), r.getMethod(), "unreadable " + r.getPath(), null));
        }
      }
      return null;
    });
  }

  Write write(String userAgent, String method, String path, String body) {
    String p = path.replaceFirst("\\?.*$", "");
    List<String> segments = List.of(p.split("/"));
    boolean status = p.endsWith("/status");
    List<String> resource = status ? segments.subList(0, segments.size() - 1) : segments;
    String kind;
    String name;
    int namespaces = resource.indexOf("namespaces");
    String collection = resource.get(resource.size() - 1);
    boolean named = namespaces >= 0 && resource.size() > namespaces + 3;
    kind = named ? resource.get(resource.size() - 2) : collection;
    name = named ? collection : null;
    if ("POST".equals(method) && body != null && !body.isEmpty()) {
      var object = client.getKubernetesSerialization().unmarshal(body, GenericKubernetesResource.class);
      name = object.getMetadata().getName();
      if ("events".equals(kind)) {
        @SuppressWarnings("unchecked")
        var involved = (Map<String, Object>) object.getAdditionalProperties().get("involvedObject");
        name = involved == null ? name : (String) involved.get("name");
      }
    }
    return new Write(userAgent, method, status ? kind + "/status" : kind, name);
  }

  /** The names of the objects of {@code kind} that {@code shard} wrote, from the {@code from}-th write on. */
  List<String> written(Shard shard, String kind, int from) {
    return writes.subList(from, writes.size()).stream()
        .filter(w -> shard.userAgent().equals(w.userAgent()) && kind.equals(w.kind()))
        .map(Write::name).distinct().sorted().toList();
  }

  Shard shard(String name, String selector, Duration grace) {
    KubernetesClient own = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(client.getConfiguration().getMasterUrl())
        .withNamespace("test")
        .withHttp2Disable(true)
        .withUserAgent("keyward-" + name)
        .build()).build();
    var settings = testSettings()
        .withConnectorSelector(ConnectorSelector.parse(selector), grace)
        .withLeaderElection(new OperatorSettings.LeaderElection("keyward-" + name, "keyward-system", name + "-0",
            Duration.ofSeconds(10), Duration.ofSeconds(7), Duration.ofMillis(500), false));
    KeywardOperator started = startOperator(own, settings, Loopback.sender());
    afterOperator.add(0, own::close); // after the operators: the list closes in order
    return new Shard(name, started, own);
  }

  /** Shards a and b; {@link #operator} is a (closed by the harness), b is closed after it. */
  List<Shard> twoShards(String selectorA, String selectorB, Duration grace) {
    Shard a = shard("a", selectorA, grace);
    operator = a.operator();
    Shard b = shard("b", selectorB, grace);
    afterOperator.add(0, b.operator()::close);
    return List.of(a, b);
  }

  Lease lease(String name) {
    return client.leases().inNamespace("keyward-system").withName(name).get();
  }

  /** A client-credentials connector in {@code shard} (none: unlabelled), asking for a scope named after itself. */
  ApiConnector clientCredentials(String name, String shard) {
    ApiConnector c = connector(name, auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.tokenUrl = tokens.tokenUrl();
      auth.oauth2.clientId = "crm-client";
      auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
      auth.oauth2.scopes = List.of(name);
    });
    return labelled(c, shard);
  }

  static ApiConnector labelled(ApiConnector c, String shard) {
    if (shard != null) {
      c.getMetadata().setLabels(new java.util.HashMap<>(Map.of(SHARD, shard)));
    }
    return c;
  }

  /** Token requests that asked for {@code scope}: one connector's calls to the provider. */
  long tokenRequests(String scope) {
    return tokens.requests().stream().filter(r -> scope.equals(r.form().get("scope"))).count();
  }

  void relabel(String name, String shard) {
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
        client.resources(ApiConnector.class).inNamespace(NS).withName(name).edit(c -> {
          c.getMetadata().getLabels().put(SHARD, shard);
          return c;
        }));
  }

  /** The value of the series {@code metric} of connector {@code name} on a shard's /metrics, or null without one. */
  static Double series(Shard shard, String metric, String name, String... moreLabels) {
    Matcher m = Pattern.compile("^" + metric + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE).matcher(shard.operator().scrape());
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("name=\"" + name + "\"")
          && java.util.Arrays.stream(moreLabels).allMatch(labels::contains)) {
        return Double.parseDouble(m.group(2));
      }
    }
    return null;
  }

  /** The connectors a shard publishes series for: those it reconciles. */
  static List<String> seriesNames(Shard shard) {
    Matcher m = Pattern.compile("^keyward_connector_ready\\{[^}]*name=\"([^\"]+)\"", Pattern.MULTILINE)
        .matcher(shard.operator().scrape());
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names.stream().sorted().toList();
  }

  @Test
  void eachShardReconcilesOnlyTheConnectorsOfItsLabelUnderALeaseOfItsOwn() {
    tokens.expiresIn(LIFETIME);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    var shards = twoShards(SHARD + "=a", SHARD + "=b", GRACE);
    Shard a = shards.get(0);
    Shard b = shards.get(1);
    // created first: if a shard's watch delivered it, it did so before the two created after it
    create(clientCredentials("crm-unlabelled", null));
    create(clientCredentials("crm-a", "a"));
    create(clientCredentials("crm-b", "b"));

    awaitCondition("crm-a", "Ready", "True", "CredentialIssued");
    awaitCondition("crm-b", "Ready", "True", "CredentialIssued");
    awaitOutput("crm-a-credentials", v -> v.get("token") != null);
    awaitOutput("crm-b-credentials", v -> v.get("token") != null);
    assertOutputMetadata("crm-a", "crm-a-credentials");
    assertOutputMetadata("crm-b", "crm-b-credentials");

    assertThat(lease("keyward-a").getSpec().getHolderIdentity()).isEqualTo("a-0");
    assertThat(lease("keyward-b").getSpec().getHolderIdentity()).isEqualTo("b-0");
    assertThat(tokenRequests("crm-a")).as("token requests for crm-a").isEqualTo(1);
    assertThat(tokenRequests("crm-b")).as("token requests for crm-b").isEqualTo(1);
    assertThat(tokenRequests("crm-unlabelled")).as("token requests for the unlabelled connector").isZero();

    // who wrote what, as the API server saw it
    assertThat(written(a, "apiconnectors/status", 0)).containsExactly("crm-a");
    assertThat(written(b, "apiconnectors/status", 0)).containsExactly("crm-b");
    assertThat(written(a, "secrets", 0)).containsExactly("crm-a-credentials", "crm-a-keyward-state");
    assertThat(written(b, "secrets", 0)).containsExactly("crm-b-credentials", "crm-b-keyward-state");
    assertThat(written(a, "events", 0)).containsOnly("crm-a");
    assertThat(written(b, "events", 0)).containsOnly("crm-b");
    assertThat(written(a, "leases", 0)).containsOnly("keyward-a");
    assertThat(written(b, "leases", 0)).containsOnly("keyward-b");

    // the unlabelled connector belongs to no shard: no status, no Secret, no series anywhere
    var untouched = connector("crm-unlabelled").getStatus();
    assertThat(untouched == null ? null : untouched.conditions).as("conditions of the unlabelled connector").isNullOrEmpty();
    assertThat(untouched == null ? null : untouched.secretName).as("status.secretName of the unlabelled connector").isNull();
    assertThat(cluster.secretValues(NS, "crm-unlabelled-credentials")).isNull();
    assertThat(seriesNames(a)).containsExactly("crm-a");
    assertThat(seriesNames(b)).containsExactly("crm-b");
    assertThat(writes).filteredOn(w -> w.userAgent() != null && w.userAgent().startsWith("keyward-"))
        .noneMatch(w -> w.name() != null && w.name().startsWith("crm-unlabelled"));
    assertNoSecretValueLeaked();
  }

  @Test
  void aCatchAllShardTakesTheUnlabelledConnectorsAndEveryShardButTheOthers() {
    tokens.expiresIn(LIFETIME);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    // the complement of shard b: together they match every connector exactly once
    var shards = twoShards(SHARD + "!=b", SHARD + "=b", GRACE);
    Shard catchAll = shards.get(0);
    Shard b = shards.get(1);
    create(clientCredentials("crm-unlabelled", null));
    create(clientCredentials("crm-a", "a"));
    create(clientCredentials("crm-b", "b"));

    for (String name : List.of("crm-unlabelled", "crm-a", "crm-b")) {
      awaitCondition(name, "Ready", "True", "CredentialIssued");
      assertThat(tokenRequests(name)).as("token requests for %s", name).isEqualTo(1);
    }
    assertThat(written(catchAll, "apiconnectors/status", 0)).containsExactly("crm-a", "crm-unlabelled");
    assertThat(written(b, "apiconnectors/status", 0)).containsExactly("crm-b");
    assertThat(seriesNames(catchAll)).containsExactly("crm-a", "crm-unlabelled");
    assertThat(seriesNames(b)).containsExactly("crm-b");
    assertNoSecretValueLeaked();
  }

  @Test
  @FaultCase("shard-move")
  void relabellingMovesAConnectorToTheOtherShardWhichGoesOnFromItsStateWithoutAskingTheProvider() {
    tokens.expiresIn(LIFETIME);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    var shards = twoShards(SHARD + "=a", SHARD + "=b", GRACE);
    Shard a = shards.get(0);
    Shard b = shards.get(1);
    create(labelled(refreshing("crm"), "a"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    String rotated = tokens.liveRefreshTokens().iterator().next();
    secretValues.add(rotated);
    assertThat(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token")).isEqualTo(rotated);
    assertThat(written(a, "apiconnectors/status", 0)).containsExactly("crm");
    assertThat(written(b, "secrets", 0)).isEmpty();

    int moved = writes.size();
    relabel("crm", "b");
    // b picks it up from the state Secret a wrote; a lets go of it
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(seriesNames(b)).containsExactly("crm");
      assertThat(seriesNames(a)).as("a's series of a connector it no longer reconciles").isEmpty();
    });
    assertThat(series(b, "keyward_connector_ready", "crm")).isEqualTo(1.0);
    assertThat(tokens.requests()).as("provider calls: only a's first issue").hasSize(1);
    assertThat(cluster.secretValues(NS, "crm-credentials").get("token")).isEqualTo(TokenServer.token(1));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");

    // b is the one that acts now: a refresh request is answered by b, presenting the token a had rotated;
    // asked so soon after the move, it first waits out b's hold (a might have had a refresh in flight)
    requestRefresh("crm", "2026-12-01T09:00:00Z");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(series(b, "keyward_refresh_total", "crm", "reason=\"shard_handover\"", "result=\"deferred\""))
            .isNotNull());
    Instant holdEnds = holdEnds("crm");
    var refreshed = await().atMost(GRACE.plusSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> client.secrets().inNamespace(NS).withName("crm-credentials").get(),
            s -> s != null && TokenServer.token(2).equals(new String(java.util.Base64.getDecoder()
                .decode(s.getData().get("token")), java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(Instant.parse(refreshed.getMetadata().getAnnotations().get("keyward.io/issued-at")))
        .as("issued once the hold was over").isAfterOrEqualTo(holdEnds.minusSeconds(1));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(connector("crm").getStatus().lastRefreshRequest).isEqualTo("2026-12-01T09:00:00Z"));
    awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
    assertThat(tokens.requests()).as("provider calls: a's first issue, b's refresh").hasSize(2);
    assertThat(tokens.requests().stream().map(r -> r.form().get("refresh_token")))
        .as("refresh tokens presented, each once").containsExactly(SEED, rotated);
    assertThat(tokens.invalidGrants()).isZero();
    assertThat(written(b, "secrets", moved)).contains("crm-credentials", "crm-keyward-state");
    assertThat(written(b, "apiconnectors/status", moved)).containsExactly("crm");
    assertThat(written(a, "secrets", moved)).as("a's Secret writes after the relabel").isEmpty();
    assertThat(written(a, "apiconnectors/status", moved)).as("a's status writes after the relabel").isEmpty();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(tokens.liveRefreshTokens())
        .containsExactly(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token")));
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertNothingLeakedIncludingMetrics("crm-credentials", SEED);
  }

  /**
   * The label changes while a is waiting for the provider's answer to a refresh: b sees the connector
   * with the refresh still due (a has not written anything yet) and holds it, a's answer lands in the
   * state Secret, and b, deciding on that, asks nothing: one provider call, each refresh token once.
   */
  @Test
  @FaultCase("shard-move-mid-refresh")
  void aRefreshTheOldShardHasInFlightWhenTheLabelChangesIsNotAskedAgainByTheNewOne() throws Exception {
    tokens.expiresIn(LIFETIME);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    var shards = twoShards(SHARD + "=a", SHARD + "=b", GRACE);
    Shard a = shards.get(0);
    Shard b = shards.get(1);
    create(labelled(refreshing("crm"), "a"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    String rotated = tokens.liveRefreshTokens().iterator().next();
    secretValues.add(rotated);

    var held = new CountDownLatch(1);
    var answer = new CountDownLatch(1);
    var first = new AtomicBoolean(true);
    tokens.beforeAnswer(r -> {
      if (first.compareAndSet(true, false)) {   // a's refresh: its answer waits for the test
        held.countDown();
        try {
          answer.await(90, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    try {
      requestRefresh("crm", "2026-12-01T10:00:00Z");
      assertThat(held.await(30, TimeUnit.SECONDS)).as("a's refresh reached the provider").isTrue();
      int moved = writes.size();
      relabel("crm", "b");

      // b has picked it up and holds the due refresh; the provider saw no second request
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(series(b, "keyward_refresh_total", "crm", "reason=\"shard_handover\"", "result=\"deferred\""))
              .isNotNull());
      assertThat(tokens.requests()).as("provider calls: a's first issue and its refresh in flight").hasSize(2);
      assertThat(logs.text()).contains("sales/crm: picked up at ");

      answer.countDown();
      // a's answer, written by a's reconcile that was in flight, reaches the user
      awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
          assertThat(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token"))
              .isEqualTo(tokens.liveRefreshTokens().iterator().next()));
      // (the output Secret is projected from that state by whichever of the two gets there first)
      assertThat(written(a, "secrets", moved)).as("a finished the refresh it had begun").contains("crm-keyward-state");
      // and then let go of the connector: its series go, JOSDK having waited for the reconcile in flight
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(seriesNames(a)).isEmpty());
      int released = writes.size();
      // b has reconciled on a's new state: its gauge shows the new credential's expiry
      double expiresAt = Instant.parse(cluster.secretValues(NS, "crm-credentials").get("expires-at")).getEpochSecond();
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
          assertThat(series(b, "keyward_credential_expiration_timestamp_seconds", "crm"))
              .isCloseTo(expiresAt, org.assertj.core.data.Offset.offset(1.0)));
      // and past the end of its hold it still asks nothing
      Instant holdEnds = holdEnds("crm");
      await().atMost(GRACE.plusSeconds(30)).until(() -> Instant.now().isAfter(holdEnds.plusSeconds(2)));
      assertThat(tokens.requests()).as("provider calls: one per refresh").hasSize(2);
      assertThat(tokens.requests().stream().map(r -> r.form().get("refresh_token")))
          .as("refresh tokens presented, each once").containsExactly(SEED, rotated);
      assertThat(tokens.invalidGrants()).isZero();
      awaitCondition("crm", "Ready", "True", "CredentialIssued");
      awaitCondition("crm", "Degraded", "False", "RefreshSucceeded");
      assertThat(connector("crm").getStatus().lastRefreshRequest).isEqualTo("2026-12-01T10:00:00Z");
      assertThat(written(a, "secrets", released)).as("a's Secret writes once it let go").isEmpty();
      assertThat(written(a, "apiconnectors/status", released)).as("a's status writes once it let go").isEmpty();
    } finally {
      answer.countDown();
      tokens.beforeAnswer(null);
    }
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertNothingLeakedIncludingMetrics("crm-credentials", SEED);
  }

  /**
   * The same move without the hold (grace zero): b asks the provider with the refresh token a has
   * already presented. This is the double issue the hold prevents; a provider that detects reuse of a
   * rotated refresh token may revoke the whole grant for it.
   */
  @Test
  void withoutTheHoldTheNewShardWouldPresentTheSameRefreshTokenASecondTime() throws Exception {
    tokens.expiresIn(LIFETIME);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    twoShards(SHARD + "=a", SHARD + "=b", Duration.ZERO);
    create(labelled(refreshing("crm"), "a"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    String rotated = tokens.liveRefreshTokens().iterator().next();
    secretValues.add(rotated);

    var held = new CountDownLatch(1);
    var answer = new CountDownLatch(1);
    var first = new AtomicBoolean(true);
    tokens.beforeAnswer(r -> {
      if (first.compareAndSet(true, false)) {
        held.countDown();
        try {
          answer.await(90, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    try {
      requestRefresh("crm", "2026-12-01T11:00:00Z");
      assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
      relabel("crm", "b");
      await().atMost(Duration.ofSeconds(20)).until(() -> tokens.requests().size() >= 3);
      assertThat(tokens.requests().stream().map(r -> r.form().get("refresh_token")).filter(Objects::nonNull)
          .filter(rotated::equals)).as("the rotated refresh token, presented by a and by b").hasSize(2);
    } finally {
      answer.countDown();
      tokens.beforeAnswer(null);
    }
    tokens.liveRefreshTokens().forEach(secretValues::add);
  }

  /**
   * a's state write of a refresh fails (the rotated refresh token is kept in a's memory), and the
   * connector is relabelled before a's retry: a writes what it kept to the state Secret as it lets go,
   * so b goes on with the rotated token and never presents the spent one.
   */
  @Test
  void aRotatedTokenTheOldShardCouldNotWriteYetIsWrittenWhenTheConnectorLeavesIt() throws Exception {
    tokens.expiresIn(LIFETIME);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed(SEED);
    var shards = twoShards(SHARD + "=a", SHARD + "=b", Duration.ofSeconds(15));
    Shard a = shards.get(0);
    create(labelled(refreshing("crm"), "a"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    String first = tokens.liveRefreshTokens().iterator().next();
    secretValues.add(first);

    var refuse = new AtomicBoolean(true);
    // 403, not 5xx: the client retries a 5xx itself for a long while
    refusal = r -> refuse.get() && !"GET".equals(r.getMethod())
        && a.userAgent().equals(r.getHeader("User-Agent")) && writesStateOf("crm", r)
        ? new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}") : null;
    requestRefresh("crm", "2026-12-01T11:00:00Z");
    await().atMost(Duration.ofSeconds(30)).until(() -> tokens.requests().size() >= 2);
    String second = tokens.liveRefreshTokens().iterator().next();
    secretValues.add(second);
    await().atMost(Duration.ofSeconds(15)).until(() -> logs.text().contains("StateWriteFailed"));
    assertThat(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token"))
        .as("not written yet").isEqualTo(first);

    relabel("crm", "b");
    Thread.sleep(3000); // a has let go of the connector by now; its own retries were refused meanwhile
    refuse.set(false);
    await().atMost(Duration.ofSeconds(20)).until(
        () -> second.equals(cluster.secretValues(NS, "crm-keyward-state").get("state.refresh-token")));
    assertThat(logs.text()).contains("left this operator; the credential issued for it was written to its state Secret");

    // b goes on from there: a new request, once b's hold is over, presents the rotated token
    requestRefresh("crm", "2026-12-01T12:00:00Z");
    await().atMost(Duration.ofSeconds(60)).until(() -> tokens.requests().size() >= 3);
    awaitOutput("crm-credentials", v -> TokenServer.token(3).equals(v.get("token")));
    assertThat(tokens.requests().stream().map(r -> r.form().get("refresh_token")).filter(Objects::nonNull).toList())
        .as("each refresh token presented once").containsExactly(SEED, first, second);
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertNoSecretValueLeaked();
  }

  private static boolean writesStateOf(String connector, RecordedRequest r) {
    return r.getPath().contains("/secrets/" + connector + "-keyward-state")
        || r.getPath().endsWith("/secrets") && new String(r.getBody().getBytes()).contains(connector + "-keyward-state");
  }

  /** When the new shard's hold of {@code connector} ends, from its log line. */
  Instant holdEnds(String connector) {
    Matcher m = Pattern.compile(NS + "/" + connector + ": picked up at \\S+; its refresh waits until (\\S+) ")
        .matcher(logs.text());
    assertThat(m.find()).as("the hold's log line").isTrue();
    return Instant.parse(m.group(1));
  }
}
