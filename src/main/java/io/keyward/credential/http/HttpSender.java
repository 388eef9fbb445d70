package io.keyward.credential.http;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import io.keyward.credential.CredentialException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way Keyward calls a provider (DESIGN §9). Nimbus requests are sent with the JDK's HTTP
 * client under {@link HttpLimits}: the whole exchange (connect, headers, full body) is aborted at
 * the deadline; bodies over the size cap are refused; redirects are not followed; only http and
 * https are called; each host (scheme, host, port) has at most {@code maxCallsPerHost} calls in
 * flight, and a call that cannot get a share within {@code hostWait} is deferred
 * ({@link HostBusyException}, mapped to {@link CredentialException#deferred}) instead of holding
 * its thread. Plain calls share one client; calls that need a CA bundle or a client certificate
 * get a client per distinct material ({@link TlsClients}). Every client shares the host budget.
 */
public class HttpSender implements HTTPRequestSender, AutoCloseable {
  /** Headers the JDK client sets itself and refuses to be given. */
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");
  static final int TLS_CLIENTS = 256;

  private final HttpLimits limits;
  private final HostBudget hosts;
  private final Client plain;
  private final TlsClients tls;

  public HttpSender(HttpLimits limits) {
    this(limits, TLS_CLIENTS);
  }

  HttpSender(HttpLimits limits, int tlsClients) {
    this.limits = limits;
    this.hosts = new HostBudget(limits.maxCallsPerHost(), limits.hostWait());
    this.plain = new Client(limits, null);
    this.tls = new TlsClients(limits, tlsClients);
  }

  /** 30 s per exchange, 1 MiB of response, 4 calls in flight per host, 2 s wait for a share. */
  public static HttpSender withDefaults() {
    return new HttpSender(HttpLimits.defaults());
  }

  public final HttpLimits limits() {
    return limits;
  }

  /**
   * A Nimbus request through the plain client; transport failures as {@link IOException}s of this
   * package. Overridable only so that a test can observe the calls one sender makes.
   */
  @Override
  public ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws IOException {
    return exchange(plain, request);
  }

  /**
   * Sends {@code request} (with {@code material}'s trust and client certificate, or the defaults when
   * {@code null}) and maps every transport failure to a classified {@link CredentialException} whose
   * message names only {@code what} and the endpoint's scheme, host and port.
   *
   * @param what how the endpoint is named in messages, e.g. {@code token endpoint}
   */
  public final HTTPResponse call(HTTPRequest request, TlsMaterial material, String what) throws CredentialException {
    URI uri = request.getURI();
    String where = what + " " + Endpoints.display(uri);
    try {
      if (material == null) {
        return request.send(this);
      }
      Client client = tls.enter(material);
      try {
        return request.send(r -> exchange(client, r));
      } finally {
        client.leave();
      }
    } catch (IOException e) {
      throw failure(e, where);
    }
  }

  /** {@link #call(HTTPRequest, TlsMaterial, String)} with the default trust. */
  public final HTTPResponse call(HTTPRequest request, String what) throws CredentialException {
    return call(request, null, what);
  }

  /** What a transport failure means for a connector; the message names {@code where} and never a body. */
  public final CredentialException failure(IOException e, String where) {
    if (e instanceof HostBusyException busy) {
      return CredentialException.deferred("ProviderBusy", where + " already has " + busy.limit()
          + " calls from Keyward in flight; this one waits its turn", busy.retryAfter()).classified("provider_busy");
    }
    if (e instanceof ResponseTooLargeException large) {
      return CredentialException.transientFailure("InvalidTokenResponse",
          where + " sent a response larger than " + large.limitBytes() + " bytes", null);
    }
    if (e instanceof HttpTimeoutException) {
      return CredentialException.transientFailure("TokenEndpointUnreachable",
          where + " did not answer within " + HttpLimits.show(limits.deadline()), null).classified("timeout");
    }
    if (e instanceof RefusedUrlException) {
      return CredentialException.terminal("InvalidConfiguration", where + " is not an http or https URL");
    }
    if (e instanceof javax.net.ssl.SSLException) {
      return CredentialException.transientFailure("TlsHandshakeFailed", "TLS with " + where + " failed ("
          + e.getClass().getSimpleName() + "); check caBundleRef and the client certificate", null).classified("tls");
    }
    return CredentialException.transientFailure("TokenEndpointUnreachable",
        where + " could not be reached (" + e.getClass().getSimpleName() + ")", null).classified("unreachable");
  }

  /** TLS clients kept (for tests). */
  int tlsClients() {
    return tls.size();
  }

  /** The TLS client kept for {@code material} (for tests). */
  Client tlsClient(TlsMaterial material) {
    return tls.peek(material);
  }

  /** Hosts with calls in flight or waiting (for tests). */
  int trackedHosts() {
    return hosts.trackedHosts();
  }

  /** Closes every client; calls in flight finish first. */
  @Override
  public final void close() {
    plain.retire();
    tls.closeAll();
  }

  private ReadOnlyHTTPResponse exchange(Client client, ReadOnlyHTTPRequest request) throws IOException {
    URI uri = request.getURI();
    if (uri == null || !uri.isAbsolute() || uri.getHost() == null || !Endpoints.httpOrHttps(uri)) {
      throw new RefusedUrlException("only absolute http and https URLs are called");
    }
    HttpRequest outgoing = build(request);
    try (HostBudget.Lease share = hosts.acquire(Endpoints.hostKey(uri))) {
      long deadline = System.nanoTime() + limits.deadline().toNanos();
      if (!client.enter()) {
        throw new IOException("the HTTP client was closed");
      }
      try {
        CompletableFuture<HttpResponse<byte[]>> pending =
            client.http.sendAsync(outgoing, CappedBody.handler(limits.maxBodyBytes()));
        return toNimbus(await(pending, deadline));
      } finally {
        client.leave();
      }
    }
  }

  /** Waits until the deadline at most; then cancels, which aborts the exchange (Java 16+). */
  private HttpResponse<byte[]> await(CompletableFuture<HttpResponse<byte[]>> pending, long deadline)
      throws IOException {
    try {
      return pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new DeadlineExceededException(limits.deadline());
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the provider");
    } catch (CancellationException e) {
      throw new InterruptedIOException("the call was cancelled");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      // the JDK wraps what the body subscriber threw
      while (cause != null && !(cause instanceof IOException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof HttpTimeoutException) {
        throw new DeadlineExceededException(limits.deadline());
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException("the exchange failed (" + (cause == null ? "unknown" : cause.getClass().getSimpleName())
          + ")");
    }
  }

  private HttpRequest build(ReadOnlyHTTPRequest request) {
    String body = request.getBody();
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.getURI())
        .timeout(limits.deadline())
        .method(request.getMethod().name(), body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (Map.Entry<String, List<String>> header : request.getHeaderMap().entrySet()) {
      if (RESTRICTED.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      for (String value : header.getValue()) {
        builder.header(header.getKey(), value);
      }
    }
    return builder.build();
  }

  private static HTTPResponse toNimbus(HttpResponse<byte[]> response) {
    HTTPResponse result = new HTTPResponse(response.statusCode());
    response.headers().map().forEach((name, values) -> {
      if (!name.startsWith(":")) {
        result.setHeader(name, values.toArray(String[]::new));
      }
    });
    result.setBody(new String(response.body(), StandardCharsets.UTF_8));
    return result;
  }
}
