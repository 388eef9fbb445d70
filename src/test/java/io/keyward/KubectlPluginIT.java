package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorSpec;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.AuthSpec;
import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.testing.MockCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl keyward}: the launcher in src/main/sh on the PATH, found and run by the real kubectl,
 * running the built jar against a mock API server: {@code status -A}, {@code status -n},
 * {@code refresh}. kubectl passes its plugin's flags through unchanged.
 */
class KubectlPluginIT {
  @TempDir Path dir;
  MockCluster cluster;
  Path kubeconfig;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    cluster = new MockCluster();
    kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), "sales");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(Path.of("src/main/sh/kubectl-keyward"), bin.resolve("kubectl-keyward"));
    bin.resolve("kubectl-keyward").toFile().setExecutable(true);
    connector("sales", "crm", "True", "CredentialIssued", Instant.now().plus(Duration.ofMinutes(30)));
    connector("finance", "ledger", "False", "SecretNotFound", null);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  void connector(String namespace, String name, String ready, String reason, Instant expires) {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    c.setSpec(new ApiConnectorSpec());
    c.getSpec().auth = new AuthSpec();
    c.getSpec().auth.apiKey = new ApiKeyAuth();
    c.getSpec().auth.apiKey.keyRef = new SecretKeyRef(name, "api-key");
    cluster.client().resource(c).create();
    ApiConnectorStatus s = new ApiConnectorStatus();
    s.authType = "apiKey";
    Condition r = new Condition();
    r.type = "Ready";
    r.status = ready;
    r.reason = reason;
    r.message = "True".equals(ready) ? "issued" : "Secret " + namespace + "/" + name + " (key api-key) does not exist";
    s.conditions = new ArrayList<>(List.of(r));
    if (expires != null) {
      s.issuedAt = Instant.now().toString();
      s.expiresAt = expires.toString();
      s.lastIssueReason = "Initial";
    }
    c.setStatus(s);
    cluster.client().resource(c).updateStatus();
  }

  Run kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("kubectl", "keyward"));
    command.addAll(List.of(args));
    command.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().put("KEYWARD_JAR", Path.of("target/keyward.jar").toAbsolutePath().toString());
    pb.redirectError(dir.resolve("err.txt").toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, Files.readString(dir.resolve("err.txt")));
  }

  @Test
  void statusListsEveryNamespacesConnectorsAsTheirStatusSays() throws Exception {
    Run all = kubectl("status", "-A");
    assertThat(all.exit()).as(all.err()).isZero();
    List<String> lines = all.out().lines().toList();
    assertThat(lines.get(0)).matches("NAMESPACE +NAME +TYPE +READY +EXPIRES IN +LAST ISSUE REASON +LAST ERROR");
    assertThat(lines.get(1)).matches("finance +ledger +apiKey +False +- +- +SecretNotFound: Secret finance/ledger.*");
    assertThat(lines.get(2)).matches("sales +crm +apiKey +True +(29|30)m +Initial");
    assertThat(lines).hasSize(3);

    Run one = kubectl("status", "-n", "finance");
    assertThat(one.out().lines().toList()).hasSize(2).first().asString().startsWith("NAME ");
  }

  @Test
  void refreshAnnotatesTheConnector() throws Exception {
    Run r = kubectl("refresh", "crm");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Asked sales/crm to refresh");
    await().atMost(Duration.ofSeconds(5)).until(() -> cluster.client().resources(ApiConnector.class).inNamespace("sales")
        .withName("crm").get().getMetadata().getAnnotations(), a -> a != null && a.containsKey(ApiConnector.REFRESH_REQUESTED_AT));
    Run missing = kubectl("refresh", "nope");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("ApiConnector sales/nope not found");
  }
}
