package io.keyward.operator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.api.v1alpha1.RolloutSpec;
import io.keyward.api.v1alpha1.RolloutTarget;
import io.keyward.api.v1alpha1.RolloutTargetStatus;
import io.keyward.credential.Notice;
import io.keyward.rollout.RolloutCheck;
import io.keyward.rollout.RolloutSlots;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the workloads a connector's {@code spec.rollout} names when the value it publishes
 * changes (issue #17), as {@code kubectl rollout restart} would: a merge patch of one pod-template
 * annotation, {@code rollout.keyward.io/<connector>}, whose value is a digest of the published value
 * (the output checksum, an HMAC; never the value). Workloads and their pods are read on demand,
 * only for connectors with a rollout; nothing is watched. A target that is missing or cannot be
 * patched is a notice (the Warning condition), never a failure of the credential.
 */
final class Rollouts {
  private static final Logger LOG = LoggerFactory.getLogger(Rollouts.class);
  static final String ANNOTATION_PREFIX = "rollout.keyward.io/";
  static final Duration DEFAULT_DEBOUNCE = Duration.ofSeconds(30);
  /** How soon a queued restart asks for a slot again. */
  static final Duration QUEUED_RETRY = Duration.ofSeconds(2);
  /** How often the rollouts holding a slot are looked at to see whether they completed. */
  private static final Duration COMPLETION_CHECK = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final Clock clock;
  private final RolloutSlots slots;
  private final Events events;
  private final ConnectorMetrics metrics;
  private final AtomicLong lastCompletionCheck = new AtomicLong();

  Rollouts(KubernetesClient client, Clock clock, RolloutSlots slots, Events events, ConnectorMetrics metrics) {
    this.client = client;
    this.clock = clock;
    this.slots = slots;
    this.events = events;
    this.metrics = metrics;
    metrics.rolloutQueue(slots);
  }

  /**
   * What a reconcile did about the connector's rollout.
   *
   * @param targets the workloads covered, for status; {@code null} without a rollout
   * @param notices what is wrong with the rollout (not with the credential)
   * @param nextCheck when to look again (a restart waiting for its debounce or a slot)
   */
  record Outcome(List<RolloutTargetStatus> targets, List<Notice> notices, Optional<Instant> nextCheck) {
    static final Outcome NONE = new Outcome(null, List.of(), Optional.empty());
  }

  /**
   * @param published the credential the output Secret holds now, if it does
   * @param previous the targets as the last status showed them (their last restart is kept)
   */
  Outcome apply(ApiConnector connector, Optional<StoredCredential> published, List<RolloutTargetStatus> previous) {
    RolloutSpec spec = connector.getSpec() == null ? null : connector.getSpec().rollout;
    if (spec == null || spec.targets == null || spec.targets.isEmpty()) {
      return Outcome.NONE;
    }
    Instant now = clock.instant();
    List<Notice> notices = new ArrayList<>();
    Duration debounce;
    try {
      debounce = Optional.ofNullable(GoDuration.parse(spec.debounce, "spec.rollout.debounce")).orElse(DEFAULT_DEBOUNCE);
    } catch (IllegalArgumentException e) {
      return new Outcome(List.of(), List.of(new Notice("InvalidRollout", e.getMessage() + "; nothing is restarted")),
          Optional.empty());
    }
    if (published.isEmpty() || published.get().outputChecksum() == null) {
      return new Outcome(keep(previous), notices, Optional.empty()); // nothing published yet: nothing to restart for
    }
    var credential = published.get().credential();
    if (RolloutCheck.tooFrequent(credential.issuedAt(), credential.expiresAt()) && !Boolean.TRUE.equals(spec.allowFrequent)) {
      notices.add(new Notice("RolloutsTooFrequent", "the credential lives less than "
          + RolloutCheck.MIN_LIFETIME.toMinutes() + " minutes, so its targets would restart at every refresh; nothing"
          + " is restarted unless spec.rollout.allowFrequent is true (consumers that read the mounted files need no"
          + " restart)"));
      return new Outcome(keep(previous), notices, Optional.empty());
    }
    releaseCompleted(now);
    String digest = digest(published.get().outputChecksum());
    String annotation = annotationKey(connector.getMetadata().getName());
    String namespace = connector.getMetadata().getNamespace();
    List<RolloutTargetStatus> statuses = new ArrayList<>();
    Instant next = null;
    for (RolloutTarget target : spec.targets) {
      Kind kind = Kind.of(target.kind);
      if (kind == null) {
        notices.add(new Notice("InvalidRollout", "spec.rollout.targets: unknown kind; nothing is restarted for it"));
        continue;
      }
      List<GenericKubernetesResource> workloads;
      try {
        workloads = find(kind, namespace, target);
      } catch (KubernetesClientException e) {
        notices.add(new Notice("RolloutTargetUnreadable", "could not read the " + kind.kind + " targets (HTTP "
            + e.getCode() + (e.getCode() == 403 ? "; the chart grants it with rollouts.enabled" : "")
            + (e.getCode() == 404 && kind == Kind.ROLLOUT ? "; is Argo Rollouts installed?" : "") + ")"));
        continue;
      }
      if (workloads.isEmpty()) {
        notices.add(new Notice("RolloutTargetMissing", describe(kind, target) + " in namespace " + namespace));
        if (target.name != null) {
          statuses.add(new RolloutTargetStatus(kind.kind, target.name, "Missing",
              lastRestart(previous, kind, target.name), "does not exist"));
        }
        continue;
      }
      for (GenericKubernetesResource w : workloads) {
        String name = w.getMetadata().getName();
        String ref = kind.kind + "/" + namespace + "/" + name;
        RolloutCheck.Verdict verdict;
        try {
          verdict = RolloutCheck.decide(new RolloutCheck.Workload(templateAnnotation(w, annotation),
              oldestPodStart(namespace, w)), digest, credential.issuedAt(), debounce, now);
        } catch (KubernetesClientException e) {
          notices.add(new Notice("RolloutTargetUnreadable", "could not list the pods of " + kind.kind + " " + name
              + " (HTTP " + e.getCode() + (e.getCode() == 403 ? "; the chart grants it with rollouts.enabled" : "") + ")"));
          continue;
        }
        String last = lastRestart(previous, kind, name);
        switch (verdict.action()) {
          case UP_TO_DATE -> statuses.add(new RolloutTargetStatus(kind.kind, name, "UpToDate", last, verdict.message()));
          case NOT_NEEDED -> {
            slots.withdraw(ref);
            statuses.add(new RolloutTargetStatus(kind.kind, name, "NotNeeded", last, verdict.message()));
          }
          case WAIT -> {
            statuses.add(new RolloutTargetStatus(kind.kind, name, "Waiting", last, verdict.message()));
            next = earlier(next, verdict.at());
          }
          case RESTART -> {
            if (!slots.tryAcquire(ref, now)) {
              statuses.add(new RolloutTargetStatus(kind.kind, name, "Queued", last, "waiting for one of the "
                  + "--max-concurrent-rollouts slots: " + verdict.message()));
              next = earlier(next, now.plus(QUEUED_RETRY));
              continue;
            }
            try {
              restart(kind, namespace, name, annotation, digest);
              metrics.rollout("restarted");
              String message = "restarted " + kind.kind + " " + name + ": " + verdict.message();
              events.normal(connector, "RolloutRestarted", message);
              LOG.info("{}/{}: {}", namespace, connector.getMetadata().getName(), message);
              statuses.add(new RolloutTargetStatus(kind.kind, name, "Restarted", now.truncatedTo(
                  java.time.temporal.ChronoUnit.SECONDS).toString(), verdict.message()));
            } catch (KubernetesClientException e) {
              slots.release(ref);
              metrics.rollout("failed");
              String message = "could not restart " + kind.kind + " " + name + " (HTTP " + e.getCode()
                  + (e.getCode() == 403 ? "; the chart grants it with rollouts.enabled" : "") + ")";
              notices.add(new Notice("RolloutFailed", message));
              statuses.add(new RolloutTargetStatus(kind.kind, name, "Failed", last, message));
              next = earlier(next, now.plus(Duration.ofSeconds(30)));
            }
          }
        }
      }
    }
    return new Outcome(statuses, notices, Optional.ofNullable(next));
  }

  /** The digest written into pod templates: a prefix of the output checksum (an HMAC under the connector's key). */
  static String digest(String checksum) {
    return checksum.length() > 16 ? checksum.substring(0, 16) : checksum;
  }

  /** {@code rollout.keyward.io/<connector>}; a name longer than an annotation's 63 characters is shortened with a hash. */
  static String annotationKey(String connector) {
    if (connector.length() <= 63) {
      return ANNOTATION_PREFIX + connector;
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(connector.getBytes(StandardCharsets.UTF_8));
      String head = connector.substring(0, 54).replaceAll("[.-]+$", "");
      return ANNOTATION_PREFIX + head + "-" + HexFormat.of().formatHex(d, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<GenericKubernetesResource> find(Kind kind, String namespace, RolloutTarget target) {
    var ops = client.genericKubernetesResources(kind.apiVersion, kind.kind).inNamespace(namespace);
    if (target.name != null) {
      GenericKubernetesResource one = ops.withName(target.name).get();
      return one == null ? List.of() : List.of(one);
    }
    Map<String, String> labels = target.selector == null || target.selector.matchLabels == null
        ? Map.of() : target.selector.matchLabels;
    return ops.withLabels(labels).list().getItems();
  }

  private void restart(Kind kind, String namespace, String name, String annotation, String digest) {
    String patch = "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{"
        + io.fabric8.kubernetes.client.utils.Serialization.asJson(annotation) + ":\"" + digest + "\"}}}}}";
    client.genericKubernetesResources(kind.apiVersion, kind.kind).inNamespace(namespace).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  @SuppressWarnings("unchecked")
  static String templateAnnotation(GenericKubernetesResource w, String key) {
    Object annotations = path(w.getAdditionalProperties(), "spec", "template", "metadata", "annotations");
    return annotations instanceof Map<?, ?> m && m.get(key) instanceof String s ? s : null;
  }

  /** When the oldest started pod of the workload started; {@code null} when none has. */
  private Instant oldestPodStart(String namespace, GenericKubernetesResource w) {
    Object matchLabels = path(w.getAdditionalProperties(), "spec", "selector", "matchLabels");
    if (!(matchLabels instanceof Map<?, ?> m) || m.isEmpty()) {
      return null; // a workload without a selector has no pods to look at
    }
    Map<String, String> labels = new java.util.HashMap<>();
    m.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
    Instant oldest = null;
    for (Pod pod : client.pods().inNamespace(namespace).withLabels(labels).list().getItems()) {
      if (pod.getStatus() == null || pod.getStatus().getStartTime() == null
          || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      Instant started = Instant.parse(pod.getStatus().getStartTime());
      oldest = oldest == null || started.isBefore(oldest) ? started : oldest;
    }
    return oldest;
  }

  /** Frees the slots of rollouts that completed (at most every two seconds; a rollout takes longer). */
  private void releaseCompleted(Instant now) {
    long last = lastCompletionCheck.get();
    if (now.toEpochMilli() - last < COMPLETION_CHECK.toMillis() || !lastCompletionCheck.compareAndSet(last, now.toEpochMilli())) {
      return;
    }
    for (String ref : slots.inFlight(now)) {
      String[] parts = ref.split("/", 3);
      Kind kind = Kind.byName(parts[0]);
      try {
        GenericKubernetesResource w = client.genericKubernetesResources(kind.apiVersion, kind.kind)
            .inNamespace(parts[1]).withName(parts[2]).get();
        if (w == null || complete(w)) {
          slots.release(ref);
        }
      } catch (KubernetesClientException e) {
        // looked at again at the next check; the slot is freed after RolloutSlots.MAX_HOLD at the latest
      }
    }
  }

  /** As {@code kubectl rollout status} judges it: the controller saw the new template and every replica is updated and available. */
  static boolean complete(GenericKubernetesResource w) {
    Map<String, Object> p = w.getAdditionalProperties();
    Long generation = w.getMetadata().getGeneration();
    Number observed = number(path(p, "status", "observedGeneration"));
    if (generation == null || observed == null || observed.longValue() < generation) {
      return false;
    }
    boolean daemonSet = "DaemonSet".equals(w.getKind());
    Number desired = daemonSet ? number(path(p, "status", "desiredNumberScheduled"))
        : Optional.ofNullable(number(path(p, "spec", "replicas"))).orElse(1);
    Number updated = number(path(p, "status", daemonSet ? "updatedNumberScheduled" : "updatedReplicas"));
    Number available = number(path(p, "status", daemonSet ? "numberAvailable" : "availableReplicas"));
    long want = desired == null ? 0 : desired.longValue();
    return (updated == null ? 0 : updated.longValue()) >= want && (available == null ? 0 : available.longValue()) >= want;
  }

  private static Object path(Map<String, Object> root, String... keys) {
    Object at = root;
    for (String k : keys) {
      if (!(at instanceof Map<?, ?> m)) {
        return null;
      }
      at = m.get(k);
    }
    return at;
  }

  private static Number number(Object o) {
    return o instanceof Number n ? n : null;
  }

  private static List<RolloutTargetStatus> keep(List<RolloutTargetStatus> previous) {
    return previous == null ? List.of() : previous;
  }

  private static String lastRestart(List<RolloutTargetStatus> previous, Kind kind, String name) {
    if (previous == null || name == null) {
      return null;
    }
    return previous.stream().filter(t -> kind.kind.equals(t.kind) && name.equals(t.name)).map(t -> t.lastRestart)
        .filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private static String describe(Kind kind, RolloutTarget target) {
    return target.name != null ? kind.kind + " " + target.name + " does not exist"
        : "no " + kind.kind + " has the labels " + target.selector.matchLabels;
  }

  /** The workload kinds, with their API versions. */
  enum Kind {
    DEPLOYMENT("apps/v1", "Deployment"), STATEFUL_SET("apps/v1", "StatefulSet"), DAEMON_SET("apps/v1", "DaemonSet"),
    ROLLOUT("argoproj.io/v1alpha1", "Rollout");

    final String apiVersion;
    final String kind;

    Kind(String apiVersion, String kind) {
      this.apiVersion = apiVersion;
      this.kind = kind;
    }

    static Kind of(RolloutTarget.Kind k) {
      return k == null ? null : byName(k.name());
    }

    static Kind byName(String name) {
      for (Kind k : values()) {
        if (k.kind.equals(name)) {
          return k;
        }
      }
      return null;
    }
  }
}
