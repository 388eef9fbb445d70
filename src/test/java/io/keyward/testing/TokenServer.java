package io.keyward.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP token endpoint on loopback that behaves like a strict provider: it checks the
 * client's credentials (Basic or form body), issues numbered tokens with a configurable lifetime,
 * records every request, and can be told to misbehave.
 */
public final class TokenServer implements AutoCloseable {
  /** One request as the provider saw it. */
  public record Request(String method, String path, Map<String, String> headers, Map<String, String> form,
      String clientCertificateSubject) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  /**
   * What to answer.
   *
   * @param chunked sent without a Content-Length (chunked transfer encoding), as a streaming server does
   */
  public record Response(int status, String contentType, byte[] body, Map<String, String> headers, boolean chunked) {
    public Response(int status, String contentType, byte[] body, Map<String, String> headers) {
      this(status, contentType, body, headers, false);
    }

    public static Response json(int status, String json) {
      return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** {@code body} without a Content-Length: the client learns its size only by reading it. */
    public static Response chunked(int status, String contentType, byte[] body) {
      return new Response(status, contentType, body, Map.of(), true);
    }
  }

  private final HttpServer server;
  private final String scheme;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger issued = new AtomicInteger();
  private volatile String clientId = "my-client";
  private volatile String clientSecret = "s3cr3t-client-value";
  private volatile long expiresIn = 3600;
  private volatile Function<Request, Response> override;
  private final java.util.Set<String> liveRefreshTokens = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger invalidGrants = new AtomicInteger();
  private volatile boolean rotate = true;
  private volatile java.util.function.Consumer<Request> beforeAnswer = r -> {};

  public TokenServer() throws IOException {
    this(null, false);
  }

  /** An HTTPS token endpoint with this server identity; {@code needClientAuth} demands a client certificate. */
  public TokenServer(javax.net.ssl.SSLContext tls, boolean needClientAuth) throws IOException {
    if (tls == null) {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } else {
      var https = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
        @Override
        public void configure(com.sun.net.httpserver.HttpsParameters params) {
          var parameters = tls.getDefaultSSLParameters();
          parameters.setNeedClientAuth(needClientAuth);
          params.setSSLParameters(parameters);
        }
      });
      server = https;
    }
    scheme = tls == null ? "http" : "https";
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  public String tokenUrl() {
    return scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token";
  }

  public TokenServer client(String id, String secret) {
    this.clientId = id;
    this.clientSecret = secret;
    return this;
  }

  public TokenServer expiresIn(long seconds) {
    this.expiresIn = seconds;
    return this;
  }

  /**
   * Answer every request with this function instead ({@code null} to behave again). Where the
   * function returns {@code null}, that request gets the standard answer (e.g. a first good token,
   * then a broken endpoint, decided by {@link #issuedCount()} rather than by when the test gets to it).
   */
  public TokenServer override(Function<Request, Response> answer) {
    this.override = answer;
    return this;
  }

  /** Accept this refresh token (once, when rotating). */
  public TokenServer seedRefreshToken(String token) {
    liveRefreshTokens.add(token);
    return this;
  }

  /**
   * Rotates {@code presented} as a refresh would (for an override that answers by hand): the old
   * token is no longer accepted; returns the new one, or {@code null} when {@code presented} was not live.
   */
  public String rotateRefreshToken(String presented) {
    synchronized (liveRefreshTokens) {
      if (presented == null || !liveRefreshTokens.remove(presented)) {
        invalidGrants.incrementAndGet();
        return null;
      }
      String next = "rotated-refresh-token-" + java.util.UUID.randomUUID();
      liveRefreshTokens.add(next);
      return next;
    }
  }

  /**
   * The provider revokes every refresh token it would accept (the grant was withdrawn): the next
   * refresh is answered {@code invalid_grant}, until a new one is {@link #seedRefreshToken seeded}.
   */
  public TokenServer revokeRefreshTokens() {
    synchronized (liveRefreshTokens) {
      liveRefreshTokens.clear();
    }
    return this;
  }

