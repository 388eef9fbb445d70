package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.keyward.api.v1alpha1.Condition;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Objects the model cannot read, stored as a real cluster holds them under an older or newer CRD
 * (the mock API server validates nothing): each fails alone with {@code InvalidSpec} naming its
 * field, while ten good connectors keep being served, also across an operator restart.
 */
class UnreadableConnectorsIT extends OperatorHarness {
  static final String API_KEY = "ak-unreadable-neighbour-key";
  private static final ResourceDefinitionContext CONNECTORS = new ResourceDefinitionContext.Builder()
      .withGroup("keyward.io").withVersion("v1alpha1").withKind("ApiConnector").withPlural("apiconnectors")
      .withNamespaced(true).build();

  /** name → spec as stored, and the field its condition must name. */
  private static final Map<String, List<String>> BAD = new LinkedHashMap<>();

  static {
    BAD.put("bad-grant", List.of("{\"auth\":{\"oauth2\":{\"grant\":\"password\",\"tokenUrl\":\"https://idp.example/t\","
        + "\"clientId\":\"c\",\"clientSecretRef\":{\"name\":\"s\",\"key\":\"k\"}}}}", "spec.auth.oauth2.grant"));
    BAD.put("bad-algorithm", List.of("{\"auth\":{\"jwt\":{\"algorithm\":\"XY999\",\"signingKey\":{\"generate\":"
        + "{\"type\":\"OKP\"}}}}}", "spec.auth.jwt.algorithm"));
    BAD.put("bad-size", List.of("{\"auth\":{\"jwt\":{\"algorithm\":\"RS256\",\"signingKey\":{\"generate\":"
        + "{\"type\":\"RSA\",\"size\":99999999999999999999}}}}}", "spec.auth.jwt.signingKey.generate.size"));
    BAD.put("bad-type", List.of("{\"auth\":{\"apiKey\":{\"keyRef\":\"erp/api-key\"}}}", "spec.auth.apiKey.keyRef"));
    BAD.put("bad-list", List.of("{\"auth\":{\"oauth2\":{\"tokenUrl\":\"https://idp.example/t\",\"clientId\":\"c\","
        + "\"scopes\":\"crm.read\",\"clientSecretRef\":{\"name\":\"s\",\"key\":\"k\"}}}}", "spec.auth.oauth2.scopes"));
  }

  UnreadableConnectorsIT() {
    secretValues.add(API_KEY);
  }

  @Test
  void unreadableConnectorsFailAloneWhileTheOthersKeepRefreshingAlsoAfterARestart() {
    tokens.expiresIn(4);
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    operator.close(); // the bad objects are there before the operator starts: its first list must not fail
    BAD.forEach((name, bad) -> store(name, bad.get(0)));
    // an unknown field is dropped, as a structural schema prunes it: this one works
    store("future-field", "{\"auth\":{\"apiKey\":{\"keyRef\":{\"name\":\"erp\",\"key\":\"api-key\"},"
        + "\"rotationHint\":\"weekly\"}},\"newTopLevelKnob\":{\"on\":true}}");
    for (int i = 0; i < 8; i++) {
      store("good-" + i, "{\"auth\":{\"apiKey\":{\"keyRef\":{\"name\":\"erp\",\"key\":\"api-key\"},"
          + "\"header\":\"X-Good-" + i + "\"}}}");
    }
    // past an int but readable: refused by the CRD today, and by the issuer for objects stored before
    store("big-size", "{\"auth\":{\"jwt\":{\"algorithm\":\"RS256\",\"signingKey\":{\"generate\":"
        + "{\"type\":\"RSA\",\"size\":4294967296}}}}}");
    create(oauth2("crm"));
    operator = startOperator();

    assertServed();
    assertThat(awaitCondition("big-size", "Ready", "False", "InvalidConfiguration").message)
        .isEqualTo("spec.auth.jwt.signingKey.generate.size: must be 2048, 3072 or 4096");
    int issuedBefore = tokens.issuedCount();
    // the oauth2 neighbour keeps refreshing its 4 s tokens next to the unreadable ones
    await().atMost(Duration.ofSeconds(30)).until(() -> tokens.issuedCount() >= issuedBefore + 2);
    BAD.forEach((name, bad) -> {
      assertThat(eventReasons(name)).contains("InvalidSpec");
      assertThat(cluster.secretValues(NS, name + "-credentials")).isNull();
    });
    assertThat(operator.healthy()).as("every informer still runs").isTrue();

    // restarted with them present: it starts, serves, and takes new connectors
    operator.close();
    operator = startOperator();
    create(oauth2("crm-2"));
    awaitOutput("crm-2-credentials", v -> v.get("token").startsWith("access-token-"));
    assertServed();
    // one that arrives while watching fails alone too (before, the informer's watch stopped the operator)
    store("bad-while-watching", "{\"auth\":{\"oauth2\":{\"grant\":\"saml2Bearer\",\"tokenUrl\":\"https://idp.example/t\","
        + "\"clientId\":\"c\"}}}");
    Condition watched = awaitCondition("bad-while-watching", "Ready", "False", "InvalidSpec");
    assertThat(watched.message).startsWith("spec.auth.oauth2.grant: is not a supported value");
    create(oauth2("crm-3"));
    awaitOutput("crm-3-credentials", v -> v.get("token").startsWith("access-token-"));
    assertThat(operator.healthy()).isTrue();

    // fixing one recovers it
    store("bad-grant", "{\"auth\":{\"oauth2\":{\"grant\":\"clientCredentials\",\"tokenUrl\":\"" + tokens.tokenUrl()
        + "\",\"clientId\":\"crm-client\",\"clientSecretRef\":{\"name\":\"crm-oauth\",\"key\":\"client-secret\"}}}}");
    awaitCondition("bad-grant", "Ready", "True", "CredentialIssued");
    assertThat(cluster.secretValues(NS, "bad-grant-credentials").get("token")).startsWith("access-token-");
    assertNoSecretValueLeaked();
  }

  private void assertServed() {
    for (int i = 0; i < 8; i++) {
      String header = "X-Good-" + i;
      awaitOutput("good-" + i + "-credentials", v -> header.equals(v.get("header-name")));
    }
    awaitOutput("future-field-credentials", v -> API_KEY.equals(v.get("header-value")));
    awaitOutput("crm-credentials", v -> v.get("token").startsWith("access-token-"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    BAD.forEach((name, bad) -> {
      Condition ready = awaitCondition(name, "Ready", "False", "InvalidSpec");
      assertThat(ready.message).as(name).startsWith(bad.get(1) + ": ");
      Condition degraded = awaitCondition(name, "Degraded", "True", "InvalidSpec");
      assertThat(degraded.message).isEqualTo(ready.message);
    });
  }

  /** Creates or replaces a connector with this spec, as stored, bypassing the Java model. */
  @SuppressWarnings("unchecked")
  private void store(String name, String specJson) {
    var resources = client.genericKubernetesResources(CONNECTORS).inNamespace(NS);
    GenericKubernetesResource existing = resources.withName(name).get();
    GenericKubernetesResource r = existing != null ? existing : new GenericKubernetesResource();
    if (existing == null) {
      r.setApiVersion("keyward.io/v1alpha1");
      r.setKind("ApiConnector");
      r.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    }
    r.setAdditionalProperty("spec", client.getKubernetesSerialization().unmarshal(specJson, Map.class));
    if (existing == null) {
      resources.resource(r).create();
    } else {
      r.getMetadata().setGeneration(existing.getMetadata().getGeneration() == null ? 2
          : existing.getMetadata().getGeneration() + 1);
      resources.resource(r).update();
    }
  }
}
