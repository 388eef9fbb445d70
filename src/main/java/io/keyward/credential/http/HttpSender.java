package io.keyward.credential.http;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import io.keyward.credential.CredentialException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpField;

/**
 * The one way Keyward calls a provider (DESIGN §9). Nimbus requests are sent under {@link HttpLimits}
 * and an {@link EgressPolicy}: the URL is checked before anything is sent and every address its host
 * resolves to before a connection is made, and the connection goes to exactly an address that passed;
 * the whole exchange (connect, headers, full body) is aborted at the deadline; bodies over the size
 * cap are refused; redirects are not followed; only http and https are called; each host (scheme,
 * host, port) has at most {@code maxCallsPerHost} calls in flight, and a call that cannot get a share
 * within {@code hostWait} is deferred ({@link HostBusyException}, mapped to
 * {@link CredentialException#deferred}) instead of holding its thread. Plain calls share one client;
 * calls that need a CA bundle or a client certificate get a client per distinct material
 * ({@link TlsClients}). Every client shares the host budget and the policy.
 */
public class HttpSender implements HTTPRequestSender, AutoCloseable {
  /** Headers the client sets itself. */
  private static final Set<String> RESTRICTED =
      Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding", "te");
  static final int TLS_CLIENTS = 256;

  /** A 429 without Retry-After pauses its host this long. */
  static final Duration DEFAULT_429_PAUSE = Duration.ofSeconds(5);
  /** The longest pause one answer can put on a host; the connector that got it still honours all of its Retry-After. */
  static final Duration MAX_PAUSE = Duration.ofMinutes(10);

  private final HttpLimits limits;
  private final EgressPolicy egress;
  private final Clock clock;
  private final HostBudget hosts;
  private final java.util.List<HostObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final HostObserver observer = new HostObserver() {
    @Override
    public void requested(String host) {
      observers.forEach(o -> o.requested(host));
    }

    @Override
    public void waited(String host, HostBusyException.Why why) {
      observers.forEach(o -> o.waited(host, why));
    }

    @Override
    public void paused(String host, Duration pause) {
      observers.forEach(o -> o.paused(host, pause));
    }
  };
  private final Client plain;
  private final TlsClients tls;

  public HttpSender(HttpLimits limits, EgressPolicy egress) {
    this(limits, egress, HostResolver.SYSTEM, Clock.systemUTC(), TLS_CLIENTS);
  }

  /** With a resolver of the test's choosing (a name that resolves to a loopback address, say). */
  public HttpSender(HttpLimits limits, EgressPolicy egress, HostResolver dns) {
    this(limits, egress, dns, Clock.systemUTC(), TLS_CLIENTS);
  }

  /** On {@code clock}: the operator's, so that a provider's pause and the host's rate run on the same time as renewals. */
  public HttpSender(HttpLimits limits, EgressPolicy egress, Clock clock) {
    this(limits, egress, HostResolver.SYSTEM, clock, TLS_CLIENTS);
  }

  HttpSender(HttpLimits limits, EgressPolicy egress, HostResolver dns, int tlsClients) {
    this(limits, egress, dns, Clock.systemUTC(), tlsClients);
  }

  HttpSender(HttpLimits limits, EgressPolicy egress, HostResolver dns, Clock clock, int tlsClients) {
    this.limits = limits;
    this.egress = egress;
    this.clock = clock;
    this.hosts = new HostBudget(limits, clock);
    EgressResolver resolver = new EgressResolver(egress, dns);
    this.plain = new Client(limits, null, resolver);
    this.tls = new TlsClients(limits, resolver, tlsClients);
  }

  /** {@code keyward run}'s defaults: {@link HttpLimits#defaults()} and {@link EgressPolicy#cluster()}. */
  public static HttpSender withDefaults() {
    return new HttpSender(HttpLimits.defaults(), EgressPolicy.cluster());
  }

  /** Local mode's (and the tests'): default limits, {@link EgressPolicy#local()} (loopback http allowed). */
  public static HttpSender local() {
    return new HttpSender(HttpLimits.defaults(), EgressPolicy.local());
  }

  public final EgressPolicy egress() {
    return egress;
  }

  /** Also reports requests, waits and pauses per host to {@code o} (the operator's metrics, a test). */
  public final void observe(HostObserver o) {
    observers.add(o);
  }

  public final HttpLimits limits() {
    return limits;
  }

  /** A Nimbus request through the plain client, for a caller nobody waits on by name; transport failures as {@link IOException}s of this package. */
  @Override
  public final ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws IOException {
    return exchange(plain, request, Caller.anonymous(clock.instant()));
  }

