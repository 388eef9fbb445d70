package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.testing.MockCluster;
import io.keyward.testing.SteppingClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events as {@code kubectl describe} and etcd see them: a repeated Event is one object with a count,
 * as client-go's recorder aggregates, not a new object each time.
 */
class KubernetesEventsTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  MockCluster cluster;
  KubernetesClient client;
  final SteppingClock clock = new SteppingClock(T0);
  KubernetesEvents events;
  final ApiConnector crm = connector("crm", "u-crm");
  final ApiConnector erp = connector("erp", "u-erp");

  @BeforeEach
  void start() throws Exception {
    cluster = new MockCluster();
    client = cluster.client();
    events = new KubernetesEvents(client, clock);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  static ApiConnector connector(String name, String uid) {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("sales").withUid(uid).build());
    return c;
  }

  List<Event> stored() {
    return client.v1().events().inNamespace("sales").list().getItems().stream()
        .sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(e -> e.getMetadata().getName())).toList();
  }

  @Test
  void theSameEventAgainIsCountedOnTheEventAlreadyWritten() {
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    clock.advance(Duration.ofMinutes(2));
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    clock.advance(Duration.ofMinutes(2));
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");

    assertThat(stored()).singleElement().satisfies(e -> {
      assertThat(e.getCount()).isEqualTo(3);
      assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-01T10:00:00Z");
      assertThat(e.getLastTimestamp()).isEqualTo("2026-12-01T10:04:00Z");
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getInvolvedObject().getUid()).isEqualTo("u-crm");
    });
  }

  @Test
  void anotherConnectorTypeOrReasonIsAnEventOfItsOwn() {
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    events.warning(erp, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    events.normal(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    events.warning(crm, "InvalidClient", "token endpoint answered HTTP 503");
    assertThat(stored()).hasSize(4).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void afterTheWindowTheSameEventIsANewOne() {
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    clock.advance(KubernetesEvents.WINDOW.plusSeconds(1));
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    assertThat(stored()).hasSize(2).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void manySimilarEventsAreCombinedIntoOneThatShowsTheLatestMessage() {
    for (int i = 1; i <= KubernetesEvents.SIMILAR + 3; i++) {
      events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 50" + (i % 10) + " (try " + i + ")");
      clock.advance(Duration.ofSeconds(10));
    }
    List<Event> stored = stored();
    assertThat(stored).hasSize(KubernetesEvents.SIMILAR + 1);
    Event combined = stored.get(stored.size() - 1);
    assertThat(combined.getMessage())
        .isEqualTo("(combined from similar events): token endpoint answered HTTP 503 (try 13)");
    assertThat(combined.getCount()).isEqualTo(3);
  }

  @Test
  void anEventDeletedMeanwhileIsWrittenAnew() {
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    client.v1().events().inNamespace("sales").delete();
    clock.advance(Duration.ofMinutes(1));
    events.warning(crm, "TokenEndpointUnavailable", "token endpoint answered HTTP 503");
    assertThat(stored()).singleElement().satisfies(e -> {
      assertThat(e.getCount()).isEqualTo(1);
      assertThat(e.getFirstTimestamp()).isEqualTo("2026-12-01T10:01:00Z");
    });
  }
}
