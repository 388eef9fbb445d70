package io.keyward.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator in a JVM of its own: {@code java -cp <the benchmark's classpath> io.keyward.Keyward run ...}
 * against the benchmark's kubeconfig, with an explicit heap limit and its log in a file. Seen from
 * outside only: its probe port, its {@code /metrics}, {@code jcmd} and {@code /proc/<pid>}.
 */
final class OperatorProcess implements AutoCloseable {
  private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");
  private final Process process;
  private final long startedNanos;
  private final int httpPort;
  private final int probePort;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private volatile long readyNanos;
  private volatile long accepting;
  private volatile long longestProbe;

  private OperatorProcess(Process process, long startedNanos, int httpPort, int probePort) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.httpPort = httpPort;
    this.probePort = probePort;
  }

  /**
   * Starts {@code keyward run} with {@code flags} (after the ports), the log appended to {@code log}.
   *
   * @param xmx the child's -Xmx, e.g. {@code 512m}
   */
  static OperatorProcess start(Path kubeconfig, Path log, String xmx, List<String> flags) throws IOException {
    int httpPort = freePort();
    int probePort = freePort();
    var shippedLogging = ClassLoader.getSystemResource("logback.xml");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + xmx, "-Xms64m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
        // its probe and metrics server is the JDK's: without TCP_NODELAY each scrape waits for a delayed ACK
        "-Dsun.net.httpserver.nodelay=true",
        // HTTP/1.1 to the API server, as the operator tests' clients of the mock: the mock's h2c upgrade
        // (HTTP/2 on plain http) now and then never answers
        "-Dhttp2.disable=true"));
    if (shippedLogging != null) {
      command.add("-Dlogback.configurationFile=" + shippedLogging); // not the tests' logback-test.xml (DEBUG)
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.keyward.Keyward", "run",
        "--http-port", Integer.toString(httpPort), "--probe-port", Integer.toString(probePort)));
    command.addAll(flags);
    Files.writeString(log, "# " + String.join(" ", command.subList(0, command.indexOf("-cp"))) + " -cp ... "
        + String.join(" ", command.subList(command.indexOf("-cp") + 2, command.size())) + "\n",
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    env.remove("JAVA_TOOL_OPTIONS");
    long started = System.nanoTime();
    return new OperatorProcess(builder.start(), started, httpPort, probePort);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  long startedNanos() {
    return startedNanos;
  }

  /** Waits until {@code /readyz} on the probe port answers 200 (informers synced); the time since start, or -1. */
  double awaitReady(Duration timeout) {
    boolean ready = Waits.until(timeout, Duration.ofMillis(50), () -> {
      if (!alive()) {
        return false;
      }
      if (accepting == 0 && accepts(probePort)) {
        accepting = System.nanoTime(); // the probe server is up: keyward run starts it before the operator
      }
      long asked = System.nanoTime();
      int code = get(probePort, "/readyz");
      if (accepting != 0) {
        longestProbe = Math.max(longestProbe, System.nanoTime() - asked);
      }
      return code == 200;
    });
    if (!ready) {
      return -1;
    }
    readyNanos = System.nanoTime();
    return (readyNanos - startedNanos) / 1e9;
  }

  private static boolean accepts(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Seconds from the probe port accepting connections to /readyz 200: the informers' sync without the
   * JVM's start (keyward run serves the probes before it starts the operator); -1 before {@link #awaitReady}.
   */
  double syncSeconds() {
    return readyNanos == 0 || accepting == 0 ? -1 : (readyNanos - accepting) / 1e9;
  }

  /** The longest a /readyz request waited for its answer once the port accepted (seconds; capped by its 5 s timeout). */
  double longestProbeSeconds() {
    return longestProbe / 1e9;
  }

  private int get(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** {@code /metrics}, or an empty text when it does not answer. */
  String metrics() {
    try {
      var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** The sum of every series of {@code name} (with or without labels) in a Prometheus text; NaN when none. */
  static double sum(String metrics, String name) {
    return sum(metrics, name, "");
  }

  /** The sum of the series of {@code name} whose line contains {@code label} (e.g. {@code result="success"}). */
  static double sum(String metrics, String name, String label) {
    double total = 0;
    boolean found = false;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name) && line.length() > name.length()
          && (line.charAt(name.length()) == '{' || line.charAt(name.length()) == ' ') && line.contains(label)) {
        String value = line.substring(line.lastIndexOf(' ') + 1);
        try {
          total += Double.parseDouble(value);
          found = true;
        } catch (NumberFormatException e) {
          // a timestamp-less sample is "name{...} value"; anything else is skipped
        }
      }
    }
    return found ? total : Double.NaN;
  }

  /** Heap in use after two full GCs ({@code jcmd GC.run}, {@code GC.heap_info}), in bytes; -1 when jcmd fails. */
  long heapAfterFullGc() {
    try {
      jcmd("GC.run");
      jcmd("GC.run");
      Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
      return m.find() ? Long.parseLong(m.group(2)) * 1024 : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** The live objects by class ({@code jcmd GC.class_histogram}, which collects first), written to {@code file}. */
  void histogram(Path file) {
    try {
      java.nio.file.Files.writeString(file, jcmd("GC.class_histogram"));
    } catch (IOException e) {
      // a figure the benchmark reports without; the heap figure says whether jcmd works
    }
  }

  private String jcmd(String what) throws IOException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid()), what).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("jcmd " + what + " did not finish");
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** User plus system CPU time of the process so far, in seconds (from /proc/&lt;pid&gt;/stat); NaN if unreadable. */
  double cpuSeconds() {
    return ProcStat.cpuSeconds(pid());
  }

  /** Live threads (/proc/&lt;pid&gt;/status). */
  int threads() {
    return (int) ProcStat.statusField(pid(), "Threads:");
  }

  /** Resident set size in bytes (/proc/&lt;pid&gt;/status VmRSS). */
  long rss() {
    return ProcStat.statusField(pid(), "VmRSS:") * 1024;
  }

  /** Asks it to stop (SIGTERM: its shutdown hook drains), then kills it after {@code grace}. */
  void stop(Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Kills it at once (the benchmark's exit). */
  void kill() {
    process.destroyForcibly();
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(40));
  }
}
