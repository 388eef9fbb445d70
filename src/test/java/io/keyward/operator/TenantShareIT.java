package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import io.keyward.testing.SlowServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-host cap holds one slow provider to its share, but a tenant names its hosts itself. Forty
 * connectors of one namespace, each at a different trickling "host" (port), hold no more than their
 * namespace's share of calls at once, the rest wait their turn (NamespaceBusy, not a failure), and
 * a connector of another namespace gets its Secret. Bounds are generous: the machine is shared.
 */
class TenantShareIT extends OperatorHarness {
  static final String TENANT = "greedy";
  static final int HOSTS = 40;

  @Test
  void aTenantWithManySlowHostsHoldsOnlyItsNamespacesShare() throws Exception {
    operator.close();
    List<SlowServer> slow = new ArrayList<>();
    SlowServer.Group group = new SlowServer.Group();
    try {
      for (int i = 0; i < HOSTS; i++) {
        slow.add(new SlowServer(Duration.ofSeconds(2), group));
      }
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(TENANT).endMetadata().build())
          .create();
      cluster.putSecret(TENANT, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
      cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
      operator = startOperator(testSettings().withMaxIssuancesPerNamespace(6),
          new HttpSender(HttpLimits.defaults().withDeadline(Duration.ofSeconds(4)), Loopback.only()));
      for (int i = 0; i < HOSTS; i++) {
        ApiConnector c = NoisyNeighbourIT.pointingAt("slow-" + i, slow.get(i).url("/oauth2/token"));
        c.getMetadata().setNamespace(TENANT);
        client.resource(c).create();
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> slow.stream().mapToInt(SlowServer::accepted).sum() >= 6);

      create(NoisyNeighbourIT.pointingAt("crm", tokens.tokenUrl()));
      awaitOutput("crm-credentials", v -> v.get("token") != null && v.get("token").startsWith("access-token-"));

      // some of the tenant's connectors wait for their namespace's share: Ready says so, Degraded does not
      Condition waiting = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        for (int i = 0; i < HOSTS; i++) {
          ApiConnector c = client.resources(ApiConnector.class).inNamespace(TENANT).withName("slow-" + i).get();
          Condition ready = c == null || c.getStatus() == null ? null : c.getStatus().condition("Ready").orElse(null);
          if (ready != null && "NamespaceBusy".equals(ready.reason)) {
            return ready;
          }
        }
        return null;
      }, r -> r != null);
      assertThat(waiting.message).contains("namespace " + TENANT + " already has 6 credential requests in flight");
      sleep(8_000); // a few rounds of deadlines and retries
      // six in flight; an aborted exchange's socket closes a moment after its share is given back
      assertThat(group.maxOpen()).as("calls the tenant's hosts had at once").isLessThanOrEqualTo(12);
      for (int i = 0; i < HOSTS; i++) {
        ApiConnector c = client.resources(ApiConnector.class).inNamespace(TENANT).withName("slow-" + i).get();
        assertThat(c.getStatus().condition("Degraded").map(d -> d.reason).orElse(""))
            .as("waiting for a share is not a failure").isNotEqualTo("NamespaceBusy");
      }
      assertNoSecretValueLeaked();
      operator.close();
    } finally {
      slow.forEach(SlowServer::close);
    }
  }
}
