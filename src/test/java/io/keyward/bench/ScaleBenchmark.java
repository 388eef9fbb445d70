package io.keyward.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.bench.Fleet.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;

/**
 * Issue #16's scale benchmark: N mixed connectors, the operator in a JVM of its own, measured
 * against the API server's own floor and the token endpoint's own ceiling in the same run. A main
 * class, not a test (docs/benchmarks.md, "Scale: N connectors, operator vs. the API server's floor"):
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.keyward.bench.ScaleBenchmark 1000
 * </pre>
 *
 * <p>This JVM runs the API server (the Fabric8 mock in CRUD mode, every request counted by verb and
 * resource, {@link BenchApiServer}) and a loopback token endpoint ({@link BenchTokenServer}); the
 * operator runs as {@code keyward run} in a child JVM ({@link OperatorProcess}) and is measured only
 * from outside: the API server's request log, the Secrets and statuses it writes, its
 * {@code /readyz} and {@code /metrics}, {@code jcmd} and {@code /proc}. Phases, each with a deadline
 * (a phase that does not finish is reported "not reached"):
 *
 * <ol>
 *   <li>start on an empty server (heap baseline), create the input Secrets, then the N connectors:
 *       create→output Secret latency, time until all are Ready, requests per first issue;
 *   <li>heap after a full GC with N connectors;
 *   <li>the token endpoint's ceiling, then sustained refreshes with short lifetimes, client
 *       credentials then rotating refresh tokens (each connector of the kind is asked once by the
 *       refresh annotation, then refreshes at half-life by itself): rate, requests, CPU and threads
 *       per refresh;
 *   <li>the operator stopped, the API server's floor on a fresh server: the same objects and writes
 *       by a bare client;
 *   <li>the operator restarted with all N Ready (the no-op resync): time to informers synced,
 *       requests per connector, heap;
 *   <li>10,000 unrelated 8 KiB Secrets added: heap; another restart: time to synced.
 * </ol>
 */
public final class ScaleBenchmark {
  private static final String REFRESH_ANNOTATION = ApiConnector.REFRESH_REQUESTED_AT;
  private static final String RECONCILES = "operator_sdk_reconciliations_started_total";
  private static final long LONG_LIFETIME = 3600;

  /** Command-line settings; see {@link #usage()}. */
  record Options(int n, int namespaces, int unrelated, int unrelatedBytes, Duration timeout, String xmx,
      long shortLifetime, Duration window, int floorThreads, int createThreads, int maxCallsPerHost,
      double hostRps, int hostBurst, boolean mockIndex, Path dir, int reconcileThreads) {}

  private final Options o;
  private final Results results = new Results();
  private final long began = System.nanoTime();
  private final AtomicReference<OperatorProcess> operator = new AtomicReference<>();
  private final Map<String, Map<String, Double>> perUnit = new LinkedHashMap<>();
  private BenchApiServer api;
  private BenchTokenServer tokens;
  private KubernetesClient client;
  private Fleet fleet;
  private String clientSecret;
  private long heapEmpty = -1;
  private long heapAfterRestart = -1;
  private double ceiling = Double.NaN;

  private ScaleBenchmark(Options o) {
    this.o = o;
  }

