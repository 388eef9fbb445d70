package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachedObjectsTest {
  static Secret read(String name) {
    // as the informer has it: read from JSON, so no two objects share a string
    Secret s = new SecretBuilder().withNewMetadata().withName(name).withNamespace("sales")
        .withLabels(Map.of("app.kubernetes.io/managed-by", "keyward"))
        .withAnnotations(Map.of("keyward.io/connector", "crm", CachedObjects.LAST_APPLIED,
            "{\"data\":{\"client-secret\":\"c2VjcmV0\"}}"))
        .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").build())
        .addNewOwnerReference().withApiVersion("keyward.io/v1alpha1").withKind("ApiConnector").withName("crm")
        .withUid("u-1").endOwnerReference().endMetadata()
        .withType("Opaque").withData(Map.of("header-name", "QXV0aG9yaXphdGlvbg==")).build();
    return Serialization.unmarshal(Serialization.asJson(s), Secret.class);
  }

  @Test
  void keepsWhatKeywardReadsDropsManagedFieldsAndKubectlsCopyAndSharesRepeatedStrings() {
    Secret a = CachedObjects.trim(read("crm-credentials"));
    Secret b = CachedObjects.trim(read("crm-keyward-state"));

    assertThat(a.getMetadata().getManagedFields()).isNull();
    assertThat(a.getMetadata().getAnnotations()).containsOnlyKeys("keyward.io/connector");
    assertThat(a.getMetadata().getAnnotations()).containsEntry("keyward.io/connector", "crm");
    assertThat(a.getData()).containsExactly(Map.entry("header-name", "QXV0aG9yaXphdGlvbg=="));
    assertThat(a.getMetadata().getName()).isEqualTo("crm-credentials");
    assertThat(a.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("u-1");
    assertThat(a.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "keyward");

    // one copy of each string the two Secrets share
    assertThat(a.getMetadata().getNamespace()).isSameAs(b.getMetadata().getNamespace());
    assertThat(a.getMetadata().getLabels().keySet().iterator().next())
        .isSameAs(b.getMetadata().getLabels().keySet().iterator().next());
    assertThat(a.getMetadata().getLabels().values().iterator().next())
        .isSameAs(b.getMetadata().getLabels().values().iterator().next());
    assertThat(a.getData().keySet().iterator().next()).isSameAs(b.getData().keySet().iterator().next());
    assertThat(a.getMetadata().getOwnerReferences().get(0).getKind())
        .isSameAs(b.getMetadata().getOwnerReferences().get(0).getKind());
    assertThat(a.getType()).isSameAs(b.getType());
  }
}
