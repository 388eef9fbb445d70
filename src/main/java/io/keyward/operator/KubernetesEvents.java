package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.keyward.api.v1alpha1.ApiConnector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events (what {@code kubectl describe} shows), aggregated as client-go's recorder
 * does, so that a connector that fails the same way again and again adds no new objects to etcd:
 * <ul>
 *   <li>the same type, reason and message about the same connector within {@link #WINDOW} is one
 *       Event whose {@code count} and {@code lastTimestamp} are patched;
 *   <li>after {@link #SIMILAR} Events of the same type and reason with different messages within the
 *       window, the rest go into one Event {@code (combined from similar events): <latest message>}.
 * </ul>
 * A failed write is logged, never fatal.
 */
final class KubernetesEvents implements Events {
  static final Duration WINDOW = Duration.ofMinutes(10);
  static final int SIMILAR = 10;
  static final String COMBINED = "(combined from similar events): ";
  /** Connectors × reasons remembered; the oldest are forgotten (an Event is then created anew). */
  private static final int REMEMBERED = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEvents.class);
  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Recorded> recorded = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
      return size() > REMEMBERED;
    }
  };
  private final Map<String, Similar> similar = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Similar> eldest) {
      return size() > REMEMBERED;
    }
  };

  /** An Event written: its name, how often it was seen, when first and last. */
  private record Recorded(String name, int count, Instant first, Instant last) {}

  /** Events of one type and reason about one connector within the window. */
  private record Similar(Instant since, int distinct) {}

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
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    var meta = c.getMetadata();
    String object = meta.getNamespace() + "/" + meta.getName() + "/" + meta.getUid() + "/" + type + "/" + reason;
    String shown;
    Recorded before;
    synchronized (this) {
      shown = combinedIfSimilar(object, message, now);
      before = recorded.get(object + "/" + shown);
      if (before != null && now.isAfter(before.last().plus(WINDOW))) {
        before = null;
      }
    }
    String text = shown.equals(COMBINED) ? COMBINED + message : message;
    try {
      Recorded after = before == null ? create(c, type, reason, text, now) : bump(c, before, text, now);
      synchronized (this) {
        recorded.put(object + "/" + shown, after);
      }
    } catch (KubernetesClientException e) {
      if (before != null && e.getCode() == 404) {
        // the Event was deleted (its TTL in etcd is an hour): a new one
        synchronized (this) {
          recorded.remove(object + "/" + shown);
        }
        write(c, type, reason, message);
        return;
      }
      LOG.warn("Could not record event {} for {}/{}: HTTP {}", reason, meta.getNamespace(), meta.getName(), e.getCode());
    }
  }

  /** The message to show: {@code message}, or the combined form once too many similar ones came. */
  private String combinedIfSimilar(String object, String message, Instant now) {
    if (recorded.containsKey(object + "/" + message)) {
      return message; // seen before: counted on its own Event
    }
    Similar s = similar.get(object);
    s = s == null || now.isAfter(s.since().plus(WINDOW)) ? new Similar(now, 1) : new Similar(s.since(), s.distinct() + 1);
    similar.put(object, s);
    return s.distinct() > SIMILAR ? COMBINED : message;
  }

  private Recorded create(ApiConnector c, String type, String reason, String message, Instant now) {
    var meta = c.getMetadata();
    Event event = new EventBuilder()
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
        .withFirstTimestamp(now.toString())
        .withLastTimestamp(now.toString())
        .withCount(1)
        .withNewSource().withComponent("keyward").endSource()
        .withReportingComponent("keyward.io/operator")
        .build();
    client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
    return new Recorded(event.getMetadata().getName(), 1, now, now);
  }

  /** One more of an Event already written: its count, lastTimestamp and (combined) message, by a merge patch. */
  private Recorded bump(ApiConnector c, Recorded before, String message, Instant now) {
    int count = before.count() + 1;
    var patch = Serialization.jsonMapper().createObjectNode()
        .put("count", count).put("lastTimestamp", now.toString()).put("message", message);
    client.v1().events().inNamespace(c.getMetadata().getNamespace()).withName(before.name())
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    return new Recorded(before.name(), count, before.first(), now);
  }
}
