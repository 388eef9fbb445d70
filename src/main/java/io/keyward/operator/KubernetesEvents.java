package io.keyward.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keyward.api.v1alpha1.ApiConnector;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events (what {@code kubectl describe} shows). A failed write is logged, never fatal. */
final class KubernetesEvents implements Events {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEvents.class);
  private final KubernetesClient client;
  private final Clock clock;

  KubernetesEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public void normal(ApiConnector connector, String reason, String message) {
    write(connector, "Normal", reason, message);
  }

  @Override
  public void warning(ApiConnector connector, String reason, String message) {
    write(connector, "Warning", reason, message);
  }

  private void write(ApiConnector c, String type, String reason, String message) {
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    var meta = c.getMetadata();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(meta.getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16))
        .withNamespace(meta.getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(c.getApiVersion())
            .withKind(c.getKind())
            .withName(meta.getName())
            .withNamespace(meta.getNamespace())
            .withUid(meta.getUid())
            .withResourceVersion(meta.getResourceVersion())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent("keyward").endSource()
        .withReportingComponent("keyward.io/operator")
        .build();
    try {
      client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn("Could not record event {} for {}/{}: HTTP {}", reason, meta.getNamespace(), meta.getName(), e.getCode());
    }
  }
}
