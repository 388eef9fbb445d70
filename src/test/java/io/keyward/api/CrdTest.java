package io.keyward.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The checked-in CRD is the one the crd-generator makes from the Java classes. */
class CrdTest {
  static final String GENERATED = "/META-INF/fabric8/apiconnectors.keyward.io-v1.yml";
  static final Path CHECKED_IN = Path.of("crds/apiconnectors.keyward.io-v1.yml");
  static final String PROVIDER_GENERATED = "/META-INF/fabric8/apiproviders.keyward.io-v1.yml";
  static final Path PROVIDER_CHECKED_IN = Path.of("crds/apiproviders.keyward.io-v1.yml");

  @Test
  void checkedInCrdIsIdenticalToTheGeneratedOne() throws Exception {
    String generated;
    try (InputStream in = CrdTest.class.getResourceAsStream(GENERATED)) {
      assertThat(in).as("generated CRD on the classpath").isNotNull();
      generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(CHECKED_IN))
        .as("crds/ is stale: copy target/classes" + GENERATED + " to " + CHECKED_IN)
        .isEqualTo(generated);
  }

  @Test
  void checkedInApiProviderCrdIsIdenticalToTheGeneratedOne() throws Exception {
    String generated;
    try (InputStream in = CrdTest.class.getResourceAsStream(PROVIDER_GENERATED)) {
      assertThat(in).as("generated ApiProvider CRD on the classpath").isNotNull();
      generated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(PROVIDER_CHECKED_IN))
        .as("crds/ is stale: copy target/classes" + PROVIDER_GENERATED + " to " + PROVIDER_CHECKED_IN)
        .isEqualTo(generated);
  }

  @Test
  void apiProviderIsClusterScopedAndKeepsTheConnectorFieldsOpaque() throws Exception {
    var crd = new KubernetesSerialization().unmarshal(Files.readString(PROVIDER_CHECKED_IN), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getGroup()).isEqualTo("keyward.io");
    assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("apip");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getName()).isEqualTo("v1alpha1");
    var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getRequired()).contains("connector");
    assertThat(spec.getProperties().get("connector").getXKubernetesPreserveUnknownFields()).isTrue();
    assertThat(spec.getProperties().keySet()).contains("displayName", "docs", "parameters", "quirks");
  }

  @Test
  void crdDeclaresWhatKubectlShows() throws Exception {
    var crd = new KubernetesSerialization().unmarshal(Files.readString(CHECKED_IN), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getGroup()).isEqualTo("keyward.io");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("apic");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getAdditionalPrinterColumns()).extracting(c -> c.getName())
        .containsExactlyInAnyOrder("TYPE", "READY", "EXPIRES", "AGE");
    var auth = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties().get("auth");
    assertThat(auth.getXKubernetesValidations()).singleElement()
        .satisfies(rule -> assertThat(rule.getRule()).contains("has(self.oauth2)").contains("size() == 1"));
  }
}
