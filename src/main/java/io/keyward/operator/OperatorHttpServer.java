package io.keyward.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's one HTTP port: {@code /metrics} (Prometheus text format), {@code /healthz}
 * (liveness), {@code /readyz} (readiness: informers synced, on standby replicas too) and
 * {@code /jwks/<namespace>/<name>} (the public keys of a connector's generated signing keys, for a
 * provider's {@code jwks_uri}). Nothing it serves is secret.
 */
public final class OperatorHttpServer implements AutoCloseable {
  /**
   * Workers: enough that a few slow or half-open clients cannot keep the kubelet's probes waiting
   * (with two, four half-sent requests made {@code /healthz} time out and the leader restart).
   */
  static final int WORKERS = 16;
  /** Seconds a client may take to send its request, and to read the answer, before it is cut off. */
  static final String MAX_REQUEST_SECONDS = "10";
  static final String MAX_RESPONSE_SECONDS = "60";

  static {
    limitSlowClients();
  }

  private static final Pattern JWKS_PATH = Pattern.compile("^/jwks/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)/?$");
  private final HttpServer server;

  /** Workers of the probe port: only the kubelet calls it. */
  static final int PROBE_WORKERS = 4;
  private final HttpServer probes;

  private OperatorHttpServer(HttpServer server, HttpServer probes) {
    this.server = server;
    this.probes = probes;
  }

  /** Starts serving on {@code port} ({@code 0}: any free port) on all interfaces; probes on that port only. */
  public static OperatorHttpServer start(KeywardOperator operator, int port) throws IOException {
    return new OperatorHttpServer(serve(operator, port), null);
  }

  /**
   * Starts serving on {@code port}, and {@code /healthz} and {@code /readyz} also on {@code probePort}
   * with workers of their own, so that whatever reaches the main port (scrapers, a provider's JWKS
   * fetches through an Ingress, slow or hostile clients) cannot keep the kubelet's probes waiting.
   */
  public static OperatorHttpServer start(KeywardOperator operator, int port, int probePort) throws IOException {
    HttpServer main = serve(operator, port);
    try {
      return new OperatorHttpServer(main, probes(operator, probePort));
    } catch (IOException | RuntimeException e) {
      main.stop(0);
      throw e;
    }
  }

  private static HttpServer probes(KeywardOperator operator, int port) throws IOException {
    HttpServer server = create(port, PROBE_WORKERS, "keyward-probes");
    probeContexts(server, operator);
    server.createContext("/", ex -> {
      if (allowed(ex)) {
        send(ex, 404, "text/plain; charset=utf-8", "not found: this port serves /healthz and /readyz\n");
      }
    });
    server.start();
    return server;
  }

  /** A server on {@code port} of all interfaces, with {@code workers} daemon threads named {@code name}. */
  private static HttpServer create(int port, int workers, String name) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    }));
    return server;
  }

  private static void probeContexts(HttpServer server, KeywardOperator operator) {
    server.createContext("/healthz", ex -> {
      if (allowed(ex)) {
        boolean ok = operator.healthy();
        send(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "informers unhealthy\n");
      }
    });
    server.createContext("/readyz", ex -> {
      if (allowed(ex)) {
        boolean ok = operator.ready();
        send(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "starting: informers not synced\n");
      }
    });
  }

  private static HttpServer serve(KeywardOperator operator, int port) throws IOException {
    HttpServer server = create(port, WORKERS, "keyward-http");
    server.createContext("/metrics", ex -> {
      if (allowed(ex)) {
        send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", operator.scrape());
      }
    });
    probeContexts(server, operator);
    server.createContext("/jwks/", ex -> {
      if (!allowed(ex)) {
        return;
      }
      Matcher m = JWKS_PATH.matcher(ex.getRequestURI().getPath());
      var jwks = m.matches() ? operator.jwks(m.group(1), m.group(3)) : java.util.Optional.<String>empty();
      if (jwks.isEmpty()) {
        send(ex, 404, "application/json", "{\"error\":\"no JWKS published for this connector\"}\n");
        return;
      }
      // short caching: a rotation publishes the next key an overlap ahead, so a minute is safe
      ex.getResponseHeaders().add("Cache-Control", "public, max-age=60");
      send(ex, 200, "application/jwk-set+json", jwks.get());
    });
    server.createContext("/", ex -> {
      if (allowed(ex)) {
        send(ex, 404, "text/plain; charset=utf-8", "not found: try /metrics, /healthz, /readyz, /jwks/<namespace>/<name>\n");
      }
    });
    server.start();
    return server;
  }

  /**
   * Bounds how long one client may hold a worker: the JDK's server has no per-socket timeout of its
   * own, only these settings, which it reads once when the first server of the JVM starts; so
   * {@code keyward} sets them first thing. A value given with {@code -D} is kept.
   */
  public static void limitSlowClients() {
    setIfAbsent("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
    setIfAbsent("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The port that serves only the probes, or {@link #port()} when they share it. */
  public int probePort() {
    return probes == null ? port() : probes.getAddress().getPort();
  }

  private static boolean allowed(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    if ("GET".equals(method) || "HEAD".equals(method)) {
      return true;
    }
    ex.getResponseHeaders().add("Allow", "GET, HEAD");
    send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return false;
  }

  private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", contentType);
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    if (probes != null) {
      probes.stop(0);
    }
  }
}
