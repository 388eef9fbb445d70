package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admission seam of local mode's embedded API server, seen through the real kubectl with its
 * default validation (no {@code --validate=false}): a small fake admission stands in for the
 * schema validator. It refuses a connector named {@code refuse-me} or one whose {@code spec.auth}
 * is empty (as the CRD's exactly-one rule would), prunes {@code spec.foo} and {@code spec.bar} (as
 * a structural schema prunes fields it does not declare), and warns about an API key in the query.
 * What kubectl prints is what it prints against a real API server for the same answers.
 */
class LocalAdmissionIT {
  static final String EXACTLY_ONE = "Invalid value: \"object\": exactly one of oauth2, apiKey, basic, jwt must be set";

  @TempDir static Path dir;
  static LocalMode local;
  static Path kubectl;
  static final List<String> admitted = java.util.Collections.synchronizedList(new ArrayList<>());

  /** The fake admission: a stand-in for the CRD's schema and rules. */
  static LocalAdmission.Verdict admit(JsonNode object, Optional<JsonNode> old) {
    String name = object.path("metadata").path("name").asText();
    admitted.add(name + (old.isPresent() ? " (update)" : " (create)"));
    ObjectNode pruned = object.deepCopy();
    if (pruned.get("spec") instanceof ObjectNode spec) {
      spec.remove(List.of("foo", "bar"));
    }
    JsonNode auth = pruned.path("spec").path("auth");
    if ("refuse-me".equals(name) || auth.isObject() && auth.isEmpty()) {
      return LocalAdmission.Verdict.refused(KubeStatus.invalid("keyward.io", "ApiConnector", name,
          List.of(Map.entry("spec.auth", EXACTLY_ONE))), pruned);
    }
    List<String> warnings = "query".equals(auth.path("apiKey").path("in").asText())
        ? List.of("spec.auth.apiKey.in: an API key in the query ends up in access logs") : List.of();
    return LocalAdmission.Verdict.admitted(pruned, warnings);
  }

  @BeforeAll
  static void start() {
    kubectl = LocalModeIT.kubectl().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not installed");
    local = new LocalMode(new LocalMode.Options(List.of(), 0, 0, dir.resolve("kubeconfig"), Duration.ofSeconds(60),
        Clock.systemUTC(), LocalAdmissionIT::admit));
  }

  @AfterAll
  static void stop() {
    if (local != null) {
      local.close();
    }
  }

  @Test
  void aRefusedCreateIsPrintedAsKubectlPrintsAnInvalidObjectAndNothingIsStored() throws Exception {
    Result result = apply("refuse-me", "", "");
    assertThat(result.exit()).as(result.output()).isEqualTo(1);
    assertThat(result.output()).contains("The ApiConnector \"refuse-me\" is invalid: spec.auth: " + EXACTLY_ONE);
    assertThat(connector("refuse-me")).isNull();

    Result dryRun = apply("refuse-me", "", "", "--dry-run=server");
    assertThat(dryRun.exit()).isEqualTo(1);
    assertThat(dryRun.output()).contains("The ApiConnector \"refuse-me\" is invalid: spec.auth: " + EXACTLY_ONE);
  }

