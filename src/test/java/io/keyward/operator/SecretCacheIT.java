package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.keyward.testing.Loopback;
import io.keyward.testing.TokenServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the operator keeps of the cluster's Secrets and what it asks the API server for (DESIGN §8):
 * only the Secrets connectors own or reference are cached, a Secret that existed before its
 * connector is read once, and a reconcile reads from the cache, never with a GET.
 */
class SecretCacheIT extends OperatorHarness {
  static final String AGENT = "keyward-under-test";
  /** The API requests the operator made (its own client's user agent), as {@code METHOD path}. */
  final List<String> operatorRequests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void operatorWithItsOwnClient() {
    operator.close();
    cluster.intercept(r -> {
      if (AGENT.equals(r.getHeader("User-Agent"))) {
        operatorRequests.add(r.getMethod() + " " + r.getPath());
      }
      return null;
    });
    operator = startOperator(ownClient(), testSettings(), Loopback.sender());
  }

  /** A client of the API server with the operator's user agent, closed after the operator. */
  KubernetesClient ownClient() {
    KubernetesClient own = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(client.getConfiguration().getMasterUrl())
        .withUserAgent(AGENT)
        .withHttp2Disable(true)
        .build()).build();
    afterOperator.add(own);
    return own;
  }

  /** The operator's GETs of single Secrets (not lists or watches), by name. */
  Map<String, Integer> secretGets() {
    Map<String, Integer> gets = new HashMap<>();
    Pattern one = Pattern.compile("^GET /api/v1/namespaces/" + NS + "/secrets/([^/?]+)$");
    for (String r : operatorRequests) {
      Matcher m = one.matcher(r);
      if (m.matches()) {
        gets.merge(m.group(1), 1, Integer::sum);
      }
    }
    return gets;
  }

  double cached(String cache) {
    Matcher m = Pattern.compile("(?m)^keyward_secrets_cached\\{cache=\"" + cache + "\"\\} (\\S+)$")
        .matcher(operator.scrape());
    assertThat(m.find()).as("keyward_secrets_cached{cache=%s} on /metrics", cache).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void unrelatedSecretsAreNotKeptAndAReferencedOneIsReadOnceThenFollowed() {
    String filler = "x".repeat(8 * 1024);
    for (int i = 0; i < 40; i++) {
      cluster.putSecret(NS, "unrelated-" + i, Map.of("blob", filler));
    }
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET)); // before its connector: not kept
    create(oauth2("crm"));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(cached("owned")).as("its output and state Secrets").isEqualTo(2.0);
      assertThat(cached("referenced")).as("crm-oauth, none of the 40 unrelated").isEqualTo(1.0);
    });
    Map<String, Integer> afterFirstIssue = secretGets();
    assertThat(afterFirstIssue).as("a Secret the cache could not have seen is read once; the connector's own"
        + " Secrets, which cannot predate it without shards, not at all").isEqualTo(Map.of("crm-oauth", 1));

    requestRefresh("crm", "2026-12-01T10:00:00Z");
    awaitOutput("crm-credentials", v -> TokenServer.token(2).equals(v.get("token")));
    requestRefresh("crm", "2026-12-01T10:01:00Z");
    awaitOutput("crm-credentials", v -> TokenServer.token(3).equals(v.get("token")));

    String rotated = "cs-rotated-2f9c-client-secret";
    secretValues.add(rotated);
    tokens.client("crm-client", rotated);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", rotated)); // now referenced: followed by the watch
    await().atMost(Duration.ofSeconds(15)).until(() -> "InputsChanged".equals(connector("crm").getStatus().lastIssueReason));
    assertThat(eventReasons("crm")).as("two requested refreshes and a changed Secret")
        .containsExactly("Issued", "Reissued", "Reissued", "Reissued");
    assertThat(secretGets()).as("no GET in any later reconcile").isEqualTo(afterFirstIssue);
    assertNoSecretValueLeaked();
  }

  @Test
  void aRestartWithEveryConnectorReadyReadsByListAndWatchAloneAndWritesNothing() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    cluster.putSecret(NS, "erp", Map.of("api-key", "erp-key-71c3-api-key"));
    secretValues.add("erp-key-71c3-api-key");
    seed("seed-5d1a-refresh-token");
    create(oauth2("crm"));
    create(refreshing("ledger"));
    create(connector("erp", auth -> {
      auth.apiKey = new io.keyward.api.v1alpha1.auth.ApiKeyAuth();
      auth.apiKey.keyRef = new io.keyward.api.v1alpha1.SecretKeyRef("erp", "api-key");
    }));
    for (String name : List.of("crm", "ledger", "erp")) {
      awaitCondition(name, "Ready", "True", "CredentialIssued");
    }
    operator.close();
    int from = operatorRequests.size();
    double issued = tokens.issuedCount();

    operator = startOperator(ownClient(), testSettings(), Loopback.sender());
    await().atMost(Duration.ofSeconds(30)).until(() -> reconciles() >= 3);
    List<String> requests = operatorRequests.subList(from, operatorRequests.size());
    assertThat(requests).as("lists and watches only: no GET of one object, no write")
        .allMatch(r -> r.startsWith("GET ") && (r.contains("watch=true") || !r.matches("^GET [^?]*/(secrets|configmaps|apiconnectors)/[^/?]+.*")))
        .noneMatch(r -> r.startsWith("PUT ") || r.startsWith("POST ") || r.startsWith("PATCH ") || r.startsWith("DELETE "));
    assertThat(tokens.issuedCount()).as("no provider call").isEqualTo((int) issued);
    tokens.liveRefreshTokens().forEach(secretValues::add);
    assertNoSecretValueLeaked();
  }

  @Test
  void aMissingSecretCostsOneGetNotOnePerReconcileAndIsPickedUpWhenCreated() {
    create(oauth2("crm"));
    awaitCondition("crm", "Ready", "False", "SecretNotFound");
    double before = reconciles();
    requestRefresh("crm", "2026-12-01T10:00:00Z");
    requestRefresh("crm", "2026-12-01T10:01:00Z");
    await().atMost(Duration.ofSeconds(10)).until(() -> reconciles() >= before + 2);
    assertThat(secretGets()).as("found absent once; the watch tells when it appears").containsEntry("crm-oauth", 1);

    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    awaitOutput("crm-credentials", v -> TokenServer.token(1).equals(v.get("token")));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(secretGets()).containsEntry("crm-oauth", 1);
  }

  /** The operator's writes (not GETs, lists or watches) since {@code from}, as {@code METHOD path}. */
  List<String> writesSince(int from) {
    return operatorRequests.subList(from, operatorRequests.size()).stream().filter(r -> !r.startsWith("GET ")).toList();
  }

  /** Waits until the output Secret holds token {@code n} and status describes it. */
  void awaitPublished(int n) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.secretValues(NS, "crm-credentials"), v -> v != null && TokenServer.token(n).equals(v.get("token")));
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      var out = client.secrets().inNamespace(NS).withName("crm-credentials").get();
      var st = connector("crm").getStatus();
      return st != null && st.issuedAt != null && out != null && TokenServer.token(n).equals(cluster.secretValues(NS,
          "crm-credentials").get("token")) && st.issuedAt.equals(StatusBuilder.time(java.time.Instant.parse(
          out.getMetadata().getAnnotations().get("keyward.io/issued-at"))));
    });
  }

  static long count(List<String> writes, String prefix) {
    return writes.stream().filter(w -> w.startsWith(prefix)).count();
  }

  @Test
  void aRoutineRefreshWithoutIssuerStateWritesTheOutputSecretAndStatusOnly() {
    tokens.expiresIn(20); // renewed at half-life: about every 10 s
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitPublished(1);
    int from = operatorRequests.size();
    awaitPublished(3);
    List<String> writes = writesSince(from);
    String secrets = "/api/v1/namespaces/" + NS + "/secrets/";
    assertThat(count(writes, "PUT " + secrets + "crm-credentials")).as("the output, once per refresh: %s", writes)
        .isEqualTo(2);
    assertThat(count(writes, "PUT " + secrets + "crm-keyward-state")).as("no state to keep: %s", writes).isZero();
    assertThat(writes).as("no Event for a routine refresh").noneMatch(w -> w.contains("/events"));
    assertThat(count(writes, "PATCH /apis/keyward.io/v1alpha1/namespaces/" + NS + "/apiconnectors/crm/status"))
        .as("status, once per refresh (the mock may refuse a patch and have it sent again)").isGreaterThanOrEqualTo(2);
    assertThat(writes).as("nothing else: %s", writes).allMatch(w -> w.startsWith("PUT " + secrets + "crm-credentials")
        || w.startsWith("PATCH /apis/keyward.io/v1alpha1/namespaces/" + NS + "/apiconnectors/crm/status"));
    assertThat(connector("crm").getStatus().lastIssueReason).isEqualTo("RenewalDue");
  }

  @Test
  void aRoutineRefreshOfARotatingRefreshTokenWritesTheStateFirstThenTheOutput() {
    tokens.expiresIn(20);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    seed("seed-0c4e-refresh-token");
    create(refreshing("crm"));
    awaitPublished(1);
    int from = operatorRequests.size();
    awaitPublished(3);
    tokens.liveRefreshTokens().forEach(secretValues::add);
    List<String> writes = writesSince(from);
    String secrets = "/api/v1/namespaces/" + NS + "/secrets/";
    assertThat(count(writes, "PUT " + secrets + "crm-keyward-state")).as("the rotated refresh token: %s", writes)
        .isEqualTo(2);
    assertThat(count(writes, "PUT " + secrets + "crm-credentials")).isEqualTo(2);
    assertThat(writes).as("no Event for a routine refresh").noneMatch(w -> w.contains("/events"));
    assertNoSecretValueLeaked();
  }

  /**
   * An owned Secret deleted under the operator, just before its write (the watch has not told the cache
   * yet): the update answers 404, the Secret is read again, found absent, and created, in the same
   * reconcile; no failure, no provider call more.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"crm-credentials", "crm-keyward-state"})
  void anOwnedSecretDeletedUnderAWriteIsCreatedAgainNotAFailure(String name) {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitPublished(1);
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    String path = "/api/v1/namespaces/" + NS + "/secrets/" + name;
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean(true);
    cluster.intercept(r -> {
      if (AGENT.equals(r.getHeader("User-Agent"))) {
        operatorRequests.add(r.getMethod() + " " + r.getPath());
        if ("PUT".equals(r.getMethod()) && r.getPath().startsWith(path) && armed.getAndSet(false)) {
          cluster.deleteSecretInStore(NS, name); // the update then finds nothing: 404
        }
      }
      return null;
    });
    int from = operatorRequests.size();
    requestRefresh("crm", "2026-12-01T10:00:00Z"); // writes both: the state (the request handled) and the output
    awaitPublished(2);
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(armed).as("the update was refused").isFalse();
    assertThat(eventReasons("crm")).as("no failure").containsExactly("Issued", "Reissued");
    List<String> requests = operatorRequests.subList(from, operatorRequests.size());
    assertThat(requests).as("update (404), read again (404), create: %s", requests)
        .containsSubsequence("PUT " + path, "GET " + path, "POST /api/v1/namespaces/" + NS + "/secrets");
    assertThat(client.secrets().inNamespace(NS).withName(name).get()).as("created again").isNotNull();
    assertThat(connector("crm").getStatus().consecutiveFailures).isIn(null, 0);
    assertThat(tokens.issuedCount()).isEqualTo(2);
    assertNoSecretValueLeaked();
  }

  /**
   * An upgrade from a version that put a plain SHA-256 of the credential on the output Secret: the
   * output is checked against it once, the state Secret is given a checksum key, and the output is
   * written again with the HMAC; the credential stays, and the provider is not asked.
   */
  @Test
  void anOutputWithThePlainChecksumOfAnEarlierVersionMovesToTheHmacWithoutAProviderCall() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));
    awaitPublished(1);
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    operator.close();
    var state = client.secrets().inNamespace(NS).withName("crm-keyward-state").get();
    assertThat(state.getData()).containsKey(StoredCredential.CHECKSUM_KEY);
    state.getData().remove(StoredCredential.CHECKSUM_KEY); // as the earlier version left them
    client.resource(state).update();
    var output = client.secrets().inNamespace(NS).withName("crm-credentials").get();
    String issuedAt = output.getMetadata().getAnnotations().get(Labels.ISSUED_AT);
    String legacy = OutputSecret.legacyChecksum(cluster.secretValues(NS, "crm-credentials"));
    output.getMetadata().getAnnotations().put(Labels.CHECKSUM, legacy);
    client.resource(output).update();

    int from = operatorRequests.size();
    operator = startOperator(ownClient(), testSettings(), Loopback.sender());
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      var s = client.secrets().inNamespace(NS).withName("crm-keyward-state").get();
      var o = client.secrets().inNamespace(NS).withName("crm-credentials").get();
      String key = cluster.secretValues(NS, "crm-keyward-state").get(StoredCredential.CHECKSUM_KEY);
      return key != null && s != null && o != null && OutputSecret.checksum(key, cluster.secretValues(NS,
          "crm-credentials")).equals(o.getMetadata().getAnnotations().get(Labels.CHECKSUM));
    });
    assertThat(tokens.issuedCount()).as("no provider call").isEqualTo(1);
    assertThat(cluster.secretValues(NS, "crm-credentials").get("token")).isEqualTo(TokenServer.token(1));
    assertThat(client.secrets().inNamespace(NS).withName("crm-credentials").get().getMetadata().getAnnotations())
        .containsEntry(Labels.ISSUED_AT, issuedAt);
    await().atMost(Duration.ofSeconds(10)).until(() -> reconciles() >= 1);
    String secrets = "/api/v1/namespaces/" + NS + "/secrets/";
    List<String> writes = writesSince(from);
    assertThat(count(writes, "PUT " + secrets + "crm-keyward-state")).as("the key, once: %s", writes).isEqualTo(1);
    assertThat(count(writes, "PUT " + secrets + "crm-credentials")).as("the HMAC, once: %s", writes).isEqualTo(1);
    assertThat(eventReasons("crm")).containsExactly("Issued");
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertNoSecretValueLeaked();
  }
}
