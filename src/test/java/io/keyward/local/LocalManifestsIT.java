package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.Keyward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code keyward local -f} on manifests with valid and invalid documents: every valid one is
 * applied and becomes Ready, each invalid one is reported by file, document, object and field, and
 * local mode keeps running. The admission is {@link LocalAdmissionIT}'s stand-in for the schema.
 */
class LocalManifestsIT {
  @TempDir Path dir;
  LocalMode local;

  @AfterEach
  void stop() {
    if (local != null) {
      local.close();
    }
  }

  @Test
  void validDocumentsAreAppliedAndBecomeReadyAndEachRefusedOneIsListedWithItsField() throws Exception {
    Path file = mixed();
    local = new LocalMode(new LocalMode.Options(List.of(dir), 0, 0, dir.resolve("kubeconfig"), Duration.ofSeconds(60),
        Clock.systemUTC(), LocalAdmissionIT::admit));

    assertThat(local.refusals()).containsExactly(
        file + ":4: ApiConnector demo/refuse-me: spec.auth: " + LocalAdmissionIT.EXACTLY_ONE,
        file + ":5: ApiConnector demo/unknown: ApiConnector in version \"v1alpha1\" cannot be handled as a "
            + "ApiConnector: strict decoding error: unknown field \"spec.foo\"",
        file + ":6: line 35, column 22: not valid YAML",
        file + ":7: CronJob demo/web: no matches for kind \"CronJob\" in version \"batch/v1\" (local mode serves "
            + "Namespace, Secret, ConfigMap, Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ApiConnector, ApiProvider, "
            + "CustomResourceDefinition, Lease)",
        file + ":9: ApiConnector demo/also-fine: spec.auth: " + LocalAdmissionIT.EXACTLY_ONE);
    assertThat(String.join("\n", local.refusals())).as("never a document's content").doesNotContain("hunter2");
    assertThat(local.applied()).as("namespace, secret twice, fine, late").isEqualTo(5);
    assertThat(local.api().client().secrets().inNamespace("demo").withName("key").get().getData())
        .as("a later document naming the same object wins").containsOnlyKeys("api-key", "other")
        .containsEntry("api-key", java.util.Base64.getEncoder().encodeToString("the-later-one".getBytes()));
    assertThat(local.banner()).contains("5 applied from " + dir + ", 5 refused")
        .contains("refused         " + file + ":4: ApiConnector demo/refuse-me: spec.auth:");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      var rows = new LiveView(local.api().client(), local::refreshes, System.out, false, Clock.systemUTC(), "").snapshot();
      assertThat(rows).extracting(ConnectorTable.Row::name).containsExactlyInAnyOrder("demo/fine", "demo/late");
      assertThat(rows).allSatisfy(r -> assertThat(r.ready()).isEqualTo("True"));
    });
  }

  @Test
  void byDefaultLocalModeRefusesWhatTheCrdRefusesWithKubeApiserversWords() throws Exception {
    Path file = dir.resolve("schema.yaml");
    Files.writeString(file, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: key, namespace: demo}
        stringData: {api-key: not-a-secret}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: fine, namespace: demo}
        spec:
          auth:
            apiKey: {keyRef: {name: key, key: api-key}}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: greedy, namespace: demo}
        spec:
          auth:
            apiKey: {keyRef: {name: key, key: api-key}}
          refresh: {renewBeforePercentage: 150}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: both, namespace: demo}
        spec:
          auth:
            apiKey: {keyRef: {name: key, key: api-key}}
            basic: {usernameRef: {name: key, key: u}, passwordRef: {name: key, key: p}}
        """);
    local = new LocalMode(new LocalMode.Options(List.of(dir), 0, 0, dir.resolve("kubeconfig"), Duration.ofSeconds(60),
        Clock.systemUTC()));

    assertThat(local.refusals()).hasSize(2);
    assertThat(local.refusals().get(0)).startsWith(file + ":4: ApiConnector demo/greedy: ")
        .contains("spec.refresh.renewBeforePercentage: Invalid value: 150: spec.refresh.renewBeforePercentage in body"
            + " should be less than or equal to");
    assertThat(local.refusals().get(1)).startsWith(file + ":5: ApiConnector demo/both: ")
        .contains("spec.auth: Invalid value: \"object\": exactly one of spec.auth.oauth2, spec.auth.apiKey,"
            + " spec.auth.basic, spec.auth.jwt must be set");
    assertThat(local.api().client().genericKubernetesResources("keyward.io/v1alpha1", "ApiConnector")
        .inNamespace("demo").list().getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("fine");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        new LiveView(local.api().client(), local::refreshes, System.out, false, Clock.systemUTC(), "").snapshot())
        .singleElement().satisfies(r -> assertThat(r.ready()).isEqualTo("True")));
  }

  @Test
  void theCommandKeepsRunningAndExitsZeroWithRefusedDocuments() throws Exception {
    mixed();
    int exit = new CommandLine(new Keyward()).execute("local", "-f", dir.toString(), "--api-port", "0",
        "--provider-port", "0", "--kubeconfig-out", dir.resolve("cli-kubeconfig").toString(), "--exit-after", "1s",
        "--verbose");
    assertThat(exit).isZero();
  }

  Path mixed() throws Exception {
    Path file = dir.resolve("mixed.yaml");
    Files.writeString(file, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: key, namespace: demo}
        stringData: {api-key: not-a-secret}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: fine, namespace: demo}
        spec:
          auth:
            apiKey: {keyRef: {name: key, key: api-key}}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: refuse-me, namespace: demo}
        spec:
          auth:
            apiKey: {keyRef: {name: key, key: api-key}}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: unknown, namespace: demo}
        spec:
          foo: 1
          auth:
            apiKey: {keyRef: {name: key, key: api-key}}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: broken, namespace: demo}
        stringData: {password: "hunter2}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: web, namespace: demo}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: late, namespace: demo}
        spec:
          auth:
            apiKey: {keyRef: {name: key, key: api-key}}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: also-fine, namespace: demo}
        spec:
          auth: {}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: key, namespace: demo}
        stringData: {api-key: the-later-one, other: x}
        """);
    return file;
  }
}
