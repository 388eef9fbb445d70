package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What the store keeps of a Secret read on demand ({@link Secrets#get}) when the informer delivers the
 * same key while the GET is under way.
 */
class WantedSecretsTest {
  static final String KEY = "sales/crm-oauth";

  static Secret secret(String name, String resourceVersion) {
    return new SecretBuilder().withNewMetadata().withNamespace("sales").withName(name)
        .withResourceVersion(resourceVersion).endMetadata().withData(Map.of("client-secret", "b2xk")).build();
  }

  @Test
  void aGetThatRacesADeleteDoesNotPutTheDeletedSecretBack() {
    WantedSecrets store = new WantedSecrets(s -> true, k -> {});
    Secret read = secret("crm-oauth", "7");
    try (var fetch = store.fetching(KEY)) {
      // the GET returned rv 7 ... the user deletes the Secret, the informer delivers the deletion ...
      store.remove(KEY);
      // ... then Secrets.get keeps what it read
      assertThat(store.keep(fetch, read)).as("counts as absent").isNull();
      assertThat(fetch.deleted()).isTrue();
    }
    assertThat(store.get(KEY)).as("not cached: the connector sees SecretNotFound").isNull();
    assertThat(store.keysBeingFetched()).isZero();
  }

  @Test
  void aSecretDeletedAndCreatedAgainDuringTheGetIsTheOneTheInformerDelivered() {
    WantedSecrets store = new WantedSecrets(s -> true, k -> {});
    try (var fetch = store.fetching(KEY)) {
      store.remove(KEY);
      Secret recreated = secret("crm-oauth", "9");
      store.put(KEY, recreated);
      assertThat(store.keep(fetch, secret("crm-oauth", "7"))).isSameAs(recreated);
      assertThat(fetch.deleted()).isFalse();
    }
    assertThat(store.get(KEY).getMetadata().getResourceVersion()).isEqualTo("9");
  }

  @Test
  void aGetUndisturbedByTheInformerIsKeptAndOneDroppedAsUnwantedMeanwhileIsUsedButNotKept() {
    WantedSecrets store = new WantedSecrets(s -> true, k -> {});
    Secret read = secret("crm-oauth", "7");
    try (var fetch = store.fetching(KEY)) {
      assertThat(store.keep(fetch, read)).isSameAs(read);
    }
    assertThat(store.get(KEY)).isSameAs(read);

    AtomicBoolean wanted = new AtomicBoolean(true);
    WantedSecrets relabelled = new WantedSecrets(s -> wanted.get(), k -> {});
    try (var fetch = relabelled.fetching(KEY)) {
      wanted.set(false);
      relabelled.put(KEY, secret("crm-oauth", "8")); // e.g. its owner changed: no connector here wants it now
      assertThat(relabelled.keep(fetch, read)).as("it exists: this read may use it").isSameAs(read);
    }
    assertThat(relabelled.get(KEY)).as("but it is not kept").isNull();
  }

  @Test
  void eventsOfOtherKeysAndOfKeysNoLongerFetchedLeaveNothingBehind() {
    List<String> seen = new ArrayList<>();
    WantedSecrets store = new WantedSecrets(s -> !s.getMetadata().getName().startsWith("unrelated-"), seen::add);
    var fetch = store.fetching(KEY);
    var other = store.fetching(KEY); // two connectors read the same Secret at once
    for (int i = 0; i < 10_000; i++) {
      String key = "sales/unrelated-" + i;
      store.put(key, secret("unrelated-" + i, "1"));
      store.remove(key);
    }
    assertThat(store.keysBeingFetched()).as("only the key being read").isEqualTo(1);
    assertThat(store.keep(fetch, secret("crm-oauth", "7"))).isNotNull();
    fetch.close();
    assertThat(store.keysBeingFetched()).isEqualTo(1);
    other.close();
    other.close(); // closing twice is harmless
    assertThat(store.keysBeingFetched()).isZero();
    assertThat(store.size()).isEqualTo(1);
    assertThat(seen).hasSize(20_000);

    // a deletion after the read was kept is an ordinary deletion
    store.remove(KEY);
    assertThat(store.get(KEY)).isNull();
  }
}
