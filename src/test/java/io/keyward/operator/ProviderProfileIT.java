package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connectors that name a provider profile, through the running operator: the Secret, the status, the conditions. */
class ProviderProfileIT extends OperatorHarness {

  /** A keycloak connector that overrides the profile's token URL (the fake provider is on loopback). */
  ApiConnector keycloak(String name, Map<String, String> parameters) {
    ApiConnector c = connector(name, auth -> {
      auth.oauth2 = new OAuth2Auth();
      auth.oauth2.tokenUrl = tokens.tokenUrl();
      auth.oauth2.clientId = "crm-client";
      auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
    });
    c.getSpec().provider = "keycloak";
    c.getSpec().parameters = parameters;
    return c;
  }

  @Test
  void aConnectorNamingAProviderIsIssuedWithTheProfilesSettingsAndStatusNamesTheProfile() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    create(keycloak("sso", Map.of("host", "sso.example.com", "realm", "sales")));

    Map<String, String> out = awaitOutput("sso-credentials", v -> v.get("token").startsWith("access-token-"));
    assertThat(out.get("header-value")).isEqualTo("Bearer " + out.get("token"));
    awaitCondition("sso", "Ready", "True", "CredentialIssued");
    assertThat(connector("sso").getStatus().provider).isEqualTo("keycloak");
    assertThat(connector("sso").getStatus().providerSource).isEqualTo("built-in");
    assertThat(connector("sso").getStatus().authType).isEqualTo("oauth2");
    // the profile's client authentication: Basic
    assertThat(tokens.requests().get(0).header("Authorization")).startsWith("Basic ");
    assertNoSecretValueLeaked();
  }

  @Test
  void anUnknownProviderAndAMissingParameterAreConditionsNamingThemAndHurtNoOtherConnector() {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    ApiConnector unknown = keycloak("typo", Map.of());
    unknown.getSpec().provider = "keycloack";
    create(unknown);
    create(keycloak("half", Map.of("host", "sso.example.com")));
    create(keycloak("good", Map.of("host", "sso.example.com", "realm", "sales")));

    Condition typo = awaitCondition("typo", "Ready", "False", "UnknownProvider");
    assertThat(typo.message).startsWith("spec.provider: no provider profile named keycloack");
    Condition half = awaitCondition("half", "Ready", "False", "MissingParameter");
    assertThat(half.message).startsWith("spec.parameters.realm: required by provider keycloak (the realm of the"
        + " client)");
    assertThat(eventReasons("half")).contains("MissingParameter");
    awaitOutput("good-credentials", v -> v.get("token").startsWith("access-token-"));
    assertThat(cluster.secretValues(NS, "typo-credentials")).isNull();
  }
}