  /**
   * Sends {@code request} (with {@code material}'s trust and client certificate, or the defaults when
   * {@code null}) and maps every transport failure to a classified {@link CredentialException} whose
   * message names only {@code what} and the endpoint's scheme, host and port.
   *
   * @param what how the endpoint is named in messages, e.g. {@code token endpoint}
   */
  public final HTTPResponse call(HTTPRequest request, TlsMaterial material, String what, Caller caller)
      throws CredentialException {
    URI uri = request.getURI();
    String where = what + " " + Endpoints.display(uri);
    try {
      if (material == null) {
        return request.send(r -> exchange(plain, r, caller));
      }
      Client client = tls.enter(material);
      try {
        return request.send(r -> exchange(client, r, caller));
      } finally {
        client.leave();
      }
    } catch (IOException e) {
      throw failure(e, where);
    }
  }

  /** {@link #call(HTTPRequest, TlsMaterial, String, Caller)} for a caller nobody waits on by name. */
  public final HTTPResponse call(HTTPRequest request, TlsMaterial material, String what) throws CredentialException {
    return call(request, material, what, Caller.anonymous(clock.instant()));
  }

  /** {@link #call(HTTPRequest, TlsMaterial, String)} with the default trust. */
  public final HTTPResponse call(HTTPRequest request, String what) throws CredentialException {
    return call(request, null, what);
  }

  /** What a transport failure means for a connector; the message names {@code where} and never a body. */
  public final CredentialException failure(IOException e, String where) {
    if (e instanceof HostBusyException busy) {
      return switch (busy.why()) {
        case BUSY -> CredentialException.deferred("ProviderBusy", where + " already has " + busy.limit()
            + " calls from Keyward in flight; this one waits its turn", busy.retryAfter()).classified("provider_busy");
        case PAUSED -> CredentialException.deferred("ProviderThrottled", where + " asked Keyward to wait until "
            + busy.until().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            + "; no connector calls it before then, and this one waits its turn", busy.retryAfter())
            .classified("provider_paused");
        case RATE -> CredentialException.deferred("ProviderThrottled", where + " already has its share of requests"
            + " from Keyward (" + rate() + "); this one waits its turn", busy.retryAfter()).classified("provider_rate");
        case QUEUED -> CredentialException.deferred("ProviderThrottled", where + " is busy with connectors whose"
            + " credentials expire sooner; this one waits its turn", busy.retryAfter()).classified("provider_queued");
      };
    }
    if (e instanceof EgressDeniedException denied) {
      return CredentialException.terminal("EgressDenied", where + " is refused by the egress policy: "
          + denied.refusal().rule() + "; nothing was sent").classified("egress_denied");
    }
    if (e instanceof ResponseTooLargeException large) {
      return CredentialException.transientFailure("InvalidTokenResponse",
          where + " sent a response larger than " + large.limitBytes() + " bytes", null);
    }
    if (e instanceof RefusedUrlException) {
      return CredentialException.terminal("InvalidConfiguration", where + " is not an http or https URL");
    }
    if (e instanceof javax.net.ssl.SSLException) {
      return CredentialException.transientFailure("TlsHandshakeFailed", "TLS with " + where + " failed; "
          + "check caBundleRef and the client certificate", null).classified("tls");
    }
    // refused, unreachable, unresolvable or too slow: one answer, so that the message is no port-scan oracle
    // (the metrics, which only the platform team reads, still tell a timeout from the rest)
    return CredentialException.transientFailure("TokenEndpointUnreachable", where
        + " could not be reached or gave no complete answer within " + HttpLimits.show(limits.deadline()), null)
        .classified(e instanceof java.net.http.HttpTimeoutException ? "timeout" : "unreachable");
  }

