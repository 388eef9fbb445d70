package io.keyward.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.StoredSpec;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import org.junit.jupiter.api.Test;

/** A profile merged with a connector's own fields, as the issuers then see it. */
class ProfileMergeTest {
  static final YAMLMapper YAML = new YAMLMapper();

  static ApiConnectorSpec spec(String yaml) throws Exception {
    return StoredSpec.read(YAML.readTree(yaml));
  }

  static EffectiveSpec resolve(String yaml) throws Exception {
    return EffectiveSpec.resolve(spec(yaml), "crm", "sales", ProviderCatalog.builtIn());
  }

  @Test
  void placeholdersAreFilledFromTheParametersAndTheConnectorsCredentialsAreKept() throws Exception {
    EffectiveSpec e = resolve("""
        provider: zendesk
        parameters: {subdomain: acme}
        auth:
          oauth2:
            clientId: zd
            clientSecretRef: {name: zd, key: secret}
            refreshTokenRef: {name: zd, key: seed}
        """);
    OAuth2Auth o = e.spec().auth.oauth2;
    assertThat(o.tokenUrl).isEqualTo("https://acme.zendesk.com/oauth/tokens");
    assertThat(o.grant).isEqualTo(OAuth2Auth.Grant.refreshToken);
    assertThat(o.clientAuthentication).isEqualTo(OAuth2Auth.ClientAuthentication.clientSecretPost);
    assertThat(o.clientId).isEqualTo("zd");
    assertThat(o.refreshTokenRef.key).isEqualTo("seed");
    assertThat(e.spec().provider).isNull();
    assertThat(e.spec().parameters).isNull();
    assertThat(e.profile().source()).isEqualTo(ProviderProfile.BUILT_IN);
  }

