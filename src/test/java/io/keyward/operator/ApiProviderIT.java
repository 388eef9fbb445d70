package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.ApiProvider;
import io.keyward.api.v1alpha1.ApiProviderSpec;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.testing.TokenServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ApiProviders through the running operator: one that adds a provider, one that overrides a built-in,
 * a changed one re-issuing the connectors naming it (watched: the credential lasts an hour, so nothing
 * else would ask again), a broken one hurting only its own connectors, a deleted one.
 */
class ApiProviderIT extends OperatorHarness {

  /** An ApiProvider whose profile is {@code yaml} (the fields of a built-in profile file). */
  static ApiProvider provider(String name, String yaml) throws Exception {
    ApiProvider p = new ApiProvider();
    p.setMetadata(new ObjectMetaBuilder().withName(name).build());
    p.setSpec(new YAMLMapper().readValue(yaml, ApiProviderSpec.class));
    return p;
  }

  /** A connector naming {@code provider}, giving only its client and parameters. */
  static ApiConnector naming(String name, String provider, Map<String, String> parameters) {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    c.setSpec(new ApiConnectorSpec());
    c.getSpec().provider = provider;
    c.getSpec().parameters = parameters.isEmpty() ? null : parameters;
    c.getSpec().auth = new AuthSpec();
    c.getSpec().auth.oauth2 = new OAuth2Auth();
    c.getSpec().auth.oauth2.clientId = "crm-client";
    c.getSpec().auth.oauth2.clientSecretRef = new SecretKeyRef("crm-oauth", "client-secret");
    return c;
  }

  /** A profile of a provider "on" the loopback token server; {@code {path}} is its one parameter. */
  String crmProfile(String scope) {
    String url = tokens.tokenUrl().replace("/oauth2/token", "/{path}/token");
    return """
        displayName: Acme CRM (EU)
        docs: https://crm.example.com/docs/oauth
        parameters:
          - name: path
            description: the tenant's token path
            default: oauth2
        connector:
          auth:
            oauth2:
              tokenUrl: %s
              clientAuthentication: clientSecretBasic
              scopes: [%s]
        """.formatted(url, scope);
  }

  void apply(ApiProvider p) {
    client.resource(p).createOr(existing -> existing.update());
  }

  @Test
  void anApiProviderAddsAProviderAndAChangeToItReissuesTheConnectorsNamingIt() throws Exception {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    tokens.expiresIn(3600);
    apply(provider("acme-crm", crmProfile("contacts.read")));
    create(naming("crm", "acme-crm", Map.of()));
    create(naming("other", "acme-crm", Map.of()));

    awaitOutput("crm-credentials", v -> v.get("token").startsWith("access-token-"));
    awaitCondition("crm", "Ready", "True", "CredentialIssued");
    assertThat(connector("crm").getStatus().provider).isEqualTo("acme-crm");
    assertThat(connector("crm").getStatus().providerSource).isEqualTo("ApiProvider");
    assertThat(tokens.requests().get(0).form()).containsEntry("scope", "contacts.read");
    assertThat(tokens.requests().get(0).header("Authorization")).startsWith("Basic ");
    awaitOutput("other-credentials", v -> v.get("token").startsWith("access-token-"));
    String before = cluster.secretValues(NS, "crm-credentials").get("token");
    int asked = tokens.requests().size();

    apply(provider("acme-crm", crmProfile("contacts.read, contacts.write")));

    // both connectors naming it ask again with the new scopes, long before their hour is up
    await().atMost(Duration.ofSeconds(20)).until(() -> tokens.requests().stream().skip(asked)
        .filter(r -> "contacts.read contacts.write".equals(r.form().get("scope"))).count() == 2);
    Map<String, String> after = awaitOutput("crm-credentials", v -> !v.get("token").equals(before));
    assertThat(after.get("header-value")).isEqualTo("Bearer " + after.get("token"));
    assertNoSecretValueLeaked();
  }

  @Test
  void anApiProviderOfABuiltInsNameOverridesItAndItsDeletionRestoresTheBuiltIn() throws Exception {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    // the built-in keycloak profile needs host and realm; this one takes none and points at loopback
    apply(provider("keycloak", crmProfile("profile")));
    create(naming("sso", "keycloak", Map.of()));

    awaitOutput("sso-credentials", v -> v.get("token").startsWith("access-token-"));
    awaitCondition("sso", "Ready", "True", "CredentialIssued");
    assertThat(connector("sso").getStatus().providerSource).isEqualTo("ApiProvider");
    assertThat(tokens.requests().get(0).form()).containsEntry("scope", "profile");

    client.resources(ApiProvider.class).withName("keycloak").delete();

    // the built-in again: its required parameters are missing, said so, and the last good Secret stays
    Condition missing = awaitCondition("sso", "Ready", "False", "MissingParameter");
    assertThat(missing.message).startsWith("spec.parameters.host: required by provider keycloak");
    assertThat(cluster.secretValues(NS, "sso-credentials").get("token")).startsWith("access-token-");
  }

  @Test
  void aBrokenApiProviderIsAConditionOnItsConnectorsOnlyAndItsFixIsPickedUp() throws Exception {
    cluster.putSecret(NS, "crm-oauth", Map.of("client-secret", CLIENT_SECRET));
    apply(provider("acme-crm", crmProfile("contacts.read")));
    apply(provider("typo-crm", crmProfile("contacts.read").replace("tokenUrl:", "tokenUrll:")));
    apply(provider("two-auths", """
        connector:
          auth:
            apiKey: {header: X-Key}
            basic: {username: u}
        """));
    create(naming("typo", "typo-crm", Map.of()));
    create(naming("two", "two-auths", Map.of()));
    create(naming("good", "acme-crm", Map.of()));

    Condition typo = awaitCondition("typo", "Ready", "False", "InvalidProfile");
    assertThat(typo.message).contains("provider typo-crm (ApiProvider)").contains("spec.auth.oauth2.tokenUrll");
    Condition two = awaitCondition("two", "Ready", "False", "InvalidProfile");
    assertThat(two.message).startsWith("ApiProvider two-auths: spec.connector.auth must hold exactly one of");
    awaitOutput("good-credentials", v -> v.get("token").startsWith("access-token-"));
    assertThat(eventReasons("typo")).contains("InvalidProfile");

    apply(provider("typo-crm", crmProfile("contacts.read")));
    awaitOutput("typo-credentials", v -> v.get("token").startsWith("access-token-"));
    awaitCondition("typo", "Ready", "True", "CredentialIssued");
    assertThat(cluster.secretValues(NS, "two-credentials")).isNull();
    assertNoSecretValueLeaked();
  }
}
