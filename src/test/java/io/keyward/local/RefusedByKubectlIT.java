package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.keyward.Keyward;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every refused manifest of {@link io.keyward.admission.RefusedConnectorsTest}'s table (whose
 * expected causes are written from the CRD's rules and kube's wording) is refused the same way by
 * real {@code kubectl apply} against local mode (default validation, the schema admission local mode
 * runs by default) and by {@code keyward validate}: one source of truth (DESIGN §10).
 */
class RefusedByKubectlIT {
  @TempDir static Path dir;
  static LocalMode local;
  static Path kubectl;

  @BeforeAll
  static void start() {
    kubectl = LocalModeIT.kubectl().orElse(null);
    assumeTrue(kubectl != null, "kubectl is not installed");
    local = new LocalMode(new LocalMode.Options(List.of(), 0, 0, dir.resolve("kubeconfig"), Duration.ofSeconds(60),
        Clock.systemUTC()));
    local.api().client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("sales")
        .endMetadata().build()).create();
  }

  @AfterAll
  static void stop() {
    if (local != null) {
      local.close();
    }
  }

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> refused() {
    return io.keyward.admission.RefusedConnectorsTest.refused();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedByKubectlApplyAndByKeywardValidateWithTheSameCauses(String name, String manifest, List<String> expected)
      throws Exception {
    Path file = dir.resolve(name.replaceAll("[^a-zA-Z0-9]+", "-") + ".yaml");
    Files.writeString(file, manifest);

    // kubectl apply itself needs a name (no generateName) before it asks the server; kubectl create does not
    boolean unnamed = name.equals("no name") || name.startsWith("generateName");
    List<String> command = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", local.kubeconfig().toString(),
        unnamed ? "create" : "apply", "-f", file.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isEqualTo(1);
    if (name.equals("another version")) {
      // a version the CRD does not serve: kubectl finds no such kind in discovery, as against a cluster
      assertThat(printed).contains("no matches for kind \"ApiConnector\" in version \"keyward.io/v1\"");
    } else {
      assertThat(printed).as("kubectl").contains(" is invalid");
      for (String cause : expected) {
        assertThat(printed).as("kubectl").contains(cause);
      }
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new Keyward());
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(out, true, StandardCharsets.UTF_8));
    int exit = cli.execute("validate", "-f", file.toString());
    String validated = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(validated).isEqualTo(1);
    for (String cause : expected) {
      assertThat(validated).as("keyward validate").contains(cause);
    }
  }

  static java.util.stream.Stream<Path> examples() throws java.io.IOException {
    try (var files = Files.walk(Path.of("examples"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  /**
   * Every example passes both: kubectl applies it with a server-side dry run (nothing is stored, so
   * the operator calls no provider: the examples name real hosts) and keyward validate finds no error.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsAdmittedByKubectlApplyAndByKeywardValidate(Path example) throws Exception {
    Process p = new ProcessBuilder(kubectl.toString(), "--kubeconfig", local.kubeconfig().toString(), "apply",
        "--dry-run=server", "-f", example.toString()).redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    assertThat(printed).doesNotContain("invalid").doesNotContain("Warning");
    assertThat(local.api().client().genericKubernetesResources("keyward.io/v1alpha1", "ApiConnector").inAnyNamespace()
        .list().getItems()).as("a dry run stores no connector, so no provider is called").isEmpty();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new Keyward());
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(out, true, StandardCharsets.UTF_8));
    assertThat(cli.execute("validate", "-f", example.toString())).as(out.toString(StandardCharsets.UTF_8)).isZero();
  }
}