  /** Whether each refresh returns a new refresh token and invalidates the old one (default true). */
  public TokenServer rotateRefreshTokens(boolean rotate) {
    this.rotate = rotate;
    return this;
  }

  /** Refresh tokens rejected so far: reuse of a rotated token, or an unknown one. */
  public int invalidGrants() {
    return invalidGrants.get();
  }

  /** The refresh tokens the server would accept now. */
  public java.util.Set<String> liveRefreshTokens() {
    return java.util.Set.copyOf(liveRefreshTokens);
  }

  /** Runs before each standard answer (e.g. to hold the answer back at the worst moment). */
  public TokenServer beforeAnswer(java.util.function.Consumer<Request> hook) {
    this.beforeAnswer = hook == null ? r -> {} : hook;
    return this;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The token the n-th successful request received (1-based). */
  public static String token(int n) {
    return "access-token-" + n;
  }

  public int issuedCount() {
    return issued.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
    String subject = null;
    if (exchange instanceof com.sun.net.httpserver.HttpsExchange https) {
      try {
        subject = ((java.security.cert.X509Certificate) https.getSSLSession().getPeerCertificates()[0])
            .getSubjectX500Principal().getName();
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        subject = null;
      }
    }
    Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, form(body),
        subject);
    requests.add(request);
    Function<Request, Response> o = override;
    Response response = o == null ? null : o.apply(request);
    if (response == null) {
      beforeAnswer.accept(request);
      response = standard(request);
    }
    response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    exchange.getResponseHeaders().add("Content-Type", response.contentType());
    exchange.sendResponseHeaders(response.status(),
        response.chunked() ? 0 : response.body().length == 0 ? -1 : response.body().length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(response.body());
    }
  }

  private Response standard(Request r) {
    if (!"POST".equals(r.method())) {
      return Response.json(405, "{\"error\":\"invalid_request\"}");
    }
    String grant = r.form().get("grant_type");
    if (!"client_credentials".equals(grant) && !"refresh_token".equals(grant)) {
      return Response.json(400, "{\"error\":\"unsupported_grant_type\"}");
    }
    String[] presented = presentedClient(r);
    if (presented == null || !clientId.equals(presented[0]) || !clientSecret.equals(presented[1])) {
      return Response.json(401, "{\"error\":\"invalid_client\",\"error_description\":\"bad client " + clientSecret + "\"}");
    }
    String refresh = "";
    if ("refresh_token".equals(grant)) {
      synchronized (liveRefreshTokens) {
        String presentedToken = r.form().get("refresh_token");
        if (presentedToken == null || !liveRefreshTokens.contains(presentedToken)) {
          invalidGrants.incrementAndGet();
          return Response.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"token " + presentedToken + " is not valid\"}");
        }
        if (rotate) {
          liveRefreshTokens.remove(presentedToken);
          String next = "rotated-refresh-token-" + java.util.UUID.randomUUID();
          liveRefreshTokens.add(next);
          refresh = ",\"refresh_token\":\"" + next + "\"";
        }
      }
    }
    int n = issued.incrementAndGet();
    return Response.json(200, "{\"access_token\":\"" + token(n) + "\",\"token_type\":\"Bearer\",\"expires_in\":"
        + expiresIn + refresh + "}");
  }

  /** id and secret from Basic or from the form; {@code null} when neither or both are used. */
  public static String[] presentedClient(Request r) {
    String auth = r.header("Authorization");
    boolean inBody = r.form().containsKey("client_secret");
    if (auth != null && auth.startsWith("Basic ") && !inBody) {
      String decoded = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return new String[] {
        URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
        URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)
      };
    }
    if (auth == null && inBody) {
      return new String[] {r.form().get("client_id"), r.form().get("client_secret")};
    }
    return null;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return form;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      form.put(k, v);
    }
    return form;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
