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
    KubernetesClient own = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(client.getConfiguration().getMasterUrl())
        .withUserAgent(AGENT)
        .withHttp2Disable(true)
        .build()).build();
    afterOperator.add(own);
    cluster.intercept(r -> {
      if (AGENT.equals(r.getHeader("User-Agent"))) {
        operatorRequests.add(r.getMethod() + " " + r.getPath());
      }
      return null;
    });
    operator = startOperator(own, testSettings(), Loopback.sender());
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
      assertThat(cached("owned")).as("output Secret (the state is kept by the credential alone)").isBetween(1.0, 2.0);
      assertThat(cached("referenced")).as("crm-oauth, none of the 40 unrelated").isEqualTo(1.0);
    });
    Map<String, Integer> afterFirstIssue = secretGets();
    assertThat(afterFirstIssue).as("a Secret the cache could not have seen is read once; nothing else")
        .containsEntry("crm-oauth", 1).allSatisfy((name, n) -> assertThat(n).as(name).isEqualTo(1))
        .doesNotContainKeys("unrelated-0", "unrelated-39");

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
}
