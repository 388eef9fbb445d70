package io.keyward.local;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * How fast {@code keyward local -f <dir>} applies a directory of connectors, against how fast the
 * embedded API server itself takes writes. A benchmark, not a test (docs/benchmarks.md):
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.keyward.local.ApplyBenchmark 1000 3
 * </pre>
 *
 * <p>Per round: (1) the server's own write rate: a fresh embedded API server with no operator,
 * the same connectors created one after the other through the Fabric8 client; (2) local mode: the
 * time {@code new LocalMode(-f dir)} takes with the directory, less the time it takes with an
 * empty directory (start-up), the operator running as it does for a user. Prints each round and
 * the medians.
 */
public final class ApplyBenchmark {
  private ApplyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Logging.quiet();
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("keyward-apply-bench");
    Path empty = Files.createTempDirectory("keyward-apply-bench-empty");
    try {
      write(dir, count);
      List<Double> server = new ArrayList<>();
      List<Double> local = new ArrayList<>();
      List<Double> ratio = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        double serverRate = count / serverSeconds(dir, count);
        double localRate = count / localSeconds(dir, empty);
        server.add(serverRate);
        local.add(localRate);
        ratio.add(serverRate / localRate);
        System.out.printf("round %d: server %.0f writes/s, local mode applies %.0f connectors/s (server/local %.1fx)%n",
            round, serverRate, localRate, serverRate / localRate);
      }
      System.out.printf("median of %d rounds, %d connectors: server %.0f writes/s, local mode %.0f connectors/s, "
          + "server/local %.1fx%n", rounds, count, median(server), median(local), median(ratio));
    } finally {
      delete(dir);
      delete(empty);
    }
  }

  /** The embedded server alone: the connectors created one by one, nothing else running. */
  static double serverSeconds(Path dir, int count) {
    try (LocalApiServer api = new LocalApiServer(0)) {
      var client = api.client();
      client.getKubernetesSerialization().registerKubernetesResource(ApiConnector.class);
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build())
          .create();
      List<ApiConnector> connectors = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        connectors.add(client.getKubernetesSerialization().unmarshal(connector(i), ApiConnector.class));
      }
      long start = System.nanoTime();
      for (ApiConnector c : connectors) {
        client.resource(c).create();
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  /** Local mode's start with the directory, less its start with nothing to apply. */
  static double localSeconds(Path dir, Path empty) throws Exception {
    double without = start(empty);
    double with = start(dir);
    return Math.max(with - without, 1e-3);
  }

  static double start(Path manifests) throws Exception {
    Path kubeconfig = Files.createTempFile("keyward-bench", ".kubeconfig");
    long begin = System.nanoTime();
    try (LocalMode local = new LocalMode(new LocalMode.Options(List.of(manifests), 0, 0, kubeconfig,
        Duration.ofSeconds(60), Clock.systemUTC()))) {
      return (System.nanoTime() - begin) / 1e9;
    } finally {
      Files.deleteIfExists(kubeconfig);
    }
  }

  static void write(Path dir, int count) throws IOException {
    Files.writeString(dir.resolve("00-secret.yaml"), """
        apiVersion: v1
        kind: Namespace
        metadata: {name: bench}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: bench-key, namespace: bench}
        stringData: {api-key: bench-not-a-secret}
        """);
    for (int i = 0; i < count; i++) {
      Files.writeString(dir.resolve("connector-%04d.yaml".formatted(i)), connector(i));
    }
  }

  static String connector(int i) {
    return """
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: bench-%04d, namespace: bench}
        spec:
          auth:
            apiKey:
              keyRef: {name: bench-key, key: api-key}
              header: X-API-Key
        """.formatted(i);
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
