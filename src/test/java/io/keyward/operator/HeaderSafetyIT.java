package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.OutputSpec;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.testing.TokenServer.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §9 end to end: objects go straight into the mock API server, which validates nothing, so
 * they behave like objects a real cluster stored under an older CRD. What a user sees: the
 * conditions, and no output Secret carrying an injected header.
 */
class HeaderSafetyIT extends OperatorHarness {
  static final String API_KEY = "ak-91c0ffee-api-key";

  HeaderSafetyIT() {
    secretValues.add(API_KEY);
  }

  ApiConnector apiKey(String name, String header) {
    return connector(name, auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp", "api-key");
      auth.apiKey.header = header;
    });
  }

  @Test
  void anApiKeyHeaderWithALineBreakIsInvalidConfigurationAndNothingIsPublished() {
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    create(apiKey("erp", "X-Api Key: evil\r\nInjected"));
    create(apiKey("good", "X-ERP-Key")); // its neighbour is not hurt

    Condition ready = awaitCondition("erp", "Ready", "False", "InvalidConfiguration");
    Condition degraded = awaitCondition("erp", "Degraded", "True", "InvalidConfiguration");
    assertThat(ready.message).startsWith("spec.auth.apiKey.header: is not a valid HTTP header name")
        .doesNotContain("evil").doesNotContain("Injected");
    assertThat(degraded.message).contains("spec.auth.apiKey.header");
    assertThat(cluster.secretValues(NS, "erp-credentials")).isNull();
    assertThat(eventReasons("erp")).contains("InvalidConfiguration");

    awaitCondition("good", "Ready", "True", "CredentialIssued");
    assertThat(awaitOutput("good-credentials", v -> true)).containsEntry("header-name", "X-ERP-Key");
    assertThat(cluster.secretValues(NS, "erp-credentials")).isNull();
    assertNoSecretValueLeaked();
  }

  @Test
  void anAccessTokenWithAnInjectedHeaderIsNeverPublished() {
    tokens.override(r -> Response.json(200,
        "{\"access_token\":\"tok-1\\r\\nX-Injected: 1\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(oauth2("crm"));

    Condition ready = awaitCondition("crm", "Ready", "False", "InvalidTokenResponse");
    assertThat(ready.message).contains("access_token").doesNotContain("tok-1").doesNotContain("Injected");
    assertThat(cluster.secretValues(NS, "crm-credentials")).isNull();
    assertThat(cluster.secretValues(NS, "crm-keyward-state")).isNull();

    tokens.override(null); // the provider behaves again: the retry publishes a clean token
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(awaitOutput("crm-credentials", v -> true).get("header-value")).startsWith("Bearer access-token-");
    assertThat(logs.text()).doesNotContain("X-Injected");
    assertNoSecretValueLeaked();
  }

  @Test
  void anInvalidOutputSecretNameIsRefusedWithACondition() {
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    ApiConnector c = apiKey("erp", "X-ERP-Key");
    c.getSpec().output = new OutputSpec();
    c.getSpec().output.secretName = "Not_A_Valid/Name";
    create(c);

    Condition ready = awaitCondition("erp", "Ready", "False", "InvalidConfiguration");
    assertThat(ready.message).startsWith("spec.output.secretName: is not a valid Secret name")
        .doesNotContain("Not_A_Valid");
    awaitCondition("erp", "Degraded", "True", "InvalidConfiguration");
    assertThat(client.secrets().inNamespace(NS).list().getItems())
        .extracting(s -> s.getMetadata().getName()).containsExactly("erp");
    assertNoSecretValueLeaked();
  }

  @Test
  void aConnectorNameLongerThan63CharactersGetsValidLabelsAndWorks() {
    String name = "erp-" + "a".repeat(80);
    cluster.putSecret(NS, "erp", Map.of("api-key", API_KEY));
    create(apiKey(name, "X-ERP-Key"));

    awaitCondition(name, "Ready", "True", "CredentialIssued");
    awaitOutput(name + "-credentials", v -> API_KEY.equals(v.get("header-value")));
    var secret = client.secrets().inNamespace(NS).withName(name + "-credentials").get();
    assertThat(secret.getMetadata().getLabels().get("keyward.io/connector")).hasSizeLessThanOrEqualTo(63)
        .isEqualTo(Labels.connectorLabel(name));
    assertOutputMetadata(name, name + "-credentials");
  }
}
