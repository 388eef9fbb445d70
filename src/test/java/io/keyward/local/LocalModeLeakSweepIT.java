package io.keyward.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.testing.LogCapture;
import io.keyward.testing.SecretSweep;
import io.keyward.testing.ShippedLogging;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secret-leak sweep for {@code keyward local}: the bundled examples run with the logging
 * configuration the jar ships and the root logger at TRACE. Here the embedded API server is part of
 * Keyward's process, so what it logs counts too.
 */
class LocalModeLeakSweepIT {
  @TempDir Path dir;
  ShippedLogging logging;
  LogCapture logs;
  LocalMode local;

  @BeforeEach
  void traceWithTheShippedConfiguration() throws Exception {
    logging = ShippedLogging.withRootAt(Level.TRACE);
    logs = new LogCapture();
  }

  @AfterEach
  void stop() throws Exception {
    if (local != null) {
      local.close();
    }
    logs.close();
    logging.close();
  }

  @Test
  void theBundledExamplesLogNoSecretValueAtTrace() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // the demo provider's, in place of the examples' 18080
    }
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    try (Stream<Path> files = Files.list(Path.of("examples/local"))) {
      for (Path f : files.toList()) {
        Files.writeString(manifests.resolve(f.getFileName()), Files.readString(f).replace("18080", String.valueOf(port)));
      }
    }
    local = new LocalMode(new LocalMode.Options(List.of(manifests), 0, port, dir.resolve("kubeconfig"),
        Duration.ofSeconds(60), Clock.systemUTC()));
    var client = local.api().client();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
        client.resources(ApiConnector.class).inNamespace("demo").list().getItems())
        .hasSize(4).allSatisfy(c -> assertThat(c.getStatus()).isNotNull()
            .satisfies(s -> assertThat(s.condition("Ready").map(r -> r.status)).contains("True"))));

    assertThat(logs.count(Level.TRACE)).as("the sweep ran at TRACE").isPositive();
    SecretSweep sweep = new SecretSweep().secretsOf(client, "demo");
    assertThat(sweep.forbidden().values()).as("secret values to look for")
        .anyMatch(w -> w.contains("demo/demo-oauth")).anyMatch(w -> w.contains("demo/demo-api-key"))
        .anyMatch(w -> w.contains("demo/demo-basic")).anyMatch(w -> w.contains("demo/shipments-credentials"));
    assertThat(sweep.findings(SecretSweep.haystacks(logs, client, "http://127.0.0.1:" + local.httpPort() + "/metrics")))
        .as("secret values found").isEmpty();
  }
}