  public static void main(String[] args) throws Exception {
    // before any JDK HTTP server class loads (the token endpoint): without it, each answer on loopback
    // waits for the client's delayed ACK (~40 ms), some fifty times slower
    System.setProperty("sun.net.httpserver.nodelay", "true");
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "io/keyward/bench/logback-bench.xml");
    }
    if (System.getProperty("java.util.logging.config.file") == null) {
      // the mock server logs every request at INFO through java.util.logging: a cost to the measured server
      java.util.logging.LogManager.getLogManager().readConfiguration(new java.io.ByteArrayInputStream(
          "handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("ScaleBenchmark: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
      return;
    }
    ScaleBenchmark bench = new ScaleBenchmark(options);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::killOperator, "bench-kill-operator"));
    Thread watchdog = new Thread(() -> {
      Waits.pause(options.timeout());
      System.out.println("\nOVERALL TIMEOUT after " + options.timeout().toSeconds() + " s: the figures not yet"
          + " measured are reported as not reached");
      bench.killOperator();
      bench.print();
      Runtime.getRuntime().halt(3);
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    int code = 0;
    try {
      bench.run();
    } catch (Exception e) {
      System.out.println("\nbenchmark failed: " + e);
      e.printStackTrace(System.out);
      code = 1;
    } finally {
      bench.killOperator();
    }
    bench.print();
    System.exit(code);
  }

  static String usage() {
    return """
        usage: ScaleBenchmark [N] [--namespaces 10] [--unrelated 10000] [--unrelated-bytes 8192] [--timeout 12m]
                              [--operator-xmx 512m] [--short-lifetime 3] [--window 15] [--floor-threads 50]
                              [--create-threads 8] [--max-calls-per-host 4] [--host-rps 100000] [--host-burst 1000]
                              [--mock-index true] [--dir target/scale-bench] [--reconcile-threads 50]
        N connectors (default 1000), a fifth of each auth type.""";
  }

  static Options parse(String[] args) {
    int n = 1000;
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        flags.put(args[i].substring(2), args[++i]);
      } else {
        n = Integer.parseInt(args[i]);
      }
    }
    if (n < 5) {
      throw new IllegalArgumentException("N must be at least 5 (one connector of each auth type)");
    }
    Duration defaultTimeout = Duration.ofSeconds(600 + n * 120L / 1000);
    Options options = new Options(n,
        Integer.parseInt(flags.getOrDefault("namespaces", "10")),
        Integer.parseInt(flags.getOrDefault("unrelated", "10000")),
        Integer.parseInt(flags.getOrDefault("unrelated-bytes", "8192")),
        flags.containsKey("timeout") ? duration(flags.get("timeout")) : defaultTimeout,
        flags.getOrDefault("operator-xmx", n <= 2000 ? "512m" : "2g"),
        Long.parseLong(flags.getOrDefault("short-lifetime", "3")),
        Duration.ofSeconds(Long.parseLong(flags.getOrDefault("window", "15"))),
        Integer.parseInt(flags.getOrDefault("floor-threads", "50")),
        Integer.parseInt(flags.getOrDefault("create-threads", "8")),
        Integer.parseInt(flags.getOrDefault("max-calls-per-host", "4")),
        Double.parseDouble(flags.getOrDefault("host-rps", "100000")),
        Integer.parseInt(flags.getOrDefault("host-burst", "1000")),
        Boolean.parseBoolean(flags.getOrDefault("mock-index", "true")),
        Path.of(flags.getOrDefault("dir", "target/scale-bench")),
        Integer.parseInt(flags.getOrDefault("reconcile-threads", "0")));
    flags.keySet().removeAll(List.of("namespaces", "unrelated", "unrelated-bytes", "timeout", "operator-xmx",
        "short-lifetime", "window", "floor-threads", "create-threads", "max-calls-per-host", "host-rps", "host-burst",
        "mock-index", "dir", "reconcile-threads"));
    if (!flags.isEmpty()) {
      throw new IllegalArgumentException("unknown option --" + flags.keySet().iterator().next());
    }
    return options;
  }

  private static Duration duration(String s) {
    if (s.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(s.endsWith("s") ? s.substring(0, s.length() - 1) : s));
  }

  // ------------------------------------------------------------------------------------------------

  private void run() throws Exception {
    Files.createDirectories(o.dir());
    for (String run : List.of("run1", "run2", "run3")) {
      Files.deleteIfExists(o.dir().resolve("operator-" + run + ".log")); // each run's logs, not the last run's too
    }
    progress("N=%d connectors in %d namespaces; operator -Xmx%s; overall timeout %d s; mock %s; logs in %s", o.n(),
        o.namespaces(), o.xmx(), o.timeout().toSeconds(), o.mockIndex() ? "indexed by name" : "as shipped",
        o.dir().toAbsolutePath());
    clientSecret = "cs-" + random();
    api = new BenchApiServer(o.mockIndex());
    tokens = new BenchTokenServer(clientSecret);
    client = api.client();
    fleet = new Fleet(o.n(), o.namespaces(), tokens.tokenUrl(), clientSecret);
    Path kubeconfig = api.writeKubeconfig(o.dir().resolve("kubeconfig"));
    for (int ns = 0; ns < o.namespaces(); ns++) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-" + ns).endMetadata()
          .build()).create();
    }
    results.put("machine", "%d cores (nproc), Java %s, load average at the start %s".formatted(
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage()), "");

    // 1. an empty server: start-up and heap baseline; then the inputs; then the connectors
    OperatorProcess op = startOperator(kubeconfig, "run1");
    double emptyStart = op.awaitReady(Duration.ofSeconds(120));
    results.put("5. start → /readyz, empty server", seconds(emptyStart), probeNote(op));
    if (emptyStart < 0) {
      throw new IllegalStateException("the operator did not become ready; see " + o.dir().resolve("operator-run1.log"));
    }
    heapEmpty = op.heapAfterFullGc();
    op.histogram(o.dir().resolve("histogram-empty.txt"));
    results.put("5. heap after full GC, empty server", mib(heapEmpty), "jcmd GC.run ×2, GC.heap_info");
    createInputs(client, fleet, tokens);
    Waits.quiet(Duration.ofSeconds(2), Duration.ofSeconds(60), api.log()::lastOperatorRequest);
    createPhase(op);
    // 2. heap with N
    long heapN = op.heapAfterFullGc();
    op.histogram(o.dir().resolve("histogram-n.txt"));
    results.put("5. heap after full GC, N connectors (run 1)", mib(heapN) + " (" + perThousand(heapN) + "/1,000)",
        "(heap − empty-server heap) × 1,000 / N");
    results.put("6. threads, idle with N", op.threads() + " (/proc), " + fmt(OperatorProcess.sum(op.metrics(),
        "jvm_threads_live_threads"), 0) + " (jvm_threads_live_threads)", "");

    // 3. refreshes
    ceiling = tokens.ceiling(o.maxCallsPerHost(), Duration.ofSeconds(1), Duration.ofSeconds(5));
    results.put("3. token endpoint ceiling", fmt(ceiling, 0) + " tokens/s",
        o.maxCallsPerHost() + " threads of the JDK HttpClient (HTTP/1.1), client credentials, 5 s");
    Map<Kind, Templates> templates = templates();
    refreshWindow(op, Kind.CC);
    refreshWindow(op, Kind.RT);

    // 4. the floor, with the operator stopped
    op.stop(Duration.ofSeconds(40));
    operator.set(null);
    floor(templates);

    // 5. restart with all N Ready: the no-op resync
    restartPhase(kubeconfig);

    // 6. unrelated Secrets
    unrelatedPhase(kubeconfig);
    killOperator();
    tokens.close();
    client.close();
    api.close();
    results.put("check: invalid_grant answers (rotated refresh tokens lost)", Long.toString(tokens.invalidGrants.sum()),
        "must be 0");
    results.put("total time", seconds((System.nanoTime() - began) / 1e9), "load average at the end " + loadAverage());
  }

  private OperatorProcess startOperator(Path kubeconfig, String label) throws IOException {
    List<String> flags = new ArrayList<>(List.of("--egress-allow", "127.0.0.1/32", "--egress-allow-plain-http",
        "--host-requests-per-second", Double.toString(o.hostRps()), "--host-burst", Integer.toString(o.hostBurst()),
        "--max-calls-per-host", Integer.toString(o.maxCallsPerHost())));
    if (o.reconcileThreads() > 0) {
      flags.addAll(List.of("--reconcile-threads", Integer.toString(o.reconcileThreads())));
    }
    OperatorProcess op = OperatorProcess.start(kubeconfig, o.dir().resolve("operator-" + label + ".log"), o.xmx(), flags);
    operator.set(op);
    progress("operator %s started (pid %d)", label, op.pid());
    return op;
  }

  private void createInputs(KubernetesClient client, Fleet fleet, BenchTokenServer tokens) {
    long t = System.nanoTime();
    parallel(8, fleet.size, i -> {
      Secret input = fleet.input(i, tokens::seed);
      if (input != null) {
        client.secrets().inNamespace(input.getMetadata().getNamespace()).resource(input).create();
      }
    }, Duration.ofSeconds(60 + fleet.size / 20));
    progress("input Secrets created in %.1f s", (System.nanoTime() - t) / 1e9);
  }

  /** Phase 1: the N connectors created by {@link Options#createThreads()} threads, the operator running. */
  private void createPhase(OperatorProcess op) {
    Map<String, Long> before = api.log().snapshot();
    double reconcilesBefore = reconciles(op);
    double cpuBefore = op.cpuSeconds();
    try (Tracker tracker = new Tracker(client)) {
      long start = System.nanoTime();
      boolean created = parallel(o.createThreads(), o.n(), i -> {
        ApiConnector c = fleet.connector(client, i);
        client.resource(c).create();
        tracker.created.put(fleet.key(i), System.nanoTime());
      }, phaseTimeout());
      long createdAt = System.nanoTime();
      progress("%d connectors created in %.1f s%s", tracker.created.size(), (createdAt - start) / 1e9,
          created ? "" : " (not all: timeout)");
      boolean allReady = Waits.until(phaseTimeout(), Duration.ofMillis(100), () -> tracker.ready.size() >= o.n());
      double[] lat = tracker.latenciesMillis();
      results.put("1. create → output Secret p50 / p99 / max", lat.length == 0 ? "not reached"
          : "%s / %s / %s ms".formatted(fmt(Tracker.percentile(lat, 50), 0), fmt(Tracker.percentile(lat, 99), 0),
              fmt(lat[lat.length - 1], 0)) + (lat.length < o.n() ? " (" + lat.length + " of " + o.n() + ")" : ""),
          "create's answer → ADDED on the benchmark's watch");
      results.put("1. first create → all N Ready", allReady ? seconds((tracker.lastReady() - start) / 1e9)
          : "not reached (" + tracker.ready.size() + " of " + o.n() + " Ready)",
          "creates alone took " + seconds((createdAt - start) / 1e9));
      operatorSeconds = allReady ? (tracker.lastReady() - start) / 1e9 : Double.NaN;
      progress("all Ready: %s", results.value("1. first create → all N Ready"));
    }
    Waits.quiet(Duration.ofSeconds(2), Duration.ofSeconds(60), api.log()::lastOperatorRequest);
    Map<String, Long> delta = RequestLog.operatorDelta(before, api.log().snapshot());
    double reconciles = reconciles(op) - reconcilesBefore;
    record("first issue, per connector", delta, o.n());
    results.put("4. first issue: API requests per connector", summary(delta, o.n()), breakdown(delta, o.n()));
    results.put("4. first issue: reconciles per connector, GETs per reconcile", fmt(reconciles / o.n(), 2) + ", "
        + fmt(gets(delta) / reconciles, 3), RECONCILES);
    results.put("6. CPU, first issue", fmt((op.cpuSeconds() - cpuBefore) * 1000 / o.n(), 2) + " ms per connector",
        "operator process, /proc/<pid>/stat utime+stime");
  }

  private double operatorSeconds = Double.NaN;

  /** Phase 3: one kind refreshing on short lifetimes, measured for {@link Options#window()}. */
  private void refreshWindow(OperatorProcess op, Kind kind) {
    String label = kind == Kind.CC ? "client credentials" : "refresh token (rotating)";
    LongAdder issued = kind == Kind.CC ? tokens.ccIssued : tokens.rtIssued;
    int count = fleet.count(kind);
    setLifetime(kind, o.shortLifetime());
    long before = issued.sum();
    String value = "bench-" + kind.prefix + "-" + Instant.now();
    String patch = "{\"metadata\":{\"annotations\":{\"" + REFRESH_ANNOTATION + "\":\"" + value + "\"}}}";
    parallel(o.createThreads(), o.n(), i -> {
      if (Fleet.kind(i) == kind) {
        client.resources(ApiConnector.class).inNamespace(fleet.namespace(i)).withName(Fleet.name(i))
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      }
    }, phaseTimeout());
    // warm: every connector of the kind refreshed once, or 20 s of refreshing (a backlog is a steady state too)
    boolean warm = Waits.until(Duration.ofSeconds(20), Duration.ofMillis(100), () -> issued.sum() - before >= count);
    Waits.pause(Duration.ofSeconds(2));
    Map<String, Long> apiBefore = api.log().snapshot();
    long tokensBefore = issued.sum();
    double reconcilesBefore = reconciles(op);
    String metricsBefore = op.metrics();
    long busyBefore = api.log().dispatchNanos();
    double cpuBefore = op.cpuSeconds();
    double benchCpuBefore = ProcStat.cpuSeconds(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    AtomicInteger peakThreads = new AtomicInteger();
    Waits.until(o.window(), Duration.ofMillis(250), () -> {
      peakThreads.accumulateAndGet(op.threads(), Math::max);
      return false;
    });
    double dt = (System.nanoTime() - t0) / 1e9;
    long refreshes = issued.sum() - tokensBefore;
    double cpu = op.cpuSeconds() - cpuBefore;
    double benchCpu = ProcStat.cpuSeconds(ProcessHandle.current().pid()) - benchCpuBefore;
    Map<String, Long> delta = RequestLog.operatorDelta(apiBefore, api.log().snapshot());
    double reconciles = reconciles(op) - reconcilesBefore;
    double busy = (api.log().dispatchNanos() - busyBefore) / 1e9 / dt;
    String metricsAfter = op.metrics();
    setLifetime(kind, LONG_LIFETIME);
    double issues = delta(metricsBefore, metricsAfter, "keyward_refresh_duration_seconds_count", "");
    double issueSeconds = delta(metricsBefore, metricsAfter, "keyward_refresh_duration_seconds_sum", "");
    double deferred = delta(metricsBefore, metricsAfter, "keyward_refresh_total", "result=\"deferred\"");
    double rate = refreshes / dt;
    results.put("3. sustained refreshes/s, " + label, fmt(rate, 1) + " (" + fmt(rate / ceiling, 3) + "× ceiling)"
        + (warm ? "" : " (after 20 s of warm-up)"), count + " connectors, expires_in " + o.shortLifetime()
        + " s: each due about every " + Math.max(1, o.shortLifetime() / 2) + "–" + o.shortLifetime() / 2.0 + " s; "
        + fmt(dt, 0) + " s window");
    if (refreshes > 0) {
      record(label + ", per refresh", delta, refreshes);
      results.put("4. " + label + ": API requests per refresh", summary(delta, refreshes), breakdown(delta, refreshes));
      results.put("4. " + label + ": reconciles per refresh, GETs per reconcile", fmt(reconciles / refreshes, 2) + ", "
          + fmt(gets(delta) / reconciles, 3), "");
      results.put("6. CPU per refresh, " + label, fmt(cpu * 1000 / refreshes, 2) + " ms operator, "
          + fmt(benchCpu * 1000 / refreshes, 2) + " ms API server + token endpoint",
          "operator at " + fmt(cpu / dt * 100, 0) + "% of a core; API server " + fmt(total(delta) / dt, 0) + " requests/s");
      results.put("6. threads, " + label, "peak " + peakThreads.get() + " (/proc)", "");
      results.put("3. where a refresh waits, " + label, "issue + state write " + fmt(issueSeconds / issues * 1000, 1)
          + " ms mean; " + fmt(deferred / refreshes, 2) + " deferrals per refresh; API server dispatcher busy "
          + fmt(busy * 100, 0) + "% of the window", "keyward_refresh_duration_seconds, keyward_refresh_total{result=deferred};"
          + " the mock serialises every write under one lock");
    }
    progress("%s: %.0f refreshes/s", label, rate);
    // back to long lifetimes: each connector refreshes once more, then nothing is due
    Waits.until(Duration.ofSeconds(60 + count / 10), Duration.ofMillis(200), new java.util.function.BooleanSupplier() {
      long last = issued.sum();
      long since = System.nanoTime();

      @Override
      public boolean getAsBoolean() {
        long now = issued.sum();
        if (now != last) {
          last = now;
          since = System.nanoTime();
        }
        return System.nanoTime() - since > 3_000_000_000L;
      }
    });
    Waits.quiet(Duration.ofSeconds(2), Duration.ofSeconds(60), api.log()::lastOperatorRequest);
  }

  private void setLifetime(Kind kind, long seconds) {
    if (kind == Kind.CC) {
      tokens.ccLifetime(seconds);
    } else {
      tokens.rtLifetime(seconds);
    }
  }

  /** Per kind, what the operator wrote for its first connector of that kind: the floor writes the same. */
  private record Templates(ApiConnectorStatus status, Secret output, Secret state) {}

  private Map<Kind, Templates> templates() {
    Map<Kind, Templates> out = new EnumMap<>(Kind.class);
    for (int i = 0; i < Kind.values().length; i++) {
      String ns = fleet.namespace(i);
      String name = Fleet.name(i);
      ApiConnector c = client.resources(ApiConnector.class).inNamespace(ns).withName(name).get();
      Secret output = client.secrets().inNamespace(ns).withName(name + "-credentials").get();
      Secret state = client.secrets().inNamespace(ns).withName(name + "-keyward-state").get();
      if (c != null && c.getStatus() != null && output != null) {
        out.put(Fleet.kind(i), new Templates(c.getStatus(), output, state));
      }
    }
    return out;
  }

  /**
   * Phase 4: the API server's floor. A fresh server holding the same inputs; a bare client creates
   * the N connectors ({@link Options#createThreads()} threads, as in phase 1) and, for each as soon
   * as it is created, writes its state Secret, its output Secret and a status patch with Ready=True
   * ({@link Options#floorThreads()} threads, as many as JOSDK's reconcile threads), the bodies those
   * the operator wrote; timed like phase 1, until the benchmark's watch has seen all N Ready.
   */
  private void floor(Map<Kind, Templates> templates) throws IOException {
    if (templates.size() < Kind.values().length) {
      results.put("2. API server floor: same objects and writes", "not reached", "no template of every kind");
      return;
    }
    try (BenchApiServer floorApi = new BenchApiServer(o.mockIndex()); KubernetesClient c = floorApi.client()) {
      for (int ns = 0; ns < o.namespaces(); ns++) {
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench-" + ns).endMetadata().build())
            .create();
      }
      BenchTokenServer seeds = tokens; // only for the inputs' shape: the floor calls no token endpoint
      createInputs(c, new Fleet(o.n(), o.namespaces(), tokens.tokenUrl(), clientSecret), seeds);
      ExecutorService writers = Executors.newFixedThreadPool(o.floorThreads());
      LongAdder failures = new LongAdder();
      Map<String, Long> setup = floorApi.log().snapshot();
      try (Tracker tracker = new Tracker(c)) {
        long start = System.nanoTime();
        parallel(o.createThreads(), o.n(), i -> {
          ApiConnector created = c.resource(fleet.connector(c, i)).create();
          tracker.created.put(fleet.key(i), System.nanoTime());
          writers.submit(() -> {
            try {
              Templates t = templates.get(Fleet.kind(i));
              if (t.state() != null) {
                c.resource(copy(t.state(), created, "-keyward-state")).create();
              }
              c.resource(copy(t.output(), created, "-credentials")).create();
              created.setStatus(t.status());
              c.resource(created).patchStatus();
            } catch (RuntimeException e) {
              failures.increment();
            }
          });
        }, phaseTimeout());
        boolean allReady = Waits.until(phaseTimeout(), Duration.ofMillis(100), () -> tracker.ready.size() >= o.n());
        double floorSeconds = (tracker.lastReady() - start) / 1e9;
        double[] lat = tracker.latenciesMillis();
        Map<String, Long> writes = new java.util.TreeMap<>();
        floorApi.log().snapshot().forEach((k, v) -> {
          long d = v - setup.getOrDefault(k, 0L);
          if (k.startsWith("bench ") && d > 0 && !k.startsWith("bench GET ") && !k.startsWith("bench LIST ")
              && !k.startsWith("bench WATCH ")) {
            writes.put(k.substring("bench ".length()), d);
          }
        });
        results.put("2. API server floor: same objects and writes", allReady ? seconds(floorSeconds)
            : "not reached (" + tracker.ready.size() + " of " + o.n() + ")",
            "fresh server; bare Fabric8 client, " + o.createThreads() + " creating, " + o.floorThreads()
                + " writing; per connector " + breakdown(writes, o.n()) + "; create → output Secret p50 "
                + fmt(Tracker.percentile(lat, 50), 0) + " ms, p99 " + fmt(Tracker.percentile(lat, 99), 0) + " ms"
                + (failures.sum() > 0 ? "; " + failures.sum() + " failed" : ""));
        results.put("2. ratio operator / floor (all N Ready)", allReady && !Double.isNaN(operatorSeconds)
            ? fmt(operatorSeconds / floorSeconds, 2) + "×" : "not reached", "target ≤ 1.5×");
        progress("floor: %.1f s", floorSeconds);
      } finally {
        writers.shutdownNow();
      }
    }
  }

  private static Secret copy(Secret template, ApiConnector owner, String suffix) {
    String name = owner.getMetadata().getName();
    Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels() == null ? Map.of()
        : template.getMetadata().getLabels());
    labels.replaceAll((k, v) -> k.equals("keyward.io/connector") ? name : v);
    Map<String, String> annotations = new LinkedHashMap<>(template.getMetadata().getAnnotations() == null ? Map.of()
        : template.getMetadata().getAnnotations());
    annotations.replaceAll((k, v) -> k.equals("keyward.io/connector") ? name : v);
    return new SecretBuilder().withNewMetadata().withName(name + suffix).withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels).withAnnotations(annotations)
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
            .withName(name).withUid(owner.getMetadata().getUid()).withController(true).build())
        .endMetadata().withType(template.getType()).withData(template.getData()).build();
  }

  /** Phase 5: restart with all N Ready; requests until every connector was reconciled and the operator is quiet. */
  private void restartPhase(Path kubeconfig) throws IOException {
    Map<String, Long> before = api.log().snapshot();
    OperatorProcess op = startOperator(kubeconfig, "run2");
    double ready = op.awaitReady(phaseTimeout());
    results.put("5. start → /readyz, N connectors", ready < 0 ? "not reached" : seconds(ready),
        "restart, all N Ready; " + probeNote(op));
    boolean all = settle(op);
    double reconciles = reconciles(op);
    Map<String, Long> delta = RequestLog.operatorDelta(before, api.log().snapshot());
    Map<String, Long> resync = new LinkedHashMap<>(delta);
    resync.keySet().removeIf(k -> k.startsWith("LIST ") || k.startsWith("WATCH "));
    record("no-op resync (restart), per connector", delta, o.n());
    results.put("4. no-op resync: writes and GETs per connector", all ? summary(resync, o.n())
        : "not reached (" + fmt(reconciles, 0) + " reconciles)", "after a restart with all N Ready; start-up LIST/WATCH: "
        + breakdown(filter(delta, "LIST ", "WATCH "), 1) + " in all");
    results.put("4. no-op resync: reconciles per connector, GETs per reconcile", fmt(reconciles / o.n(), 2) + ", "
        + fmt(gets(delta) / reconciles, 3), "");
    heapAfterRestart = op.heapAfterFullGc();
    op.histogram(o.dir().resolve("histogram-n-restarted.txt"));
    results.put("5. heap after full GC, N connectors (restarted)", mib(heapAfterRestart) + " ("
        + perThousand(heapAfterRestart) + "/1,000)", "RSS " + mib(op.rss()));
  }

  /** Phase 6: unrelated Secrets in the same namespaces: heap, and start-up with them present. */
  private void unrelatedPhase(Path kubeconfig) throws IOException {
    if (o.unrelated() <= 0) {
      return;
    }
    OperatorProcess op = operator.get();
    long t = System.nanoTime();
    parallel(o.createThreads(), o.unrelated(), j -> {
      Secret s = Fleet.unrelated(j, o.namespaces(), o.unrelatedBytes());
      client.secrets().inNamespace(s.getMetadata().getNamespace()).resource(s).create();
    }, phaseTimeout());
    progress("%d unrelated Secrets created in %.1f s", o.unrelated(), (System.nanoTime() - t) / 1e9);
    Waits.quiet(Duration.ofSeconds(3), Duration.ofSeconds(60), api.log()::lastOperatorRequest);
    long heap = op.heapAfterFullGc();
    String label = "%,d unrelated %d KiB Secrets".formatted(o.unrelated(), o.unrelatedBytes() / 1024);
    results.put("5. heap after full GC, N + " + label, mib(heap),
        "adds " + (heap < 0 || heapAfterRestart < 0 ? "?" : mib(heap - heapAfterRestart)) + "; RSS " + mib(op.rss()));
    op.stop(Duration.ofSeconds(40));
    OperatorProcess op3 = startOperator(kubeconfig, "run3");
    double ready = op3.awaitReady(phaseTimeout());
    results.put("5. start → /readyz, N + " + label, ready < 0 ? "not reached" : seconds(ready),
        probeNote(op3));
    settle(op3);
    long heap3 = op3.heapAfterFullGc();
    results.put("5. heap after full GC, N + " + label + " (restarted)", mib(heap3),
        "adds " + (heap3 < 0 || heapAfterRestart < 0 ? "?" : mib(heap3 - heapAfterRestart)));
  }

  // ------------------------------------------------------------------------------------------------

  /**
   * After a start: waits until at least N reconciles have started and their count stayed the same for
   * 3 s, and the operator sent nothing to the API server for 2 s; false on the phase's deadline.
   */
  private boolean settle(OperatorProcess op) {
    long deadline = System.nanoTime() + phaseTimeout().toNanos();
    double[] last = {-1};
    long[] since = {System.nanoTime()};
    // every 2 s: each scrape of /metrics costs the operator (series per connector)
    boolean settled = Waits.until(phaseTimeout(), Duration.ofSeconds(2), () -> {
      double now = reconciles(op);
      if (now != last[0]) {
        last[0] = now;
        since[0] = System.nanoTime();
      }
      return now >= o.n() && System.nanoTime() - since[0] >= 3_000_000_000L;
    });
    long left = Math.max(0, deadline - System.nanoTime());
    return settled && Waits.quiet(Duration.ofSeconds(2), Duration.ofNanos(left), api.log()::lastOperatorRequest);
  }

  private static String probeNote(OperatorProcess op) {
    return "JVM start included; " + seconds(op.syncSeconds()) + " from the probe port accepting; a /readyz waited up to "
        + fmt(op.longestProbeSeconds(), 1) + " s for its answer";
  }

  private static double delta(String before, String after, String name, String label) {
    double a = OperatorProcess.sum(after, name, label);
    double b = OperatorProcess.sum(before, name, label);
    return (Double.isNaN(a) ? 0 : a) - (Double.isNaN(b) ? 0 : b);
  }

  /** Reconciles JOSDK started so far (0 before the first, when the series does not exist yet). */
  private static double reconciles(OperatorProcess op) {
    double n = OperatorProcess.sum(op.metrics(), RECONCILES);
    return Double.isNaN(n) ? 0 : n;
  }

  private Duration phaseTimeout() {
    return Duration.ofSeconds(60 + o.n() * 60L / 1000);
  }

  /** Runs {@code task} for 0..count-1 on {@code threads} threads; false when it did not finish in time. */
  static boolean parallel(int threads, int count, IntConsumer task, Duration timeout) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger next = new AtomicInteger();
    LongAdder failed = new LongAdder();
    AtomicReference<String> firstError = new AtomicReference<>();
    try {
      for (int t = 0; t < threads; t++) {
        pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            try {
              task.accept(i);
            } catch (RuntimeException e) {
              failed.increment();
              firstError.compareAndSet(null, e.getClass().getSimpleName()); // the class only: no object bodies
            }
          }
        });
      }
      pool.shutdown();
      boolean done = pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (failed.sum() > 0) {
        System.out.printf("  %d of %d requests failed (first: %s)%n", failed.sum(), count, firstError.get());
      }
      return done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      pool.shutdownNow();
    }
  }

  private synchronized void record(String column, Map<String, Long> delta, double units) {
    Map<String, Double> per = new LinkedHashMap<>();
    delta.forEach((k, v) -> per.put(k, v / units));
    perUnit.put(column, per);
  }

  private static Map<String, Long> filter(Map<String, Long> delta, String... prefixes) {
    Map<String, Long> out = new LinkedHashMap<>();
    delta.forEach((k, v) -> {
      for (String p : prefixes) {
        if (k.startsWith(p)) {
          out.put(k, v);
        }
      }
    });
    return out;
  }

  private static long total(Map<String, Long> delta) {
    return delta.values().stream().mapToLong(Long::longValue).sum();
  }

  /** GETs of single objects (not LIST, not WATCH). */
  private static double gets(Map<String, Long> delta) {
    return filter(delta, "GET ").values().stream().mapToLong(Long::longValue).sum();
  }

  private static String summary(Map<String, Long> delta, double units) {
    long writes = delta.entrySet().stream().filter(e -> e.getKey().startsWith("POST ") || e.getKey().startsWith("PUT ")
        || e.getKey().startsWith("PATCH ") || e.getKey().startsWith("DELETE ")).mapToLong(Map.Entry::getValue).sum();
    return "%s writes, %s GETs".formatted(fmt(writes / units, 2), fmt(gets(delta) / units, 2));
  }

  private static String breakdown(Map<String, Long> delta, double units) {
    List<String> parts = new ArrayList<>();
    delta.forEach((k, v) -> parts.add(k + " " + fmt(v / units, v / units < 0.1 ? 3 : 2)));
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private String perThousand(long heap) {
    return heap < 0 || heapEmpty < 0 ? "?" : mib((heap - heapEmpty) * 1000 / o.n());
  }

  private void killOperator() {
    OperatorProcess op = operator.getAndSet(null);
    if (op != null && op.alive()) {
      op.kill();
    }
  }

  private synchronized void print() {
    System.out.println();
    System.out.println("## ScaleBenchmark, N = " + o.n() + " (" + o.n() / 5 + " of each auth type)");
    System.out.println();
    System.out.println("| figure | value | how / note |");
    System.out.println("|---|---|---|");
    for (String[] row : results.rows(List.of(
        "machine",
        "1. create → output Secret p50 / p99 / max", "1. first create → all N Ready",
        "2. API server floor: same objects and writes", "2. ratio operator / floor (all N Ready)",
        "3. token endpoint ceiling", "3. sustained refreshes/s, client credentials",
        "3. sustained refreshes/s, refresh token (rotating)"))) {
      System.out.printf("| %s | %s | %s |%n", row[0], row[1], row[2]);
    }
    System.out.println();
    System.out.println("API requests by verb and resource, counted at the API server (operator only):");
    System.out.println();
    TreeSet<String> keys = new TreeSet<>();
    perUnit.values().forEach(m -> keys.addAll(m.keySet()));
    List<String> columns = new ArrayList<>(perUnit.keySet());
    System.out.println("| request | " + String.join(" | ", columns) + " |");
    System.out.println("|---|" + "---|".repeat(columns.size()));
    for (String key : keys) {
      StringBuilder line = new StringBuilder("| " + key + " |");
      for (String column : columns) {
        Double v = perUnit.get(column).get(key);
        line.append(' ').append(v == null ? "–" : fmt(v, v < 0.1 && v > 0 ? 3 : 2)).append(" |");
      }
      System.out.println(line);
    }
    System.out.println();
    System.out.flush();
  }

  private void progress(String format, Object... args) {
    System.out.printf("[%5.1f s] %s%n", (System.nanoTime() - began) / 1e9, format.formatted(args));
    System.out.flush();
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static String fmt(double v, int decimals) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : ("%,." + decimals + "f").formatted(v);
  }

  static String seconds(double s) {
    return s < 0 || Double.isNaN(s) ? "not reached" : fmt(s, 1) + " s";
  }

  static String mib(long bytes) {
    return bytes == -1 ? "n/a" : fmt(bytes / 1048576.0, 1) + " MiB";
  }

  private static String random() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The figures in the order measured; what was never measured prints "not reached". */
  static final class Results {
    private final Map<String, String[]> rows = new LinkedHashMap<>();

    synchronized void put(String figure, String value, String note) {
      rows.put(figure, new String[] {figure, value, note});
    }

    synchronized String value(String figure) {
      String[] row = rows.get(figure);
      return row == null ? "not reached" : row[1];
    }

    /** The expected figures first (not reached where missing), then every other in the order measured. */
    synchronized List<String[]> rows(List<String> expected) {
      List<String[]> out = new ArrayList<>();
      for (String e : expected) {
        out.add(rows.getOrDefault(e, new String[] {e, "not reached", ""}));
      }
      List<String[]> rest = new ArrayList<>();
      rows.forEach((k, v) -> {
        if (!expected.contains(k)) {
          rest.add(v);
        }
      });
      // by figure number (stable: in the order measured within one), checks and totals last
      rest.sort(java.util.Comparator.comparingInt(r -> Character.isDigit(r[0].charAt(0)) ? r[0].charAt(0) : 'z'));
      out.addAll(rest);
      return out;
    }
  }
}
