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
 * <p>Per round: (1) the server's own write rate: a fresh embedded API server with no operator, the
 * same connectors created through the Fabric8 client one after the other, and by
 * {@link #CLIENTS} threads at once; (2) local mode: the time {@code new LocalMode(-f dir)}
 * takes with the directory, less the time it takes with an empty directory (start-up), the
 * operator started as for a user; and, where {@code LocalMode.applyTime()} exists, the time the
 * apply itself took. Prints each round and the medians.
 */
public final class ApplyBenchmark {
  /** Concurrent clients for the server's write rate: as many as local mode's apply keeps in flight (Manifests.IN_FLIGHT). */
  static final int CLIENTS = 8;

  private ApplyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Logging.quiet();
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("keyward-apply-bench");
    Path empty = Files.createTempDirectory("keyward-apply-bench-empty");
    try {
      write(dir, count);
      List<Double> serial = new ArrayList<>();
      List<Double> concurrent = new ArrayList<>();
      List<Double> started = new ArrayList<>();
      List<Double> applied = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        serial.add(count / serverSeconds(count, 1));
        concurrent.add(count / serverSeconds(count, CLIENTS));
        double[] local = localSeconds(dir, empty);
        started.add(count / local[0]);
        applied.add(local[1] > 0 ? count / local[1] : Double.NaN);
        System.out.printf("round %d: server %.0f writes/s serially, %.0f with %d clients; local mode %.0f connectors/s "
            + "(start with the directory less start without), apply alone %.0f/s%n", round, serial.get(round - 1),
            concurrent.get(round - 1), CLIENTS, started.get(round - 1), applied.get(round - 1));
      }
      double best = Math.max(median(serial), median(concurrent));
      System.out.printf("median of %d rounds, %d connectors: server %.0f writes/s serially, %.0f with %d clients; "
          + "local mode %.0f connectors/s by start time (server/local %.1fx), apply alone %.0f/s (%.1fx)%n",
          rounds, count, median(serial), median(concurrent), CLIENTS, median(started), best / median(started),
          median(applied), best / median(applied));
    } finally {
      delete(dir);
      delete(empty);
    }
  }

  /** The embedded server alone: the connectors created by {@code clients} threads, nothing else running. */
  static double serverSeconds(int count, int clients) throws Exception {
    try (LocalApiServer api = new LocalApiServer(0)) {
      var client = api.client();
      client.getKubernetesSerialization().registerKubernetesResource(ApiConnector.class);
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build())
          .create();
      List<ApiConnector> connectors = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        connectors.add(client.getKubernetesSerialization().unmarshal(connector(i), ApiConnector.class));
      }
      var pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
      try {
        long start = System.nanoTime();
        List<java.util.concurrent.Future<?>> created = new ArrayList<>();
        for (ApiConnector c : connectors) {
          created.add(pool.submit(() -> client.resource(c).create()));
        }
        for (var f : created) {
          f.get();
        }
        return (System.nanoTime() - start) / 1e9;
      } finally {
        pool.shutdown();
      }
    }
  }

  /** Local mode's start with the directory less its start with nothing to apply; and the apply alone (or 0). */
  static double[] localSeconds(Path dir, Path empty) throws Exception {
    double without = start(empty)[0];
    double[] with = start(dir);
    return new double[] {Math.max(with[0] - without, 1e-3), with[1]};
  }

  static double[] start(Path manifests) throws Exception {
    Path kubeconfig = Files.createTempFile("keyward-bench", ".kubeconfig");
    long begin = System.nanoTime();
    try (LocalMode local = new LocalMode(new LocalMode.Options(List.of(manifests), 0, 0, kubeconfig,
        Duration.ofSeconds(60), Clock.systemUTC()))) {
      double total = (System.nanoTime() - begin) / 1e9;
      double apply = 0;
      try { // LocalMode.applyTime() is newer than this benchmark: without it, only the start-time figure
        apply = ((Duration) LocalMode.class.getMethod("applyTime").invoke(local)).toNanos() / 1e9;
      } catch (NoSuchMethodException e) {
        apply = 0;
      }
      return new double[] {total, apply};
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