  @Test
  void whatTheConnectorSetsOverridesTheProfileAndAListReplacesTheProfilesList() throws Exception {
    EffectiveSpec e = resolve("""
        provider: microsoft-entra-id
        parameters: {tenant: contoso.onmicrosoft.com}
        auth:
          oauth2:
            clientId: app
            clientSecretRef: {name: entra, key: secret}
            clientAuthentication: clientSecretBasic
            scopes: [api://crm/.default]
        refresh: {renewBefore: 10m}
        """);
    OAuth2Auth o = e.spec().auth.oauth2;
    assertThat(o.clientAuthentication).isEqualTo(OAuth2Auth.ClientAuthentication.clientSecretBasic);
    assertThat(o.scopes).containsExactly("api://crm/.default");
    assertThat(o.tokenUrl).isEqualTo("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    assertThat(e.spec().refresh.renewBefore).isEqualTo("10m");
  }

  @Test
  void aParameterWithADefaultMayBeLeftOut() throws Exception {
    EffectiveSpec e = resolve("""
        provider: microsoft-entra-id
        parameters: {tenant: contoso.onmicrosoft.com}
        auth: {oauth2: {clientId: app, clientAssertion: {keyRef: {name: entra, key: tls.key}}}}
        """);
    assertThat(e.spec().auth.oauth2.scopes).containsExactly("https://graph.microsoft.com/.default");
  }

  @Test
  void aMissingParameterIsNamedWithItsDescription() {
    assertThatThrownBy(() -> resolve("""
        provider: zendesk
        auth: {oauth2: {clientId: zd, clientSecretRef: {name: zd, key: s}, refreshTokenRef: {name: zd, key: r}}}
        """)).isInstanceOfSatisfying(ProfileException.class, e -> {
          assertThat(e.reason()).isEqualTo("MissingParameter");
          assertThat(e.getMessage()).isEqualTo("spec.parameters.subdomain: required by provider zendesk (acme in"
              + " acme.zendesk.com)");
        });
  }

  @Test
  void anUnknownParameterIsNamedWithTheOnesTheProfileTakes() {
    assertThatThrownBy(() -> resolve("""
        provider: zendesk
        parameters: {subdomain: acme, region: eu}
        auth: {oauth2: {clientId: zd, clientSecretRef: {name: zd, key: s}, refreshTokenRef: {name: zd, key: r}}}
        """)).isInstanceOfSatisfying(ProfileException.class, e -> {
          assertThat(e.reason()).isEqualTo("UnknownParameter");
          assertThat(e.getMessage()).isEqualTo("spec.parameters.region: provider zendesk has no such parameter (it"
              + " takes subdomain)");
        });
  }

  @Test
  void aParameterThatWouldMoveTheUrlToAnotherHostIsRefusedWithoutShowingIt() {
    for (String value : new String[] {"evil.example/x", "evil.example#", "a@evil.example", "acme.zendesk.com:443"}) {
      assertThatThrownBy(() -> resolve("""
          provider: zendesk
          parameters: {subdomain: "%s"}
          auth: {oauth2: {clientId: zd, clientSecretRef: {name: zd, key: s}, refreshTokenRef: {name: zd, key: r}}}
          """.formatted(value))).isInstanceOfSatisfying(ProfileException.class, e -> {
            assertThat(e.reason()).isEqualTo("InvalidParameter");
            assertThat(e.getMessage()).startsWith("spec.parameters.subdomain: does not match").doesNotContain(value);
          });
    }
  }

  @Test
  void anUnknownProviderIsNamed() {
    assertThatThrownBy(() -> resolve("provider: salesforse\nauth: {apiKey: {keyRef: {name: k, key: k}}}\n"))
        .isInstanceOfSatisfying(ProfileException.class, e -> {
          assertThat(e.reason()).isEqualTo("UnknownProvider");
          assertThat(e.getMessage()).isEqualTo("spec.provider: no provider profile named salesforse (built in or"
              + " ApiProvider); `keyward providers` lists them");
        });
  }

  @Test
  void aMergedSpecThatLacksSomethingFailsWithTheMessageOfTheCrdsRule() {
    // the profile's grant is refreshToken: without a seed the merged spec breaks the CRD's rule on oauth2
    assertThatThrownBy(() -> resolve("""
        provider: hubspot
        auth: {oauth2: {clientId: hs, clientSecretRef: {name: hs, key: s}}}
        """)).isInstanceOfSatisfying(ProfileException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).isEqualTo("the spec merged with provider hubspot (built-in) is invalid:"
              + " spec.auth.oauth2: Invalid value: \"object\": grant refreshToken needs refreshTokenRef (the seed"
              + " refresh token)");
        });
    // a connector that writes another auth type than its profile's adds a block the profile's lacks a key for
    assertThatThrownBy(() -> resolve("""
        provider: stripe
        auth: {basic: {username: u, passwordRef: {name: p, key: p}}}
        """)).isInstanceOfSatisfying(ProfileException.class, e ->
            assertThat(e.getMessage()).startsWith("the spec merged with provider stripe (built-in) is invalid:"
                + " spec.auth.apiKey.keyRef: Required value"));
  }

  @Test
  void everyBuiltInProfileReadsAndNamesItsDocumentation() {
    assertThat(ProviderCatalog.builtIn().all()).hasSizeGreaterThanOrEqualTo(15);
    for (ProviderProfile p : ProviderCatalog.builtIn().all()) {
      assertThat(p.docs()).as(p.name()).startsWith("https://");
      assertThat(p.quirks()).as(p.name()).isNotEmpty().allSatisfy(q -> assertThat(q.docs()).startsWith("https://"));
      assertThat(p.authType()).as(p.name()).isIn("oauth2", "apiKey", "basic", "jwt");
    }
  }

  @Test
  void everyBuiltInDataFileIsListedInTheIndex() throws Exception {
    var files = new java.util.TreeSet<String>();
    try (var dir = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/io/keyward/providers"))) {
      dir.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .forEach(n -> files.add(n.substring(0, n.length() - 5)));
    }
    assertThat(ProviderCatalog.builtIn().all()).extracting(ProviderProfile::name).containsExactlyElementsOf(files);
  }
}
