package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.RolloutSpec;
import io.keyward.api.v1alpha1.RolloutTarget;
import io.keyward.api.v1alpha1.RolloutTargetStatus;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.rollout end to end on the mock API server (issue #17): the pod-template annotation a restart
 * writes, how often, and what status, Events and metrics say. The mock runs no controllers: the test
 * makes the pods (with their start times) and marks a rollout complete itself.
 */
class RolloutIT extends OperatorHarness {
  static final String KEY_1 = "ak-rollout-first-7d1e";

  /** PATCH requests per Deployment name, as the API server received them. */
  final Map<String, AtomicInteger> patches = new ConcurrentHashMap<>();

  RolloutIT() {
    secretValues.add(KEY_1);
  }

  @BeforeEach
  void countWorkloadPatches() {
    cluster.intercept(r -> {
      if ("POST".equals(r.getMethod()) && r.getPath().contains("selfsubjectrulesreviews")) {
        return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(201).setBody(
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"status\":"
            + "{\"incomplete\":false,\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
            + "\"resources\":[\"*\"]}],\"nonResourceRules\":[]}}");
      }
      if ("PATCH".equals(r.getMethod()) && r.getPath().contains("/deployments/") && !r.getPath().contains("/status")) {
        String name = r.getPath().replaceAll(".*/deployments/([^/?]+).*", "$1");
        patches.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
      }
      return null;
    });
  }

  static ApiConnector withRollout(String name, String secret, String debounce, RolloutTarget... targets) {
    ApiConnector c = connector(name, auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef(secret, "api-key");
    });
    c.getSpec().rollout = new RolloutSpec();
    c.getSpec().rollout.targets = List.of(targets);
    c.getSpec().rollout.debounce = debounce;
    return c;
  }

  void deployment(String name, Map<String, String> labels) {
    client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata().withName(name)
        .withLabels(labels).endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec().endTemplate()
        .endSpec().build()).create();
  }

  /** A running pod of Deployment {@code app} that started at {@code started}. */
  void pod(String app, String name, Instant started) {
    Pod pod = client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of("app", app)).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("app:1").endContainer().endSpec().build()).create();
    pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
        .withStartTime(started.minusSeconds(5).toString())
        .addNewContainerStatus().withName("app").withReady(true).withNewState().withNewRunning()
        .withStartedAt(started.toString()).endRunning().endState().endContainerStatus().build());
    client.pods().inNamespace(NS).resource(pod).updateStatus();
  }

  String restartedFor(String deployment, String connector) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(deployment).get();
    var a = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get(Rollouts.ANNOTATION_PREFIX + connector);
  }

  /** The digest a restart for the value the output Secret holds now carries. */
  String digestNow(String connector) {
    String checksum = client.secrets().inNamespace(NS).withName(connector + "-credentials").get().getMetadata()
        .getAnnotations().get("keyward.io/checksum");
    return Rollouts.digest(checksum);
  }

  void rotate(String secret, String key) {
    secretValues.add(key);
    cluster.putSecret(NS, secret, Map.of("api-key", key));
  }

  int patchesOf(String deployment) {
    return patches.getOrDefault(deployment, new AtomicInteger()).get();
  }

  @Test
  void aRotatedKeyRestartsItsDeploymentOnceAndAnOperatorRestartRestartsNothing() throws Exception {
    cluster.putSecret(NS, "erp", Map.of("api-key", KEY_1));
    deployment("web", Map.of());
    create(withRollout("erp", "erp", "2s", RolloutTarget.named(RolloutTarget.Kind.Deployment, "web")));
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    // pods that started after the first value was published (and the kubelet's 5 s) read it: nothing to restart
    Instant started = Instant.now().plusSeconds(6);
    pod("web", "web-1", started);
    untilAfter(started);
    touchConnector("erp");
    await().atMost(Duration.ofSeconds(15)).until(() -> targets("erp"),
        t -> t != null && t.size() == 1 && "NotNeeded".equals(t.get(0).state));
    assertThat(patchesOf("web")).isZero();
    assertThat(restartedFor("web", "erp")).isNull();

    rotate("erp", "ak-rollout-second-91c0");
    await().atMost(Duration.ofSeconds(20)).until(() -> restartedFor("web", "erp"), d -> d != null);
    assertThat(restartedFor("web", "erp")).isEqualTo(digestNow("erp"));
    RolloutTargetStatus t = await().atMost(Duration.ofSeconds(10)).until(() -> targets("erp").get(0),
        x -> "Restarted".equals(x.state) || "UpToDate".equals(x.state));
    assertThat(t.kind).isEqualTo("Deployment");
    assertThat(t.name).isEqualTo("web");
    assertThat(t.lastRestart).isNotNull();
    assertThat(eventReasons("erp")).containsOnlyOnce("RolloutRestarted");
    assertThat(patchesOf("web")).isEqualTo(1);

    // more reconciles, then an operator restart: the annotation already carries this value
    touchConnector("erp");
    operator.close();
    operator = startOperator();
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    double before = reconciles();
    touchConnector("erp");
    await().atMost(Duration.ofSeconds(15)).until(() -> reconciles() > before);
    Thread.sleep(3000);
    assertThat(patchesOf("web")).as("restarts of web").isEqualTo(1);
    assertThat(targets("erp").get(0).state).isEqualTo("UpToDate");
    assertThat(targets("erp").get(0).lastRestart).isEqualTo(t.lastRestart);

    // a leader change: replica a leads, stops, replica b takes over and reconciles everything
    operator.close();
    operator = startOperator(LeaderElectionIT.elected("replica-a"), io.keyward.testing.Loopback.sender());
    KeywardOperator standby = startOperator(LeaderElectionIT.elected("replica-b"), io.keyward.testing.Loopback.sender());
    afterOperator.add(0, standby::close);
    await().atMost(Duration.ofSeconds(30)).until(() -> holder(), "replica-a"::equals);
    operator.close();
    await().atMost(Duration.ofSeconds(60)).until(() -> holder(), "replica-b"::equals);
    double led = reconciles(standby);
    touchConnector("erp");
    await().atMost(Duration.ofSeconds(15)).until(() -> reconciles(standby) > led);
    Thread.sleep(3000);
    assertThat(patchesOf("web")).as("restarts of web after a leader change").isEqualTo(1);
    assertThat(eventReasons("erp")).containsOnlyOnce("RolloutRestarted");
    assertNoSecretValueLeaked();
  }

  String holder() {
    var lease = client.leases().inNamespace("keyward-system").withName("keyward-operator").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  /** The same API key issued again (a refresh request) is the same value: its digest and its publication time stay. */
  @Test
  void aReissueOfTheSameKeyRestartsNothing() throws Exception {
    cluster.putSecret(NS, "erp", Map.of("api-key", KEY_1));
    deployment("web", Map.of());
    create(withRollout("erp", "erp", "1s", RolloutTarget.named(RolloutTarget.Kind.Deployment, "web")));
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    pod("web", "web-1", Instant.now().plusSeconds(10));
    Thread.sleep(2000);
    touchConnector("erp");
    await().atMost(Duration.ofSeconds(15)).until(() -> targets("erp"),
        t -> t != null && t.size() == 1 && "NotNeeded".equals(t.get(0).state));
    String digest = digestNow("erp");
    String since = client.secrets().inNamespace(NS).withName("erp-credentials").get().getMetadata().getAnnotations()
        .get("keyward.io/value-since");
    requestRefresh("erp", Instant.now().toString());
    await().atMost(Duration.ofSeconds(15)).until(() -> connector("erp").getStatus().lastIssueReason,
        "RefreshRequested"::equals);
    Thread.sleep(3000);
    touchConnector("erp");
    Thread.sleep(2000);
    var output = client.secrets().inNamespace(NS).withName("erp-credentials").get().getMetadata().getAnnotations();
    assertThat(digestNow("erp")).as("same value, same digest").isEqualTo(digest);
    assertThat(output.get("keyward.io/value-since")).as("published then, whatever issued-at says").isEqualTo(since);
    assertThat(output.get("keyward.io/issued-at")).isNotEqualTo(since);
    assertThat(patchesOf("web")).as("restarts of web for a value its pods already read").isZero();
  }

  /** An Argo Rollout (where its CRD is installed) is restarted with its own spec.restartAt, its template untouched. */
  @Test
  void anArgoRolloutIsRestartedWithItsOwnRestartAt() throws Exception {
    cluster.putSecret(NS, "erp", Map.of("api-key", KEY_1));
    var argo = client.genericKubernetesResources(Rollouts.Kind.ROLLOUT.context).inNamespace(NS);
    var rollout = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("argoproj.io/v1alpha1").withKind("Rollout")
        .withNewMetadata().withName("canary").withNamespace(NS).endMetadata()
        .addToAdditionalProperties("spec", Map.of("replicas", 1,
            "selector", Map.of("matchLabels", Map.of("app", "canary")),
            "workloadRef", Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "canary")))
        .build();
    argo.resource(rollout).create();
    pod("canary", "canary-1", Instant.now().minusSeconds(3600));
    create(withRollout("erp", "erp", "1s", RolloutTarget.named(RolloutTarget.Kind.Rollout, "canary")));
    awaitCondition("erp", "Ready", "True", "CredentialIssued");

    var restarted = await().atMost(Duration.ofSeconds(20)).until(() -> argo.withName("canary").get(),
        r -> r.getMetadata().getAnnotations() != null
            && r.getMetadata().getAnnotations().containsKey(Rollouts.ANNOTATION_PREFIX + "erp"));
    assertThat(restarted.getMetadata().getAnnotations().get(Rollouts.ANNOTATION_PREFIX + "erp")).isEqualTo(digestNow("erp"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) restarted.getAdditionalProperties().get("spec");
    assertThat(spec).containsKey("restartAt").doesNotContainKey("template");
    assertThat(targets("erp")).extracting(t -> t.kind + "/" + t.name).containsExactly("Rollout/canary");
    assertThat(eventReasons("erp")).containsOnlyOnce("RolloutRestarted");
  }

  @Test
  void tenRotationsWithinTheDebounceRestartOnceWithTheLastValue() throws Exception {
    cluster.putSecret(NS, "erp", Map.of("api-key", KEY_1));
    deployment("web", Map.of());
    pod("web", "web-1", Instant.now().minusSeconds(3600));
    create(withRollout("erp", "erp", "6s", RolloutTarget.named(RolloutTarget.Kind.Deployment, "web")));
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    for (int i = 0; i < 10; i++) {
      String key = "ak-rollout-burst-" + i;
      rotate("erp", key);
      await().atMost(Duration.ofSeconds(10)).until(() -> key.equals(cluster.secretValues(NS, "erp-credentials").get("token")));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> restartedFor("web", "erp"), d -> d != null);
    Thread.sleep(3000);
    assertThat(patchesOf("web")).isEqualTo(1);
    assertThat(restartedFor("web", "erp")).as("the last value's digest").isEqualTo(digestNow("erp"));
    assertNoSecretValueLeaked();
  }

  @Test
  void aLabelSelectedSetOfThreeDeploymentsRestartsOnceEachAndAMissingOneIsAWarning() throws Exception {
    cluster.putSecret(NS, "erp", Map.of("api-key", KEY_1));
    for (String name : List.of("api-1", "api-2", "api-3")) {
      deployment(name, Map.of("tier", "api"));
      pod(name, name + "-pod", Instant.now().minusSeconds(3600));
    }
    deployment("batch", Map.of("tier", "batch"));
    pod("batch", "batch-pod", Instant.now().minusSeconds(3600));
    create(withRollout("erp", "erp", "1s", RolloutTarget.selected(RolloutTarget.Kind.Deployment, Map.of("tier", "api")),
        RolloutTarget.named(RolloutTarget.Kind.Deployment, "gone")));
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
    // the pods are older than the first value: each of the three is restarted for it, once
    await().atMost(Duration.ofSeconds(20)).until(() -> patchesOf("api-1") + patchesOf("api-2") + patchesOf("api-3") == 3);
    touchConnector("erp");
    Thread.sleep(3000);
    assertThat(List.of(patchesOf("api-1"), patchesOf("api-2"), patchesOf("api-3"))).containsExactly(1, 1, 1);
    assertThat(patchesOf("batch")).isZero();
    var warning = awaitCondition("erp", "Warning", "True", "RolloutTargetMissing");
    assertThat(warning.message).contains("Deployment gone does not exist");
    assertThat(targets("erp")).extracting(s -> s.name + "=" + s.state)
        .contains("api-1=UpToDate", "api-2=UpToDate", "api-3=UpToDate", "gone=Missing");
    assertThat(connector("erp").getStatus().condition("Ready").orElseThrow().status).as("the credential is fine")
        .isEqualTo("True");
  }

  @Test
  void theCapHoldsWhenManyConnectorsRotateAtOnceAndTheRestFollowInTurn() throws Exception {
    operator.close();
    operator = startOperator(testSettings().withMaxConcurrentRollouts(5), io.keyward.testing.Loopback.sender());
    cluster.putSecret(NS, "shared", Map.of("api-key", KEY_1));
    int n = 50;
    for (int i = 0; i < n; i++) {
      deployment("app-" + i, Map.of());
      create(withRollout("c-" + i, "shared", "1s", RolloutTarget.named(RolloutTarget.Kind.Deployment, "app-" + i)));
    }
    for (int i = 0; i < n; i++) {
      awaitCondition("c-" + i, "Ready", "True", "CredentialIssued");
    }
    // the pods start after the first value (and the kubelet's 5 s), and all have before the rotation
    Instant started = Instant.now().plusSeconds(6);
    for (int i = 0; i < n; i++) {
      pod("app-" + i, "app-" + i + "-pod", started);
    }
    untilAfter(started);
    rotate("shared", "ak-rollout-mass-rotation");
    int done = 0;
    java.util.Set<String> completed = new java.util.HashSet<>();
    while (done < n) {
      int target = Math.min(done + 5, n);
      int reached = target;
      await().atMost(Duration.ofSeconds(30)).until(this::restartedCount, c -> c >= reached);
      Thread.sleep(2500);
      assertThat(restartedCount()).as("at most 5 in progress at once").isEqualTo(target);
      // the rollouts in progress complete; the names are taken before the first completes, as a
      // freed slot may start another rollout at once, which must stay in progress for the next count
      List<String> inProgress = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (patchesOf("app-" + i) > 0 && !completed.contains("app-" + i)) {
          inProgress.add("app-" + i);
        }
      }
      for (String name : inProgress) {
        complete(name);
        completed.add(name);
      }
      done = target;
    }
    assertThat(patches.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
  }

  /** Waits until the wall clock is a second past {@code at}. */
  static void untilAfter(Instant at) throws InterruptedException {
    long wait = java.time.Duration.between(Instant.now(), at.plusSeconds(1)).toMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }

  int restartedCount() {
    return (int) patches.values().stream().filter(c -> c.get() > 0).count();
  }

  /** What the Deployment controller would report once every replica runs the new template. */
  void complete(String name) {
    client.apps().deployments().inNamespace(NS).withName(name).editStatus(d -> {
      long generation = d.getMetadata().getGeneration() == null ? 1 : d.getMetadata().getGeneration();
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withObservedGeneration(generation)
          .withReplicas(1).withUpdatedReplicas(1).withAvailableReplicas(1).withReadyReplicas(1).build());
      return d;
    });
  }

  List<RolloutTargetStatus> targets(String connector) {
    ApiConnector c = connector(connector);
    return c == null || c.getStatus() == null ? null : c.getStatus().rolloutTargets;
  }

  /** A label change on the connector: a reconcile without a new generation or refresh request? No: the filter lets only those through; touch a referenced Secret's metadata instead. */
  void touchConnector(String name) {
    String secret = connector(name).getSpec().auth.apiKey.keyRef.name;
    client.secrets().inNamespace(NS).withName(secret).edit(s -> {
      s.getMetadata().setLabels(Map.of("touched", String.valueOf(System.nanoTime())));
      return s;
    });
  }
}
