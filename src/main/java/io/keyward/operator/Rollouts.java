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
  /** How soon a restart the API server refused is tried again. */
  static final Duration FAILED_RETRY = Duration.ofSeconds(30);
  /** The most workloads one selector restarts. */
  static final int MAX_SELECTED = 100;
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
   * The credential the output Secret holds.
   *
   * @param valueSince when its value was first published (the output's {@code keyward.io/value-since})
   * @param renewAt its planned renewal, {@code null} when it does not expire
   */
  record Published(StoredCredential stored, Instant valueSince, Instant renewAt) {}

  /** A connector whose every target was up to date for {@code digest} under spec {@code generation}: not read again until either changes. */
  private record Settled(String digest, Long generation, List<RolloutTargetStatus> targets) {}

  private final Map<io.javaoperatorsdk.operator.processing.event.ResourceID, Settled> settled =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Forgets a deleted connector (or one that left this shard): its queued restarts leave the queue. */
  void forget(io.javaoperatorsdk.operator.processing.event.ResourceID id) {
    settled.remove(id);
    slots.forget(id.toString());
  }

  /**
   * @param published the credential the output Secret holds now, if it does
   * @param previous the targets as the last status showed them (their last restart is kept)
   */
  Outcome apply(ApiConnector connector, Optional<Published> published, List<RolloutTargetStatus> previous) {
    RolloutSpec spec = connector.getSpec() == null ? null : connector.getSpec().rollout;
    var id = io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(connector);
    if (spec == null || spec.targets == null || spec.targets.isEmpty()) {
      settled.remove(id);
      slots.forget(id.toString());
      return Outcome.NONE;
    }
    Instant now = clock.instant();
    List<Notice> notices = new ArrayList<>();
    Duration debounce;
    try {
      debounce = Optional.ofNullable(GoDuration.parse(spec.debounce, "spec.rollout.debounce")).orElse(DEFAULT_DEBOUNCE);
    } catch (IllegalArgumentException e) {
      return new Outcome(keep(previous), List.of(new Notice("InvalidRollout", e.getMessage() + "; nothing is restarted")),
          Optional.empty());
    }
    if (published.isEmpty() || published.get().stored().outputChecksum() == null || published.get().valueSince() == null) {
      return new Outcome(keep(previous), notices, Optional.empty()); // nothing published yet: nothing to restart for
    }
    var credential = published.get().stored().credential();
    if (RolloutCheck.tooFrequent(credential.issuedAt(), published.get().renewAt())
        && !Boolean.TRUE.equals(spec.allowFrequent)) {
      notices.add(new Notice("RolloutsTooFrequent", "the credential is renewed more often than every "
          + RolloutCheck.MIN_INTERVAL.toHours() + " hours, so its targets would restart at every refresh; nothing"
          + " is restarted unless spec.rollout.allowFrequent is true (consumers that read the mounted files need no"
          + " restart)"));
      return new Outcome(keep(previous), notices, Optional.empty());
    }
    String digest = digest(published.get().stored().outputChecksum());
    releaseCompleted(now);
    Settled done = settled.get(id);
    if (done != null && done.digest().equals(digest)
        && java.util.Objects.equals(done.generation(), connector.getMetadata().getGeneration())) {
      return new Outcome(done.targets(), notices, Optional.empty()); // every target had it: nothing is read again
    }
    Instant valueSince = published.get().valueSince();
    String annotation = annotationKey(connector.getMetadata().getName());
    String namespace = connector.getMetadata().getNamespace();
    String owner = id.toString();
    List<RolloutTargetStatus> statuses = new ArrayList<>();
    Instant next = null;
    boolean allSettled = true;
    for (RolloutTarget target : spec.targets) {
      Kind kind = Kind.of(target.kind);
      boolean named = target.name != null && !target.name.isBlank();
      boolean selected = target.selector != null && target.selector.matchLabels != null
          && !target.selector.matchLabels.isEmpty();
      if (kind == null || named == selected) {
        notices.add(new Notice("InvalidRollout", "spec.rollout.targets: each target needs a known kind and exactly one"
            + " of name and selector.matchLabels; nothing is restarted for it"));
        allSettled = false;
        continue;
      }
      List<GenericKubernetesResource> workloads;
      try {
        workloads = find(kind, namespace, target);
      } catch (KubernetesClientException e) {
        notices.add(new Notice("RolloutTargetUnreadable", "could not read the " + kind.kind + " targets (HTTP "
            + e.getCode() + (e.getCode() == 403 ? "; the chart grants it with rollouts.enabled" : "")
            + (e.getCode() == 404 && kind == Kind.ROLLOUT ? "; is Argo Rollouts installed?" : "") + ")"));
        allSettled = false;
        continue;
      }
      if (workloads.isEmpty()) {
        notices.add(new Notice("RolloutTargetMissing", describe(kind, target) + " in namespace " + namespace));
        if (named) {
          statuses.add(new RolloutTargetStatus(kind.kind, target.name, "Missing",
              lastRestart(previous, kind, target.name), "does not exist"));
        }
        allSettled = false;
        continue;
      }
      if (workloads.size() > MAX_SELECTED) {
        notices.add(new Notice("RolloutTargetsTooMany", "the selector of the " + kind.kind + " targets matches "
            + workloads.size() + " workloads; only the first " + MAX_SELECTED + " (by name) are restarted"));
        workloads = workloads.stream().sorted(java.util.Comparator.comparing(w -> w.getMetadata().getName()))
            .limit(MAX_SELECTED).toList();
      }
      for (GenericKubernetesResource w : workloads) {
        String name = w.getMetadata().getName();
        String ref = kind.kind + "/" + namespace + "/" + name;
        String last = lastRestart(previous, kind, name);
        if (kind == Kind.STATEFUL_SET && "OnDelete".equals(path(w.getAdditionalProperties(), "spec", "updateStrategy", "type"))) {
          notices.add(new Notice("RolloutTargetOnDelete", "StatefulSet " + name + " updates its pods only when they are"
              + " deleted (updateStrategy OnDelete): a restart would change nothing; it is left alone"));
          statuses.add(new RolloutTargetStatus(kind.kind, name, "Unsupported", last, "updateStrategy OnDelete"));
          allSettled = false;
          continue;
        }
        RolloutCheck.Verdict verdict;
        try {
          String restartedFor = restartedFor(kind, w, annotation);
          // the annotation first: a workload restarted for this value needs no look at its pods
          verdict = digest.equals(restartedFor)
              ? RolloutCheck.decide(new RolloutCheck.Workload(restartedFor, null), digest, valueSince, debounce, now)
              : RolloutCheck.decide(new RolloutCheck.Workload(restartedFor, oldestContainerStart(namespace, w)), digest,
                  valueSince, debounce, now);
        } catch (KubernetesClientException e) {
          notices.add(new Notice("RolloutTargetUnreadable", "could not list the pods of " + kind.kind + " " + name
              + " (HTTP " + e.getCode() + (e.getCode() == 403 ? "; the chart grants it with rollouts.enabled" : "") + ")"));
          allSettled = false;
          continue;
        }
        switch (verdict.action()) {
          case UP_TO_DATE -> {
            slots.withdraw(ref, owner);
            statuses.add(new RolloutTargetStatus(kind.kind, name, "UpToDate", last, verdict.message()));
          }
          case NOT_NEEDED -> {
            slots.withdraw(ref, owner);
            statuses.add(new RolloutTargetStatus(kind.kind, name, "NotNeeded", last, verdict.message()));
          }
          case WAIT -> {
            slots.withdraw(ref, owner);
            allSettled = false;
            statuses.add(new RolloutTargetStatus(kind.kind, name, "Waiting", last, verdict.message()));
            next = earlier(next, verdict.at());
          }
          case RESTART -> {
            allSettled = false;
            if (!slots.tryAcquire(ref, owner, now)) {
              statuses.add(new RolloutTargetStatus(kind.kind, name, "Queued", last, "waiting for one of the "
                  + "--max-concurrent-rollouts slots, or for a rollout of it in progress: " + verdict.message()));
              next = earlier(next, now.plus(QUEUED_RETRY));
              continue;
            }
            boolean restarted = false;
            try {
              restart(kind, namespace, name, annotation, digest, now);
              restarted = true;
              metrics.rollout("restarted");
              String message = "restarted " + kind.kind + " " + name + ": " + verdict.message();
              events.normal(connector, "RolloutRestarted", message);
              LOG.info("{}/{}: {}", namespace, connector.getMetadata().getName(), message);
              statuses.add(new RolloutTargetStatus(kind.kind, name, "Restarted", now.truncatedTo(
                  java.time.temporal.ChronoUnit.SECONDS).toString(), verdict.message()));
            } catch (KubernetesClientException e) {
              metrics.rollout("failed");
              String message = "could not restart " + kind.kind + " " + name + " (HTTP " + e.getCode()
                  + (e.getCode() == 403 ? "; the chart grants it with rollouts.enabled" : "") + ")";
              notices.add(new Notice("RolloutFailed", message));
              statuses.add(new RolloutTargetStatus(kind.kind, name, "Failed", last, message));
              next = earlier(next, now.plus(FAILED_RETRY));
            } finally {
              if (!restarted) {
                slots.release(ref);
              }
            }
          }
        }
      }
    }
    if (allSettled && notices.isEmpty()) {
      settled.put(id, new Settled(digest, connector.getMetadata().getGeneration(), statuses));
    } else {
      settled.remove(id);
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
    var ops = client.genericKubernetesResources(kind.context).inNamespace(namespace);
    if (target.name != null) {
      GenericKubernetesResource one = ops.withName(target.name).get();
      return one == null ? List.of() : List.of(one);
    }
    Map<String, String> labels = target.selector == null || target.selector.matchLabels == null
        ? Map.of() : target.selector.matchLabels;
    return ops.withLabels(labels).list().getItems();
  }

  /**
   * The restart: the digest into the pod template, as {@code kubectl rollout restart} does; for an Argo
   * Rollout, its own {@code spec.restartAt} (replacing the pods without a new revision, which a Rollout
   * with a {@code workloadRef} could not take, nor would it wait for canary promotion) and the digest on
   * the Rollout's metadata.
   */
  private void restart(Kind kind, String namespace, String name, String annotation, String digest, Instant now) {
    String key = io.fabric8.kubernetes.client.utils.Serialization.asJson(annotation);
    String patch = kind == Kind.ROLLOUT
        ? "{\"metadata\":{\"annotations\":{" + key + ":\"" + digest + "\"}},\"spec\":{\"restartAt\":\""
            + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}}"
        : "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{" + key + ":\"" + digest + "\"}}}}}";
    client.genericKubernetesResources(kind.context).inNamespace(namespace).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  /** The digest this connector last restarted {@code w} for: on its pod template (an Argo Rollout: on itself). */
  static String restartedFor(Kind kind, GenericKubernetesResource w, String key) {
    if (kind == Kind.ROLLOUT) {
      var a = w.getMetadata().getAnnotations();
      return a == null ? null : a.get(key);
    }
    return templateAnnotation(w, key);
  }

  @SuppressWarnings("unchecked")
  static String templateAnnotation(GenericKubernetesResource w, String key) {
    Object annotations = path(w.getAdditionalProperties(), "spec", "template", "metadata", "annotations");
    return annotations instanceof Map<?, ?> m && m.get(key) instanceof String s ? s : null;
  }

  /**
   * When the longest-running container of the workload's pods started (containers read environment
   * variables when they start, so a container restarted since read the current value); {@code null}
   * when none runs. The pods are those the workload's own selector matches.
   */
  private Instant oldestContainerStart(String namespace, GenericKubernetesResource w) {
    Object selector = path(w.getAdditionalProperties(), "spec", "selector");
    if (!(selector instanceof Map<?, ?> m) || m.isEmpty()) {
      return null; // a workload without a selector has no pods to look at
    }
    var labelSelector = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
        .convertValue(selector, io.fabric8.kubernetes.api.model.LabelSelector.class);
    Instant oldest = null;
    for (Pod pod : client.pods().inNamespace(namespace).withLabelSelector(labelSelector).list().getItems()) {
      if (pod.getStatus() == null || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      Instant started = started(pod);
      if (started != null && (oldest == null || started.isBefore(oldest))) {
        oldest = started;
      }
    }
    return oldest;
  }

  /** The start of the pod's earliest running container; its start time when it reports no container states. */
  private static Instant started(Pod pod) {
    var statuses = pod.getStatus().getContainerStatuses();
    if (statuses == null || statuses.isEmpty()) {
      return pod.getStatus().getStartTime() == null ? null : Instant.parse(pod.getStatus().getStartTime());
    }
    Instant earliest = null;
    for (var c : statuses) {
      if (c.getState() != null && c.getState().getRunning() != null && c.getState().getRunning().getStartedAt() != null) {
        Instant at = Instant.parse(c.getState().getRunning().getStartedAt());
        earliest = earliest == null || at.isBefore(earliest) ? at : earliest;
      }
    }
    return earliest;
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
        GenericKubernetesResource w = client.genericKubernetesResources(kind.context)
            .inNamespace(parts[1]).withName(parts[2]).get();
        if (w == null || complete(w)) {
          slots.release(ref);
        }
      } catch (KubernetesClientException e) {
        // looked at again at the next check; the slot is freed after RolloutSlots.MAX_HOLD at the latest
      }
    }
  }

  /**
   * As {@code kubectl rollout status} judges it: the controller saw the new template and every replica
   * is updated and available, none of the old left; a Deployment past its progress deadline counts as
   * done too (it will not get further by itself, and holds no slot for that). An Argo Rollout: its
   * {@code observedGeneration} (a string there) caught up and its phase is {@code Healthy}.
   */
  static boolean complete(GenericKubernetesResource w) {
    Map<String, Object> p = w.getAdditionalProperties();
    Long generation = w.getMetadata().getGeneration();
    Object observedRaw = path(p, "status", "observedGeneration");
    Long observed = observedRaw instanceof Number n ? Long.valueOf(n.longValue())
        : observedRaw instanceof String str && str.matches("\\d+") ? Long.valueOf(str) : null;
    if (generation == null || observed == null || observed < generation) {
      return false;
    }
    if ("Rollout".equals(w.getKind())) {
      // a restart (spec.restartAt) is done once Argo says it restarted at or after that time
      Object asked = path(p, "spec", "restartAt");
      Object done = path(p, "status", "restartedAt");
      if (asked instanceof String a && !(done instanceof String d && !Instant.parse(d).isBefore(Instant.parse(a)))) {
        return false;
      }
      return "Healthy".equals(path(p, "status", "phase"));
    }
    if ("Deployment".equals(w.getKind()) && progressDeadlineExceeded(p)) {
      return true;
    }
    boolean daemonSet = "DaemonSet".equals(w.getKind());
    Number desired = daemonSet ? number(path(p, "status", "desiredNumberScheduled"))
        : Optional.ofNullable(number(path(p, "spec", "replicas"))).orElse(1);
    Number updated = number(path(p, "status", daemonSet ? "updatedNumberScheduled" : "updatedReplicas"));
    Number available = number(path(p, "status", daemonSet ? "numberAvailable" : "availableReplicas"));
    long want = desired == null ? 0 : desired.longValue();
    long have = updated == null ? 0 : updated.longValue();
    if ("Deployment".equals(w.getKind())) {
      Number total = number(path(p, "status", "replicas"));
      if (total != null && total.longValue() > have) {
        return false; // old replicas still running
      }
    }
    return have >= want && (available == null ? 0 : available.longValue()) >= want;
  }

  private static boolean progressDeadlineExceeded(Map<String, Object> p) {
    return path(p, "status", "conditions") instanceof List<?> conditions && conditions.stream()
        .anyMatch(c -> c instanceof Map<?, ?> m && "Progressing".equals(m.get("type"))
            && "ProgressDeadlineExceeded".equals(m.get("reason")));
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
    DEPLOYMENT("apps/v1", "Deployment", "deployments"), STATEFUL_SET("apps/v1", "StatefulSet", "statefulsets"),
    DAEMON_SET("apps/v1", "DaemonSet", "daemonsets"), ROLLOUT("argoproj.io/v1alpha1", "Rollout", "rollouts");

    final String kind;
    /** Where it is served, given rather than discovered: no discovery call, and a kind not installed is a plain 404. */
    final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext context;

    Kind(String apiVersion, String kind, String plural) {
      this.kind = kind;
      this.context = new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
          .withGroup(apiVersion.substring(0, apiVersion.indexOf('/'))).withVersion(apiVersion.substring(apiVersion.indexOf('/') + 1))
          .withKind(kind).withPlural(plural).withNamespaced(true).build();
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
