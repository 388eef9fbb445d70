package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.SlowServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §9 "one connector never hurts another": fifty connectors point at a token endpoint that
 * sends its headers and then one byte every two seconds; one more points at a healthy endpoint on
 * another port. The healthy one gets its Secret, the slow ones say why they have none, the slow
 * host never has more than its share of calls, and the operator's thread count stays bounded.
 * Bounds are generous: other builds share the machine.
 */
class NoisyNeighbourIT extends OperatorHarness {
  static final int SLOW = 50;

  static ApiConnector pointingAt(String name, String tokenUrl) {
    return connector(name, auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.tokenUrl = tokenUrl;
      auth.oauth2.clientId = "crm-client";
      auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
    });
  }

  Condition condition(String name, String type) {
    ApiConnector c = connector(name);
    return c == null || c.getStatus() == null ? null : c.getStatus().condition(type).orElse(null);
  }

  @Test
  void fiftyConnectorsAtATricklingEndpointDoNotStarveAHealthyOne() throws Exception {
    operator.close(); // the harness's instance: this one gets a short deadline
    try (SlowServer slow = new SlowServer(Duration.ofSeconds(2))) {
      int threadsBefore = Thread.activeCount();
      HttpSender http = new HttpSender(HttpLimits.defaults().withDeadline(Duration.ofSeconds(3)), Loopback.only());
      operator = startOperator(testSettings(), http);
      cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
      for (int i = 0; i < SLOW; i++) {
        create(pointingAt("slow-" + i, slow.url("/oauth2/token")));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> slow.accepted() >= 4);

      create(pointingAt("crm", tokens.tokenUrl()));

      Map<String, String> out = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
          .until(() -> cluster.secretValues(NS, "crm-credentials"), v -> v != null && v.get("token") != null);
      assertThat(out.get("token")).startsWith("access-token-");
      awaitCondition("crm", "Ready", "True", "CredentialIssued");

      // every slow connector says why it has nothing: its endpoint timed out, or it waits for a share of the
      // host's calls in flight or of its request rate
      Set<String> reasons = Set.of("TokenEndpointUnreachable", "ProviderBusy", "ProviderThrottled");
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        for (int i = 0; i < SLOW; i++) {
          Condition ready = condition("slow-" + i, "Ready");
          if (ready == null || !"False".equals(ready.status) || !reasons.contains(ready.reason)) {
            return false;
          }
        }
        return true;
      });
      Condition degraded = await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (int i = 0; i < SLOW; i++) {
          Condition d = condition("slow-" + i, "Degraded");
          if (d != null && "True".equals(d.status)) {
            return d;
          }
        }
        return null;
      }, d -> d != null);
      assertThat(degraded.reason).isEqualTo("TokenEndpointUnreachable");
      assertThat(degraded.message).contains("token endpoint " + slow.url("") + " could not be reached or gave no complete answer within 3s")
          .doesNotContain("/oauth2");
      for (int i = 0; i < SLOW; i++) {
        ApiConnector c = connector("slow-" + i);
        Condition d = c.getStatus().condition("Degraded").orElseThrow();
        assertThat(d.reason).as("a deferral is not a failure").isNotIn("ProviderBusy", "ProviderThrottled");
        if (Set.of("ProviderBusy", "ProviderThrottled").contains(c.getStatus().condition("Ready").orElseThrow().reason)) {
          assertThat(c.getStatus().consecutiveFailures).as("slow-" + i + " was only ever deferred").isZero();
        }
      }
      List<String> events = eventReasonsOfAll();
      assertThat(events).as("a deferral raises no warning").doesNotContain("ProviderBusy", "ProviderThrottled");

      // the sender keeps 4 calls in flight; an aborted exchange's socket closes asynchronously, so the
      // server may briefly still count it while its successor connects: at most twice the share
      assertThat(slow.maxOpen()).as("calls the slow host had at once").isLessThanOrEqualTo(8);
      assertThat(slow.abandoned()).as("exchanges aborted at the deadline, their connections closed").isPositive();
      int threadsThen = Thread.activeCount();
      sleep(10_000);
      int threadsLater = Thread.activeCount();
      assertThat(threadsThen - threadsBefore).as("threads the operator added").isLessThan(150);
      assertThat(threadsLater - threadsThen).as("threads grow with time").isLessThan(40);
      assertThat(slow.maxOpen()).isLessThanOrEqualTo(8);
      assertNoSecretValueLeaked();
      operator.close(); // before the mock and the slow server go
    }
  }

  List<String> eventReasonsOfAll() {
    return client.v1().events().inNamespace(NS).list().getItems().stream().map(e -> e.getReason()).toList();
  }
}
