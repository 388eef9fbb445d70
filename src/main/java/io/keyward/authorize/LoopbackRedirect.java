package io.keyward.authorize;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one-shot redirect listener of a native app (RFC 8252 §7.3): {@code http://127.0.0.1:<port>/callback}
 * on the loopback interface only, taking the first redirect that reaches it and showing the browser
 * how it ended once the caller says so. Later requests are told the flow is over.
 */
final class LoopbackRedirect implements AutoCloseable {
  static final String PATH = "/callback";

  private final HttpServer server;
  private final CompletableFuture<URI> redirect = new CompletableFuture<>();
  private final CompletableFuture<String> outcome = new CompletableFuture<>();

  /** Listens on 127.0.0.1:{@code port} (0: a free port). */
  LoopbackRedirect(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
    server.createContext(PATH, this::handle);
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
  }

  /** The first redirect's full URI; a {@link TimeoutException} when none came within {@code timeout}. */
  URI await(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      return redirect.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** What the browser shows for the redirect (a sentence, no secret). */
  void finish(String message) {
    outcome.complete(message);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String page;
    int status;
    URI uri = URI.create(uri().toString().replace(PATH, "") + exchange.getRequestURI().toString());
    if (redirect.complete(uri)) {
      String message;
      try {
        message = outcome.get(2, TimeUnit.MINUTES);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        message = "Keyward did not finish; see the terminal.";
      }
      status = 200;
      page = message;
    } else {
      status = 410;
      page = "This authorization is over; run keyward authorize again for a new one.";
    }
    byte[] body = ("<!doctype html><title>Keyward</title><p>" + page.replace("&", "&amp;").replace("<", "&lt;")
        + "</p><p>You can close this window.</p>").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    outcome.complete("Keyward stopped waiting; see the terminal.");
    server.stop(1); // lets the page of the one redirect be written first
  }
}
