package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward validate} on connectors that name provider profiles and on ApiProviders: the merged
 * spec is judged as the operator judges it, an ApiProvider among the manifests is read as the
 * operator reads it, and a provider that only the cluster may have is a warning, not an error.
 */
class ValidateProvidersTest {
  @TempDir Path dir;

  static final String ACME_PROVIDER = """
      apiVersion: keyward.io/v1alpha1
      kind: ApiProvider
      metadata: {name: acme-crm}
      spec:
        displayName: Acme CRM
        parameters:
          - name: region
            description: the tenant's data centre
        connector:
          auth:
            oauth2:
              tokenUrl: https://{region}.login.acme.example/oauth2/token
              clientAuthentication: clientSecretPost
      """;

  static String connector(String name, String provider, String parameters, String oauth2) {
    return """
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: %s, namespace: sales}
        spec:
          provider: %s
          parameters: {%s}
          auth:
            oauth2:
              clientId: app
              clientSecretRef: {name: app, key: client-secret}
        %s""".formatted(name, provider, parameters, oauth2.indent(6));
  }

  Path write(String name, String... documents) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("---\n", documents));
    return file;
  }

  @Test
  void connectorsAreMergedWithBuiltInProfilesAndWithApiProvidersAmongTheManifests() throws Exception {
    Path f = write("all.yaml", ACME_PROVIDER,
        connector("crm", "acme-crm", "region: eu1", ""),
        connector("support", "zendesk", "subdomain: acme", "refreshTokenRef: {name: app, key: refresh-token}"));
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", f.toString());
    assertThat(r.out()).isEqualTo("keyward validate: 2 ApiConnectors, 1 ApiProvider in 1 file, all valid\n");
    assertThat(r.exit()).isZero();
  }

  @Test
  void aMissingParameterAndAMergedSpecThatLacksSomethingAreErrorsNamingTheField() throws Exception {
    Path f = write("bad.yaml",
        connector("support", "zendesk", "", "refreshTokenRef: {name: app, key: refresh-token}"),
        connector("shop", "shopify", "shop: acme", ""));
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", f.toString());
    assertThat(r.out().lines().toList()).containsExactly(
        f + ":1: ApiConnector/support: spec.parameters.subdomain: required by provider"
            + " zendesk (acme in acme.zendesk.com)",
        f + ":2: ApiConnector/shop: spec.auth.oauth2: the spec merged with provider shopify (built-in) is invalid:"
            + " spec.auth.oauth2: Invalid value: \"object\": grant refreshToken needs refreshTokenRef (the seed refresh"
            + " token)",
        "keyward validate: 2 ApiConnectors in 1 file: 2 invalid documents, 2 errors");
    assertThat(r.exit()).isEqualTo(1);
  }

  @Test
  void aProviderNeitherBuiltInNorAmongTheManifestsIsAWarning() throws Exception {
    Path f = write("c.yaml", connector("crm", "acme-crm", "region: eu1", ""));
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", f.toString());
    assertThat(r.out().lines().toList()).containsExactly(
        f + ":1: ApiConnector/crm: spec.provider: warning: no built-in profile or ApiProvider among these manifests"
            + " is named acme-crm: the cluster must have an ApiProvider of that name",
        "keyward validate: 1 ApiConnector in 1 file, all valid, 1 warning");
    assertThat(r.exit()).isZero();
    assertThat(KeywardCliTest.run("validate", "--strict", "-f", f.toString()).exit()).isEqualTo(1);
  }

  @Test
  void aBrokenApiProviderIsAnErrorOnItselfAndNotOnEachOfItsConnectors() throws Exception {
    Path f = write("p.yaml", """
        apiVersion: keyward.io/v1alpha1
        kind: ApiProvider
        metadata: {name: two-auths}
        spec:
          connector:
            auth:
              apiKey: {header: X-Key}
              basic: {username: u}
        """, """
        apiVersion: keyward.io/v1alpha1
        kind: ApiProvider
        metadata: {name: typo}
        spec:
          connector:
            auth:
              oauth2: {tokenUri: https://login.example.com/token}
        """, """
        apiVersion: keyward.io/v1alpha1
        kind: ApiProvider
        metadata: {name: no-connector}
        spec: {displayName: Nothing}
        """, connector("crm", "typo", "", ""));
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", f.toString());
    assertThat(r.out().lines().toList()).containsExactly(
        f + ":1: ApiProvider/two-auths: spec.connector.auth: ApiProvider two-auths: spec.connector.auth must hold"
            + " exactly one of oauth2, apiKey, basic, jwt",
        f + ":2: ApiProvider/typo: spec.connector.auth.oauth2.tokenUri: an ApiConnector spec has no field"
            + " spec.auth.oauth2.tokenUri",
        f + ":3: ApiProvider/no-connector: spec.connector: Required value",
        "keyward validate: 1 ApiConnector, 3 ApiProviders in 1 file: 3 invalid documents, 3 errors");
  }

  @Test
  void theJsonReportCountsProviders() throws Exception {
    Path f = write("j.yaml", ACME_PROVIDER, connector("crm", "acme-crm", "region: eu1", ""));
    JsonNode report = new ObjectMapper().readTree(KeywardCliTest.run("validate", "-o", "json", "-f", f.toString()).out());
    assertThat(report.path("valid").asBoolean()).isTrue();
    assertThat(report.path("summary").path("connectors").asInt()).isEqualTo(1);
    assertThat(report.path("summary").path("providers").asInt()).isEqualTo(1);
    assertThat(report.path("documents").get(0).path("kind").asText()).isEqualTo("ApiProvider");
    assertThat(report.path("documents").get(0).path("result").asText()).isEqualTo("valid");
  }

  @Test
  void everyExampleUnderExamplesProvidersValidatesMergedWithItsProfile() {
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "--strict", "-f", "examples/providers");
    assertThat(r.out()).contains("all valid").doesNotContain("warning");
    assertThat(r.exit()).isZero();
  }

  @Test
  void aBrokenApiProviderNamedLikeABuiltInIsNotReplacedByTheBuiltInForItsConnectors() throws Exception {
    Path f = write("s.yaml", """
        apiVersion: keyward.io/v1alpha1
        kind: ApiProvider
        metadata: {name: slack}
        spec:
          connector:
            auth:
              oauth2: {tokenUri: https://slack.com/api/oauth.v2.access}
        """, connector("chat", "slack", "", "refreshTokenRef: {name: app, key: refresh-token}"));
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", f.toString());
    assertThat(r.out().lines().toList()).containsExactly(
        f + ":1: ApiProvider/slack: spec.connector.auth.oauth2.tokenUri: an ApiConnector spec has no field"
            + " spec.auth.oauth2.tokenUri",
        "keyward validate: 1 ApiConnector, 1 ApiProvider in 1 file: 1 invalid document, 1 error");
  }

  @Test
  void anApiProviderMayNotNameSecretsAndTwoOfOneNameAreTold() throws Exception {
    Path f = write("d.yaml", ACME_PROVIDER, ACME_PROVIDER, """
        apiVersion: keyward.io/v1alpha1
        kind: ApiProvider
        metadata: {name: sneaky}
        spec:
          connector:
            auth:
              oauth2:
                tokenUrl: https://login.example.com/token
                clientSecretRef: {name: shared, key: secret}
        """);
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", f.toString());
    assertThat(r.out().lines().toList()).containsExactly(
        f + ":2: ApiProvider/acme-crm: metadata.name: warning: another ApiProvider of this name is at " + f
            + ":1; the one applied last replaces it (this one is used here)",
        f + ":3: ApiProvider/sneaky: spec.connector.auth.oauth2.clientSecretRef: ApiProvider sneaky:"
            + " spec.connector.auth.oauth2.clientSecretRef names a Secret; a profile may not: each connector names its own",
        "keyward validate: 0 ApiConnectors, 3 ApiProviders in 1 file: 1 invalid document, 1 error, 1 warning");
  }

  @Test
  void aConnectorOfGenerateNameIsMergedToo() throws Exception {
    Path f = write("g.yaml", connector("x", "zendesk", "subdomain: acme", "refreshTokenRef: {name: app, key: refresh-token}")
        .replace("metadata: {name: x, namespace: sales}", "metadata: {generateName: support-, namespace: sales}"));
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", f.toString());
    assertThat(r.out()).isEqualTo("keyward validate: 1 ApiConnector in 1 file, all valid\n");
  }
}
