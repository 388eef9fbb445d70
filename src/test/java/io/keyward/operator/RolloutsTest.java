package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a rollout has completed (its slot is freed), as kubectl rollout status or Argo judges it. */
class RolloutsTest {
  static GenericKubernetesResource parse(String json) {
    return Serialization.unmarshal(json, GenericKubernetesResource.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "Deployment all updated and available | {\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"w\",\"generation\":2},\"spec\":{\"replicas\":3},\"status\":{\"observedGeneration\":2,\"replicas\":3,\"updatedReplicas\":3,\"availableReplicas\":3}} | true",
    "Deployment with an old replica still running | {\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"w\",\"generation\":2},\"spec\":{\"replicas\":3},\"status\":{\"observedGeneration\":2,\"replicas\":4,\"updatedReplicas\":3,\"availableReplicas\":3}} | false",
    "Deployment not yet observed | {\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"w\",\"generation\":3},\"spec\":{\"replicas\":1},\"status\":{\"observedGeneration\":2,\"replicas\":1,\"updatedReplicas\":1,\"availableReplicas\":1}} | false",
    "Deployment past its progress deadline | {\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"w\",\"generation\":2},\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,\"replicas\":3,\"updatedReplicas\":1,\"availableReplicas\":2,\"conditions\":[{\"type\":\"Progressing\",\"status\":\"False\",\"reason\":\"ProgressDeadlineExceeded\"}]}} | true",
    "DaemonSet scheduled everywhere | {\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"d\",\"generation\":5},\"status\":{\"observedGeneration\":5,\"desiredNumberScheduled\":4,\"updatedNumberScheduled\":4,\"numberAvailable\":4}} | true",
    "DaemonSet half way | {\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"d\",\"generation\":5},\"status\":{\"observedGeneration\":5,\"desiredNumberScheduled\":4,\"updatedNumberScheduled\":2,\"numberAvailable\":4}} | false",
    "Argo Rollout healthy (observedGeneration a string) | {\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Rollout\",\"metadata\":{\"name\":\"p\",\"generation\":2},\"status\":{\"observedGeneration\":\"2\",\"phase\":\"Healthy\"}} | true",
    "Argo Rollout healthy but not yet restarted | {\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Rollout\",\"metadata\":{\"name\":\"p\",\"generation\":2},\"spec\":{\"restartAt\":\"2026-12-01T10:00:00Z\"},\"status\":{\"observedGeneration\":\"2\",\"phase\":\"Healthy\",\"restartedAt\":\"2026-12-01T09:00:00Z\"}} | false",
    "Argo Rollout restarted | {\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Rollout\",\"metadata\":{\"name\":\"p\",\"generation\":2},\"spec\":{\"restartAt\":\"2026-12-01T10:00:00Z\"},\"status\":{\"observedGeneration\":\"2\",\"phase\":\"Healthy\",\"restartedAt\":\"2026-12-01T10:00:05Z\"}} | true",
    "Argo Rollout progressing | {\"apiVersion\":\"argoproj.io/v1alpha1\",\"kind\":\"Rollout\",\"metadata\":{\"name\":\"p\",\"generation\":2},\"status\":{\"observedGeneration\":\"2\",\"phase\":\"Progressing\"}} | false",
  })
  void aRolloutIsCompleteWhenEveryReplicaRunsTheNewTemplate(String name, String json, boolean complete) {
    assertThat(Rollouts.complete(parse(json))).isEqualTo(complete);
  }

  @ParameterizedTest
  @CsvSource({"erp, rollout.keyward.io/erp",
      "a-connector-name-that-is-much-longer-than-sixty-three-characters-allow, "
          + "rollout.keyward.io/a-connector-name-that-is-much-longer-than-sixty-three-cha-41c1d5d6"})
  void theAnnotationKeyIsValidForEveryConnectorName(String connector, String key) {
    String got = Rollouts.annotationKey(connector);
    assertThat(got.substring("rollout.keyward.io/".length())).hasSizeLessThanOrEqualTo(63)
        .matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    assertThat(got).startsWith(key.substring(0, Math.min(key.length(), 60)));
  }
}
