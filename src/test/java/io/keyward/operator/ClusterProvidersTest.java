package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyward.api.v1alpha1.ApiProvider;
import io.keyward.api.v1alpha1.ApiProviderSpec;
import io.keyward.provider.ProfileException;
import io.keyward.provider.ProviderCatalog;
import io.keyward.provider.ProviderProfile;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cluster's ApiProviders before the built-ins, each read once per resourceVersion. */
class ClusterProvidersTest {
  final Map<String, ApiProvider> cache = new HashMap<>();
  final ClusterProviders providers = new ClusterProviders(name -> Optional.ofNullable(cache.get(name)),
      ProviderCatalog.builtIn());

  static ApiProvider provider(String name, String version, String yaml) throws Exception {
    ApiProvider p = new ApiProvider();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withResourceVersion(version).build());
    p.setSpec(new YAMLMapper().readValue(yaml, ApiProviderSpec.class));
    return p;
  }

  @Test
  void anApiProviderReplacesTheBuiltInAndItsRemovalBringsTheBuiltInBack() throws Exception {
    assertThat(providers.require("slack").source()).isEqualTo(ProviderProfile.BUILT_IN);
    cache.put("slack", provider("slack", "1", "connector: {auth: {oauth2: {tokenUrl: https://slack.example/token}}}"));
    assertThat(providers.require("slack").source()).isEqualTo(ProviderProfile.API_PROVIDER);
    cache.remove("slack");
    assertThat(providers.require("slack").source()).isEqualTo(ProviderProfile.BUILT_IN);
  }

  @Test
  void eachResourceVersionIsReadOnceAndANewOneIsReadAgain() throws Exception {
    cache.put("acme", provider("acme", "7", "connector: {auth: {oauth2: {tokenUrl: https://a.example/token}}}"));
    ProviderProfile first = providers.require("acme");
    assertThat(providers.require("acme")).as("the same resourceVersion: the profile read before").isSameAs(first);
    cache.put("acme", provider("acme", "8", "connector: {auth: {oauth2: {tokenUrl: https://b.example/token}}}"));
    assertThat(providers.require("acme").connector().path("auth").path("oauth2").path("tokenUrl").asText())
        .isEqualTo("https://b.example/token");
  }

  @Test
  void aBrokenOneFailsItsConnectorsWithInvalidProfileUntilItIsFixed() throws Exception {
    cache.put("two", provider("two", "1", "connector: {auth: {apiKey: {}, basic: {}}}"));
    assertThatThrownBy(() -> providers.require("two")).isInstanceOfSatisfying(ProfileException.class,
        e -> assertThat(e.reason()).isEqualTo("InvalidProfile"));
    cache.put("two", provider("two", "2", "connector: {auth: {apiKey: {header: X-Key}}}"));
    assertThat(providers.require("two").authType()).isEqualTo("apiKey");
    assertThatThrownBy(() -> providers.require("nope")).isInstanceOfSatisfying(ProfileException.class,
        e -> assertThat(e.reason()).isEqualTo("UnknownProvider"));
  }
}