  private String rate() {
    double r = limits.hostRate();
    String perSecond = r == Math.rint(r) ? String.valueOf((long) r) : String.valueOf(r);
    return perSecond + " per second, bursts of " + limits.hostBurst();
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

  private ReadOnlyHTTPResponse exchange(Client client, ReadOnlyHTTPRequest request, Caller caller) throws IOException {
    URI uri = request.getURI();
    if (uri == null || !uri.isAbsolute() || uri.getHost() == null || !Endpoints.httpOrHttps(uri)) {
      throw new RefusedUrlException("only absolute http and https URLs are called");
    }
    var refused = egress.checkUrl(uri);
    if (refused.isPresent()) {
      throw new EgressDeniedException(refused.get());
    }
    String host = Endpoints.hostKey(uri);
    HostBudget.Lease share;
    try {
      share = hosts.acquire(host, caller);
    } catch (HostBusyException busy) {
      observer.waited(host, busy.why());
      throw busy;
    }
    try (share) {
      long deadline = System.nanoTime() + limits.deadline().toNanos();
      if (!client.enter()) {
        throw new IOException("the HTTP client was closed");
      }
      HTTPResponse response;
      try {
        observer.requested(host);
        response = exchange(client, request, deadline);
      } finally {
        client.leave();
      }
      pauseIfAsked(host, response);
      return response;
    }
  }

  /**
   * A 429 (with or without Retry-After) or a 503 with Retry-After pauses the whole host: every
   * connector that uses it waits, not only the one that was told.
   */
  private void pauseIfAsked(String host, HTTPResponse response) {
    int status = response.getStatusCode();
    if (status != 429 && status != 503) {
      return;
    }
    Optional<Duration> asked = RetryAfter.of(response, clock.instant());
    if (asked.isEmpty() && status == 503) {
      return; // a 503 that asks nothing is the connector's own failure, backed off on its own
    }
    Duration pause = asked.orElse(DEFAULT_429_PAUSE);
    if (pause.compareTo(MAX_PAUSE) > 0) {
      pause = MAX_PAUSE;
    }
    if (!pause.isZero()) {
      hosts.pause(host, pause);
      observer.paused(host, pause);
    }
  }

  /** Sends and reads the whole answer by {@code deadline}; past it, or past the size cap, the exchange is aborted. */
  private HTTPResponse exchange(Client client, ReadOnlyHTTPRequest request, long deadline) throws IOException {
    Request outgoing = build(client, request);
    InputStreamResponseListener listener = new InputStreamResponseListener();
    outgoing.send(listener);
    try {
      Response response = listener.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      long declared = response.getHeaders().getLongField("content-length");
      if (declared > limits.maxBodyBytes()) {
        throw new ResponseTooLargeException(limits.maxBodyBytes());
      }
      byte[] body = read(listener.getInputStream());
      return toNimbus(response, body);
    } catch (TimeoutException e) {
      throw new DeadlineExceededException(limits.deadline());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the provider");
    } catch (ExecutionException e) {
      throw transport(e.getCause());
    } catch (ResponseTooLargeException | InterruptedIOException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw transport(e);
    } finally {
      // a no-op once the exchange is complete; otherwise it closes the connection
      outgoing.abort(new IOException("the exchange was abandoned"));
    }
  }

  /** The body, up to the size cap (the client's total timeout ends a read that would pass the deadline). */
  private byte[] read(InputStream in) throws IOException {
    try (in) {
      byte[] body = in.readNBytes(limits.maxBodyBytes() + 1);
      if (body.length > limits.maxBodyBytes()) {
        throw new ResponseTooLargeException(limits.maxBodyBytes());
      }
      return body;
    }
  }

  /** The sender's own exception for what the client reported, keeping only its kind (never a message that might quote a body). */
  private IOException transport(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof EgressDeniedException denied) {
        return denied;
      }
      if (t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException
          || t instanceof java.net.http.HttpTimeoutException) {
        return new DeadlineExceededException(limits.deadline());
      }
      if (t instanceof javax.net.ssl.SSLException ssl) {
        return new javax.net.ssl.SSLException(ssl.getClass().getSimpleName());
      }
    }
    String kind = failure == null ? "unknown" : failure.getClass().getSimpleName();
    return new IOException("the exchange failed (" + kind + ")");
  }

  private Request build(Client client, ReadOnlyHTTPRequest request) {
    Request outgoing = client.http.newRequest(request.getURI())
        .method(request.getMethod().name())
        .timeout(limits.deadline().toMillis(), TimeUnit.MILLISECONDS);
    String contentType = null;
    List<HttpField> fields = new ArrayList<>();
    for (Map.Entry<String, List<String>> header : request.getHeaderMap().entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (RESTRICTED.contains(name)) {
        continue;
      }
      for (String value : header.getValue()) {
        if ("content-type".equals(name)) {
          contentType = value;
        }
        fields.add(new HttpField(header.getKey(), value));
      }
    }
    outgoing.headers(h -> fields.forEach(h::add));
    String body = request.getBody();
    if (body != null) {
      outgoing.body(new BytesRequestContent(contentType, body.getBytes(StandardCharsets.UTF_8)));
    }
    return outgoing;
  }

  private static HTTPResponse toNimbus(Response response, byte[] body) {
    HTTPResponse result = new HTTPResponse(response.getStatus());
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (HttpField f : response.getHeaders()) {
      headers.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(f.getValue());
    }
    headers.forEach((name, values) -> result.setHeader(name, values.toArray(String[]::new)));
    result.setBody(new String(body, StandardCharsets.UTF_8));
    return result;
  }
}
