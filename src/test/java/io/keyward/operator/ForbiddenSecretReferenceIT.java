package io.keyward.operator;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.credential.http.HttpSender;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One connector can never hurt another (issue #12): a connector may not read Keyward's state
 * Secrets or service-account tokens, and in strict mode only Secrets labelled for it. What the user
 * sees: Degraded/ForbiddenSecretReference, an Event, no output Secret, and no value anywhere.
 */
class ForbiddenSecretReferenceIT extends OperatorHarness {
  static final String API_KEY = "ak-3c1d-strict-mode-key";
  static final String SA_TOKEN = "eyJhbGciOiJSUzI1NiJ9.sa-token-4f2a.signature";

  ForbiddenSecretReferenceIT() {
    secretValues.addAll(List.of(API_KEY, SA_TOKEN));
  }

  static ApiConnector apiKey(String name, String secret, String key) {
    return connector(name, auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef(secret, key);
    });
  }

  void assertRefused(String name, String messagePart) {
    Condition degraded = awaitCondition(name, "Degraded", "True", "ForbiddenSecretReference");
    assertThat(degraded.message).startsWith("spec.auth.apiKey.keyRef: Secret " + NS + "/").contains(messagePart);
    Condition ready = awaitCondition(name, "Ready", "False", "ForbiddenSecretReference");
    assertThat(ready.message).isEqualTo(degraded.message);
    assertThat(eventReasons(name)).contains("ForbiddenSecretReference");
    assertThat(cluster.secretValues(NS, name + "-credentials")).as("no output Secret").isNull();
  }

  @Test
  void anotherConnectorsGeneratedPrivateKeyCannotBeCopiedIntoAnOutput() throws Exception {
    create(generatedKeys("logistics", JwtAuth.Algorithm.EdDSA, JwtAuth.Generate.KeyType.OKP));
    awaitOutput("logistics-credentials", v -> true);
    awaitCondition("logistics", "Ready", "True", "CredentialIssued");
    Map<String, String> state = cluster.secretValues(NS, "logistics-keyward-state");
    String keys = state.get("state.signing-keys");
    assertThat(keys).contains("\"d\"");
    addSecretStateValues(state);
    var entry = (Map<?, ?>) ((List<?>) com.nimbusds.jose.util.JSONObjectUtils.parse(keys).get("keys")).get(0);
    secretValues.add((String) ((Map<?, ?>) entry.get("jwk")).get("d"));

    create(apiKey("thief", "logistics-keyward-state", "state.signing-keys"));
    assertRefused("thief", "Keyward's state");
    sleep(1000); // no later reconcile publishes it either
    assertThat(cluster.secretValues(NS, "thief-credentials")).isNull();
    assertThat(client.secrets().inNamespace(NS).list().getItems())
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("logistics-credentials", "logistics-keyward-state");
    // the victim is untouched
    assertThat(connector("logistics").getStatus().condition("Ready").get().status).isEqualTo("True");
    assertNoSecretValueLeaked();
  }

  @Test
  void aStateSecretWithItsLabelsStrippedIsStillRefused() {
    create(generatedKeys("logistics", JwtAuth.Algorithm.EdDSA, JwtAuth.Generate.KeyType.OKP));
    awaitOutput("logistics-credentials", v -> true);
    Secret state = client.secrets().inNamespace(NS).withName("logistics-keyward-state").get();
    state.getMetadata().setLabels(Map.of());
    client.secrets().inNamespace(NS).resource(state).update();
    addSecretStateValues(cluster.secretValues(NS, "logistics-keyward-state"));

    create(apiKey("thief", "logistics-keyward-state", "state.signing-keys"));
    assertRefused("thief", "suffix -keyward-state is reserved");
    assertNoSecretValueLeaked();
  }

  @Test
  void aServiceAccountTokenSecretIsRefused() {
    Secret token = new SecretBuilder().withNewMetadata().withName("builder-token").withNamespace(NS)
        .addToAnnotations("kubernetes.io/service-account.name", "builder").endMetadata()
        .withType("kubernetes.io/service-account-token")
        .withData(Map.of("token", b64(SA_TOKEN))).build();
    client.secrets().inNamespace(NS).resource(token).create();

    create(apiKey("ci", "builder-token", "token"));
    assertRefused("ci", "service-account token");
    assertNoSecretValueLeaked();
  }

  @Test
  void strictModeRefusesAnUnlabelledSecretAndRecoversWhenTheLabelIsAdded() {
    operator.close(); // the harness's default operator
    operator = startOperator(testSettings().withRequireSecretLabel(true), Loopback.sender());
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));

    create(apiKey("erp", "erp", "api-key"));
    assertRefused("erp", "keyward.io/referenceable=true");
    assertThat(connector("erp").getStatus().condition("Degraded").get().message).contains("--require-secret-label");

    client.secrets().inNamespace(NS).withName("erp")
        .edit(s -> new SecretBuilder(s).editMetadata().addToLabels("keyward.io/referenceable", "true").endMetadata()
            .build());
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    awaitCondition("erp", "Degraded", "False", "RefreshSucceeded");
    assertThat(awaitOutput("erp-credentials", v -> true)).containsEntry("header-value", API_KEY);
    assertNoSecretValueLeaked();
  }

  @Test
  void withoutStrictModeAnUnlabelledSecretIsRead() {
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    create(apiKey("erp", "erp", "api-key"));
    assertThat(awaitOutput("erp-credentials", v -> true)).containsEntry("header-value", API_KEY);
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
  }

  /** The state's secret parts (generated keys, the minted token), to be found nowhere a user looks. */
  void addSecretStateValues(Map<String, String> state) {
    state.forEach((k, v) -> {
      if (k.startsWith("state.") || k.equals("token")) {
        secretValues.add(v);
      }
    });
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
