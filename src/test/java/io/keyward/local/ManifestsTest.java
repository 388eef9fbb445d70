package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading manifests one document at a time: what is reported, where, and never the content. */
class ManifestsTest {
  @TempDir Path dir;

  List<Manifests.Document> read(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return Manifests.read(List.of(file));
  }

  @Test
  void eachDocumentIsReadAloneAndNumberedFromOneSkippingCommentOnlyDocuments() throws Exception {
    var docs = read("m.yaml", """
        # leading comment
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: s1}
        stringData:
          password: "hunter2
          other: [unclosed
        ---
        # only a comment
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: c1, namespace: demo}
        spec: {}
        --- {apiVersion: v1, kind: ConfigMap, metadata: {name: inline}}
        ...
        """);
    assertThat(docs).extracting(Manifests.Document::index).containsExactly(1, 2, 3);
    Manifests.Document broken = docs.get(0);
    assertThat(broken.object()).isNull();
    assertThat(broken.problem()).matches("line (7|8), column \\d+: not valid YAML").doesNotContain("hunter2");
    assertThat(docs.get(1).problem()).isNull();
    assertThat(docs.get(1).describe()).isEqualTo("ApiConnector demo/c1");
    assertThat(docs.get(2).describe()).as("a namespaced kind without one is in default").isEqualTo("ConfigMap default/inline");
  }

  @Test
  void kindsNotServedObjectsWithoutKindOrNameAndScalarsAreProblemsOfTheirOwnDocument() throws Exception {
    var docs = read("m.yaml", """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: web}
        ---
        kind: ApiConnector
        metadata: {name: nover}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {namespace: demo}
        ---
        just a string
        """);
    assertThat(docs).extracting(Manifests.Document::problem).containsExactly(
        "no matches for kind \"CronJob\" in version \"batch/v1\" (local mode serves Namespace, Secret, ConfigMap, "
            + "Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ApiConnector, ApiProvider, CustomResourceDefinition, Lease)",
        "not a Kubernetes object: apiVersion is not set",
        "metadata.name: Required value: name or generateName is required",
        "not a Kubernetes object (a YAML mapping with apiVersion and kind)");
    assertThat(docs.get(2).describe()).isEqualTo("ApiConnector (no name)");
  }

  @Test
  void listKindsAndJsonFilesAreUnderstood() throws Exception {
    var list = read("list.yaml", """
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: v1, kind: Secret, metadata: {name: a, namespace: x}}
        - {apiVersion: v1, kind: Secret, metadata: {name: b, namespace: x}}
        """);
    assertThat(list).extracting(Manifests.Document::describe).containsExactly("Secret x/a", "Secret x/b");
    assertThat(list).extracting(Manifests.Document::index).containsExactly(1, 1);

    var json = read("c.json", "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}");
    assertThat(json).extracting(Manifests.Document::describe).containsExactly("Namespace n");
    var bad = read("d.json", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": oops\n}");
    assertThat(bad.get(0).problem()).isEqualTo("line 3, column 15: not valid JSON");
  }

  @Test
  void aRefusalIsOneLinePerCauseNamingFileDocumentObjectAndField() {
    var refusal = new Manifests.Refusal(Path.of("x.yaml"), 2, "ApiConnector demo/a",
        List.of("spec.auth: Invalid value: \"object\": exactly one", "spec.refresh: Invalid value: 150"));
    assertThat(refusal.lines()).containsExactly(
        "x.yaml:2: ApiConnector demo/a: spec.auth: Invalid value: \"object\": exactly one",
        "x.yaml:2: ApiConnector demo/a: spec.refresh: Invalid value: 150");
  }
}
