package io.keyward.credential.http;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.sun.net.httpserver.HttpServer;
import io.keyward.credential.CredentialException;
import io.keyward.testing.SlowServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one outbound HTTP path against real servers on 127.0.0.1. Bounds are generous: builds run in parallel. */
class HttpSenderTest {
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  static HTTPRequest post(String url) {
    HTTPRequest r = new HTTPRequest(HTTPRequest.Method.POST, URI.create(url));
    r.setHeader("Content-Type", "application/x-www-form-urlencoded");
    r.setBody("grant_type=client_credentials");
    return r;
  }

  static CredentialException failure(Call call) {
    try {
      call.run();
    } catch (CredentialException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call succeeded");
  }

  interface Call {
    void run() throws Exception;
  }

  /** An HttpServer on 127.0.0.1 whose handler is {@code answer}. */
  HttpServer server(com.sun.net.httpserver.HttpHandler answer) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext("/", answer);
    s.setExecutor(Executors.newFixedThreadPool(16));
    s.start();
    closing.add(() -> {
      s.stop(0);
      ((ExecutorService) s.getExecutor()).shutdownNow();
    });
    return s;
  }

  static String base(HttpServer s) {
    return "http://127.0.0.1:" + s.getAddress().getPort();
  }

  @Test
  void aBodyTrickledOneByteEveryTwoSecondsIsCutOffAtTheDeadline() throws Exception {
    SlowServer slow = closeLater(new SlowServer(Duration.ofSeconds(2)));
    HttpSender sender = closeLater(new HttpSender(HttpLimits.defaults().withDeadline(Duration.ofSeconds(3)), Loopback.only()));

    long started = System.nanoTime();
    CredentialException e = failure(() -> sender.call(post(slow.url("/oauth2/token?tenant=t1")), "token endpoint"));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(e.reason()).isEqualTo("TokenEndpointUnreachable");
    assertThat(e.errorClass()).isEqualTo("timeout");
    assertThat(e.isDeferred()).isFalse();
    assertThat(e.isTerminal()).isFalse();
    assertThat(e.getMessage()).isEqualTo("token endpoint " + slow.url("") + " could not be reached or gave no complete answer within 3s")
        .doesNotContain("oauth2").doesNotContain("tenant");
    assertThat(took).as("the whole exchange is bounded, not just the headers").isLessThan(Duration.ofSeconds(20));
    // the exchange is aborted, not left running: the server's next writes fail
    await().atMost(Duration.ofSeconds(30)).until(() -> slow.abandoned() == 1);
  }

  @Test
  void headersThatNeverComeAreCutOffAtTheDeadlineToo() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    closing.add(never::countDown);
    HttpServer s = server(exchange -> {
      try {
        never.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    HttpSender sender = closeLater(new HttpSender(HttpLimits.defaults().withDeadline(Duration.ofSeconds(2)), Loopback.only()));

    CredentialException e = failure(() -> sender.call(post(base(s) + "/token"), "token endpoint"));

    assertThat(e.reason()).isEqualTo("TokenEndpointUnreachable");
    assertThat(e.errorClass()).isEqualTo("timeout");
    assertThat(e.getMessage()).endsWith(" could not be reached or gave no complete answer within 2s");
  }

  @Test
  void aBodyOverTheCapIsRefusedWithOrWithoutAContentLength() throws Exception {
    byte[] big = new byte[2 << 20];
    java.util.Arrays.fill(big, (byte) 'x');
    HttpServer s = server(exchange -> {
      boolean chunked = exchange.getRequestURI().getPath().contains("chunked");
      exchange.sendResponseHeaders(200, chunked ? 0 : big.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(big);
      } catch (IOException e) {
        // the client stopped reading
      }
    });
    HttpSender sender = closeLater(Loopback.sender());

    for (String path : List.of("/sized", "/chunked")) {
      CredentialException e = failure(() -> sender.call(post(base(s) + path), "token endpoint"));
      assertThat(e.reason()).as(path).isEqualTo("InvalidTokenResponse");
      assertThat(e.getMessage()).as(path).contains("larger than 1048576 bytes");
    }
    HttpSender small = closeLater(new HttpSender(HttpLimits.defaults().withMaxBodyBytes(1000), Loopback.only()));
    assertThat(failure(() -> small.call(post(base(s) + "/chunked"), "token endpoint")).getMessage())
        .contains("larger than 1000 bytes");
  }

  @Test
  void aRedirectIsNotFollowed() throws Exception {
    List<String> paths = new CopyOnWriteArrayList<>();
    HttpServer s = server(exchange -> {
      paths.add(exchange.getRequestURI().getPath());
      if (exchange.getRequestURI().getPath().equals("/token")) {
        exchange.getResponseHeaders().add("Location", "/elsewhere");
        exchange.sendResponseHeaders(302, -1);
      } else {
        byte[] ok = "{\"access_token\":\"followed\"}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, ok.length);
        exchange.getResponseBody().write(ok);
      }
      exchange.close();
    });
    HttpSender sender = closeLater(Loopback.sender());

    HTTPResponse response = sender.call(post(base(s) + "/token"), "token endpoint");

    assertThat(response.getStatusCode()).isEqualTo(302);
    assertThat(paths).containsExactly("/token");
  }

  @Test
  void onlyHttpAndHttpsAreCalled() {
    HttpSender sender = closeLater(Loopback.sender());
    HTTPRequest ftp = new HTTPRequest(HTTPRequest.Method.GET, URI.create("ftp://127.0.0.1:2121/jwks"));

    CredentialException e = failure(() -> sender.call(ftp, "JWKS endpoint"));

    assertThat(e.reason()).isEqualTo("InvalidConfiguration");
    assertThat(e.isTerminal()).isTrue();
  }

  @Test
  void eachHostGetsItsShareAndCallsBeyondItAreDeferredNotQueued() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicInteger received = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    closing.add(release::countDown);
    HttpServer s = server(exchange -> {
      received.incrementAndGet();
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        release.await(60, TimeUnit.SECONDS);
        byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, ok.length);
        exchange.getResponseBody().write(ok);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        inFlight.decrementAndGet();
        exchange.close();
      }
    });
    HttpSender sender = closeLater(new HttpSender(HttpLimits.defaults().withMaxCallsPerHost(2)
        .withHostWait(Duration.ofMillis(500)), Loopback.only()));
    ExecutorService callers = Executors.newFixedThreadPool(6);
    closing.add(callers::shutdownNow);

