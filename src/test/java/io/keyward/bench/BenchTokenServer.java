package io.keyward.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A loopback OAuth 2.0 token endpoint for the benchmark: client credentials for client
 * {@value #CC_CLIENT}, refresh tokens that rotate (the old one is refused once used) for client
 * {@value #RT_CLIENT}, opaque tokens, a lifetime per client that the benchmark changes while it
 * runs. The JDK's HTTP server, with TCP_NODELAY ({@code sun.net.httpserver.nodelay}, which
 * {@link ScaleBenchmark#main} sets before this class loads): without it every answer waits for the
 * peer's delayed ACK.
 */
final class BenchTokenServer implements AutoCloseable {
  static final String CC_CLIENT = "bench-cc";
  static final String RT_CLIENT = "bench-rt";
  static final int WORKERS = 8;

  private final HttpServer server;
  private final ExecutorService workers;
  private final String clientSecret;
  private final Set<String> liveRefreshTokens = ConcurrentHashMap.newKeySet();
  private volatile long ccLifetime = 3600;
  private volatile long rtLifetime = 3600;
  final LongAdder ccIssued = new LongAdder();
  final LongAdder rtIssued = new LongAdder();
  final LongAdder invalidGrants = new LongAdder();
  final LongAdder refused = new LongAdder();

  BenchTokenServer(String clientSecret) throws IOException {
    this.clientSecret = clientSecret;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
    workers = Executors.newFixedThreadPool(WORKERS, r -> {
      Thread t = new Thread(r, "bench-token");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(workers);
    server.createContext("/oauth2/token", this::token);
    server.start();
  }

  String tokenUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token";
  }

  void ccLifetime(long seconds) {
    ccLifetime = seconds;
  }

  void rtLifetime(long seconds) {
    rtLifetime = seconds;
  }

  /** A refresh token the endpoint accepts once (a seed, as after an authorisation). */
  String seed() {
    String token = "seed-" + random();
    liveRefreshTokens.add(token);
    return token;
  }

  private void token(HttpExchange exchange) throws IOException {
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Map<String, String> form = form(body);
      String[] client = client(exchange.getRequestHeaders().getFirst("Authorization"), form);
      if (!"POST".equals(exchange.getRequestMethod()) || client == null || !clientSecret.equals(client[1])) {
        refused.increment();
        send(exchange, 401, "{\"error\":\"invalid_client\"}");
        return;
      }
      String grant = form.get("grant_type");
      if (CC_CLIENT.equals(client[0]) && "client_credentials".equals(grant)) {
        ccIssued.increment();
        send(exchange, 200, answer(ccLifetime, null));
      } else if (RT_CLIENT.equals(client[0]) && "refresh_token".equals(grant)) {
        String presented = form.get("refresh_token");
        if (presented == null || !liveRefreshTokens.remove(presented)) {
          invalidGrants.increment();
          send(exchange, 400, "{\"error\":\"invalid_grant\"}");
          return;
        }
        String next = "rt-" + random();
        liveRefreshTokens.add(next);
        rtIssued.increment();
        send(exchange, 200, answer(rtLifetime, next));
      } else {
        refused.increment();
        send(exchange, 400, "{\"error\":\"unauthorized_client\"}");
      }
    } finally {
      exchange.close();
    }
  }

  private static String answer(long lifetime, String refreshToken) {
    return "{\"access_token\":\"at-" + random() + "\",\"token_type\":\"Bearer\",\"expires_in\":" + lifetime
        + (refreshToken == null ? "" : ",\"refresh_token\":\"" + refreshToken + "\"") + "}";
  }

  private static String random() {
    byte[] b = new byte[16];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** id and secret from HTTP Basic (form-urlencoded parts, RFC 6749 §2.3.1) or from the form. */
  private static String[] client(String authorization, Map<String, String> form) {
    if (authorization != null && authorization.startsWith("Basic ")) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
      int colon = decoded.indexOf(':');
      return colon < 0 ? null : new String[] {URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
          URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
    }
    String id = form.get("client_id");
    String secret = form.get("client_secret");
    return id == null || secret == null ? null : new String[] {id, secret};
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      form.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return form;
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * The endpoint's own ceiling: {@code concurrency} threads of a plain client (the JDK's, HTTP/1.1,
   * keep-alive) asking for client-credentials tokens back to back for {@code duration} after a
   * warm-up; tokens per second.
   */
  double ceiling(int concurrency, Duration warmUp, Duration duration) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    String basic = "Basic " + Base64.getEncoder().encodeToString((CC_CLIENT + ":" + clientSecret)
        .getBytes(StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(URI.create(tokenUrl())).timeout(Duration.ofSeconds(10))
        .header("Authorization", basic).header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=bench.read")).build();
    AtomicBoolean counting = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    LongAdder ok = new LongAdder();
    LongAdder failed = new LongAdder();
    Thread[] threads = new Thread[concurrency];
    for (int i = 0; i < concurrency; i++) {
      threads[i] = new Thread(() -> {
        while (running.get()) {
          try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (counting.get()) {
              (r.statusCode() == 200 ? ok : failed).increment();
            }
          } catch (IOException e) {
            failed.increment();
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-ceiling-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
    Waits.pause(warmUp);
    counting.set(true);
    long start = System.nanoTime();
    Waits.pause(duration);
    long okCount = ok.sum();
    double seconds = (System.nanoTime() - start) / 1e9;
    counting.set(false);
    running.set(false);
    for (Thread t : threads) {
      t.join(10_000);
    }
    if (failed.sum() > 0) {
      System.out.printf("  token endpoint ceiling: %d failed requests%n", failed.sum());
    }
    return okCount / seconds;
  }

  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
  }
}