  @Test
  void aValidConnectorIsAppliedWithDefaultValidationThenReappliedPatchedAndDescribedWithItsEvents() throws Exception {
    Result created = apply("good", "", "");
    assertThat(created.exit()).as(created.output()).isZero();
    assertThat(created.output()).contains("secret/good-key created").contains("apiconnector.keyward.io/good created");
    assertThat(admitted).contains("good (create)");

    Result again = apply("good", "", "header: X-Good-Key");
    assertThat(again.exit()).as(again.output()).isZero();
    assertThat(again.output()).contains("apiconnector.keyward.io/good configured");
    assertThat(admitted).as("kubectl apply patches an existing object: the patched object is admitted")
        .contains("good (update)");
    assertThat(spec("good").path("auth").path("apiKey").path("header").asText()).isEqualTo("X-Good-Key");

    Result emptied = kubectl("patch", "apiconnector", "good", "-n", "demo", "--type", "merge",
        "-p", "{\"spec\":{\"auth\":{\"apiKey\":null}}}");
    assertThat(emptied.exit()).as(emptied.output()).isEqualTo(1);
    assertThat(emptied.output()).contains("The ApiConnector \"good\" is invalid: spec.auth: " + EXACTLY_ONE);
    assertThat(spec("good").path("auth").has("apiKey")).as("a refused patch changes nothing").isTrue();

    Result jsonPatch = kubectl("patch", "apiconnector", "good", "-n", "demo", "--type", "json",
        "-p", "[{\"op\":\"replace\",\"path\":\"/spec/auth/apiKey/header\",\"value\":\"X-Patched\"}]");
    assertThat(jsonPatch.exit()).as(jsonPatch.output()).isZero();
    assertThat(spec("good").path("auth").path("apiKey").path("header").asText()).isEqualTo("X-Patched");

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kubectl("describe", "apic", "good", "-n", "demo")
        .output()).as("kubectl describe lists the connector's Events")
        .containsPattern("Events:\\s*\\n\\s*Type\\s+Reason").containsPattern("Normal\\s+Issued"));

    assertThat(kubectl("explain", "apiconnector.spec.auth.apiKey").output()).as("kubectl explain reads the CRD's schema")
        .contains("keyRef").contains("The Secret key holding the API key.");
  }

  @Test
  void unknownFieldsAreRefusedWarnedAboutOrDroppedAsFieldValidationSays() throws Exception {
    Result strict = apply("strict", "foo: 1", "");
    assertThat(strict.exit()).as(strict.output()).isEqualTo(1);
    assertThat(strict.output()).contains("Error from server (BadRequest): error when creating ")
        .contains("ApiConnector in version \"v1alpha1\" cannot be handled as a ApiConnector: "
            + "strict decoding error: unknown field \"spec.foo\"");
    assertThat(connector("strict")).isNull();

    Result warn = apply("warned", "foo: 1", "", "--validate=warn");
    assertThat(warn.exit()).as(warn.output()).isZero();
    assertThat(warn.output()).contains("Warning: unknown field \"spec.foo\"")
        .contains("apiconnector.keyward.io/warned created");

    Result ignore = apply("ignored", "foo: 1", "", "--validate=false");
    assertThat(ignore.exit()).as(ignore.output()).isZero();
    assertThat(ignore.output()).doesNotContain("Warning: unknown field").contains("apiconnector.keyward.io/ignored created");
    assertThat(spec("ignored").has("foo")).as("pruned").isFalse();

    Result warning = apply("in-query", "", "in: query");
    assertThat(warning.exit()).as(warning.output()).isZero();
    assertThat(warning.output()).as("the admission's own warnings reach kubectl")
        .contains("Warning: spec.auth.apiKey.in: an API key in the query ends up in access logs");

    // kubectl apply on an existing object sends a merge patch: kube refuses the patched object
    Result patched = apply("warned", "bar: 2", "");
    assertThat(patched.exit()).as(patched.output()).isEqualTo(1);
    assertThat(patched.output()).contains("The request is invalid: patch: Invalid value: \"{\\\"apiVersion\\\":")
        .contains(": strict decoding error: ").contains("unknown field \"spec.bar\"");
    assertThat(spec("warned").has("bar")).isFalse();
  }

  @Test
  void eventsAreSelectedByTheFieldsKubeSelectsThemBy() {
    var client = local.api().client();
    client.v1().events().inNamespace("demo").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName("one.1").withNamespace("demo").endMetadata()
        .withNewInvolvedObject().withKind("ApiConnector").withName("one").withNamespace("demo").withUid("u1").endInvolvedObject()
        .withReason("Issued").withType("Normal").withNewSource().withComponent("keyward").endSource().build()).create();
    client.v1().events().inNamespace("demo").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName("two.1").withNamespace("demo").endMetadata()
        .withNewInvolvedObject().withKind("ApiConnector").withName("two").withNamespace("demo").withUid("u2").endInvolvedObject()
        .withReason("Failed").withType("Warning").build()).create();

    assertThat(client.v1().events().inNamespace("demo").withField("involvedObject.name", "one").list().getItems())
        .extracting(e -> e.getMetadata().getName()).containsExactly("one.1");
    assertThat(client.v1().events().inNamespace("demo").withField("involvedObject.uid", "u2")
        .withField("type", "Warning").list().getItems()).extracting(e -> e.getMetadata().getName()).containsExactly("two.1");
    assertThat(client.v1().events().inAnyNamespace().withField("source", "keyward").list().getItems())
        .extracting(e -> e.getMetadata().getName()).contains("one.1").doesNotContain("two.1");
    assertThat(client.v1().events().inNamespace("demo").withoutField("reason", "Issued").list().getItems())
        .extracting(e -> e.getMetadata().getName()).contains("two.1").doesNotContain("one.1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            client.v1().events().inNamespace("demo").withField("color", "blue").list())
        .hasMessageContaining("field label not supported: color");
  }

  record Result(int exit, String output) {}

  /**
   * Applies a Secret and an apiKey connector {@code name} in namespace demo; {@code specExtra} goes
   * into its spec, {@code apiKeyExtra} into its apiKey block.
   */
  static Result apply(String name, String specExtra, String apiKeyExtra, String... flags) throws Exception {
    Path manifest = dir.resolve(name + ".yaml");
    Files.writeString(manifest, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: %1$s-key, namespace: demo}
        stringData: {api-key: not-a-secret}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: %1$s, namespace: demo}
        spec:
        %2$s  auth:
            apiKey:
              keyRef: {name: %1$s-key, key: api-key}
        %3$s""".formatted(name, specExtra.isEmpty() ? "" : "  " + specExtra + "\n",
        apiKeyExtra.isEmpty() ? "" : "      " + apiKeyExtra + "\n"));
    List<String> args = new ArrayList<>(List.of("apply", "-f", manifest.toString()));
    args.addAll(List.of(flags));
    return kubectl(args.toArray(String[]::new));
  }

  static Result kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", local.kubeconfig().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  static GenericKubernetesResource connector(String name) {
    return local.api().client().genericKubernetesResources("keyward.io/v1alpha1", "ApiConnector").inNamespace("demo")
        .withName(name).get();
  }

  static JsonNode spec(String name) {
    return io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().valueToTree(connector(name)).path("spec");
  }
}