    List<Future<Object>> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(callers.submit(() -> {
        try {
          return sender.call(post(base(s) + "/token"), "token endpoint").getStatusCode();
        } catch (CredentialException e) {
          return e;
        }
      }));
    }
    // four calls come back deferred while two are still held by the server
    await().atMost(Duration.ofSeconds(30)).until(() -> calls.stream().filter(Future::isDone).count() == 4);
    List<CredentialException> deferred = new ArrayList<>();
    for (Future<Object> f : calls) {
      if (f.isDone()) {
        deferred.add((CredentialException) f.get());
      }
    }
    assertThat(received.get()).isEqualTo(2);
    assertThat(deferred).hasSize(4).allSatisfy(e -> {
      assertThat(e.isDeferred()).isTrue();
      assertThat(e.reason()).isEqualTo("ProviderBusy");
      assertThat(e.errorClass()).isEqualTo("provider_busy");
      assertThat(e.getMessage()).startsWith("token endpoint " + base(s) + " already has 2 calls");
      assertThat(e.retryAfter()).hasValueSatisfying(d ->
          assertThat(d).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(3)));
    });

    release.countDown();
    for (Future<Object> f : calls) {
      Object result = f.get(30, TimeUnit.SECONDS);
      assertThat(result).isIn(200, deferred.get(0), deferred.get(1), deferred.get(2), deferred.get(3));
    }
    assertThat(maxInFlight.get()).as("requests the server had in progress at once").isEqualTo(2);
    assertThat(received.get()).isEqualTo(2);
    // the shares are given back: once its request rate is full again the host is forgotten, and a next call goes through
    await().atMost(Duration.ofSeconds(10)).until(() -> sender.trackedHosts() == 0);
    assertThat(sender.call(post(base(s) + "/token"), "token endpoint").getStatusCode()).isEqualTo(200);
  }

  @Test
  void anotherPortIsAnotherHost() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    closing.add(release::countDown);
    HttpServer blocked = server(exchange -> {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    HttpServer healthy = server(exchange -> {
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    HttpSender sender = closeLater(new HttpSender(HttpLimits.defaults().withMaxCallsPerHost(1)
        .withHostWait(Duration.ofMillis(200)), Loopback.only()));
    ExecutorService caller = Executors.newSingleThreadExecutor();
    closing.add(caller::shutdownNow);
    caller.submit(() -> sender.call(post(base(blocked) + "/token"), "token endpoint"));
    await().atMost(Duration.ofSeconds(20)).until(() -> sender.trackedHosts() == 1);

    assertThat(failure(() -> sender.call(post(base(blocked) + "/token"), "token endpoint")).isDeferred()).isTrue();
    assertThat(sender.call(post(base(healthy) + "/token"), "token endpoint").getStatusCode()).isEqualTo(204);
  }

  /** A server whose first answer is {@code status} with {@code retryAfter} (if any), then 200s; it counts requests. */
  HttpServer throttling(AtomicInteger received, int status, String retryAfter) throws IOException {
    return server(exchange -> {
      int n = received.incrementAndGet();
      if (n == 1) {
        if (retryAfter != null) {
          exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, -1);
      } else {
        byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, ok.length);
        exchange.getResponseBody().write(ok);
      }
      exchange.close();
    });
  }

  @Test
  void a429WithRetryAfterPausesTheHostForEveryConnectorInBothForms() throws Exception {
    for (boolean date : List.of(false, true)) {
      String retryAfter = date ? java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
          .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(10)) : "3";
      AtomicInteger received = new AtomicInteger();
      HttpServer s = throttling(received, 429, retryAfter);
      HttpSender sender = closeLater(Loopback.sender());
      java.time.Instant now = java.time.Instant.now();

      HTTPResponse first = sender.call(post(base(s) + "/token"), null, "token endpoint", new Caller("sales/a", now));
      CredentialException second = failure(() ->
          sender.call(post(base(s) + "/token"), null, "token endpoint", new Caller("sales/b", now)));

      assertThat(first.getStatusCode()).as(retryAfter).isEqualTo(429);
      assertThat(second.isDeferred()).isTrue();
      assertThat(second.reason()).isEqualTo("ProviderThrottled");
      assertThat(second.errorClass()).isEqualTo("provider_paused");
      assertThat(second.getMessage()).startsWith("token endpoint " + base(s) + " asked Keyward to wait until ")
          .endsWith("; no connector calls it before then, and this one waits its turn");
      assertThat(second.retryAfter()).hasValueSatisfying(d ->
          assertThat(d).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(date ? 11 : 4)));
      assertThat(received.get()).as("requests the host received during its pause").isEqualTo(1);
    }
  }

  @Test
  void a503WithoutRetryAfterPausesNothingAndAnotherHostIsNeverPaused() throws Exception {
    AtomicInteger received = new AtomicInteger();
    HttpServer s = throttling(received, 503, null);
    AtomicInteger elsewhere = new AtomicInteger();
    HttpServer other = throttling(elsewhere, 200, null);
    HttpSender sender = closeLater(Loopback.sender());

    assertThat(sender.call(post(base(s) + "/token"), "token endpoint").getStatusCode()).isEqualTo(503);
    assertThat(sender.call(post(base(s) + "/token"), "token endpoint").getStatusCode()).isEqualTo(200);

    AtomicInteger paused = new AtomicInteger();
    HttpServer limited = throttling(paused, 429, "30");
    assertThat(sender.call(post(base(limited) + "/token"), "token endpoint").getStatusCode()).isEqualTo(429);
    assertThat(failure(() -> sender.call(post(base(limited) + "/token"), "token endpoint")).isDeferred()).isTrue();
    assertThat(sender.call(post(base(other) + "/token"), "token endpoint").getStatusCode()).isEqualTo(200);
    assertThat(paused.get()).isEqualTo(1);
  }

  @Test
  void theHostsRateIsSharedAndCallsBeyondItComeBackLater() throws Exception {
    AtomicInteger received = new AtomicInteger();
    HttpServer s = throttling(received, 200, null);
    HttpSender sender = closeLater(new HttpSender(HttpLimits.defaults().withHostRate(1, 3), Loopback.only()));
    java.time.Instant now = java.time.Instant.now();

    List<CredentialException> deferred = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      try {
        sender.call(post(base(s) + "/token"), null, "token endpoint", new Caller("sales/c" + i, now.plusSeconds(i)));
      } catch (CredentialException e) {
        deferred.add(e);
      }
    }

    assertThat(received.get()).as("the burst").isEqualTo(3);
    assertThat(deferred).hasSize(2).allSatisfy(e -> assertThat(e.reason()).isEqualTo("ProviderThrottled"));
    assertThat(deferred.get(0).errorClass()).isEqualTo("provider_rate");
    assertThat(deferred.get(0).getMessage())
        .contains("already has its share of requests from Keyward (1 per second, bursts of 3)");
    // the fifth needs its credential later than the fourth, which is booked ahead of it
    assertThat(deferred.get(1).errorClass()).isEqualTo("provider_queued");
    assertThat(deferred.get(1).getMessage()).contains("is busy with connectors whose credentials expire sooner");
    assertThat(deferred.get(1).retryAfter().orElseThrow()).as("the second waits behind the first")
        .isGreaterThan(deferred.get(0).retryAfter().orElseThrow());
  }
}
