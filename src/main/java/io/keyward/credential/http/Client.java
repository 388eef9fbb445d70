package io.keyward.credential.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * One HTTP client (Jetty's) with its own small thread pool, so that it can be closed on its own.
 * Connections go only to the addresses the {@link EgressResolver} permits; TLS verifies the URL's
 * host name (SNI and endpoint identification), not the address. No redirects, no authentication
 * challenges, no cookies kept between calls (two connectors of one host share nothing), no content
 * decoding (what the size cap counts is what the provider sent). The only place Keyward builds an
 * HTTP client.
 */
final class Client implements AutoCloseable {
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  final HttpClient http;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean retired = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  Client(HttpLimits limits, SSLContext tls, EgressResolver resolver) {
    String name = "keyward-http-" + CLIENTS.incrementAndGet();
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName(name);
    threads.setDaemon(true);
    threads.setReservedThreads(0);
    SslContextFactory.Client ssl = new SslContextFactory.Client();
    ssl.setEndpointIdentificationAlgorithm("HTTPS");
    if (tls != null) {
      ssl.setSslContext(tls);
    }
    ClientConnector connector = new ClientConnector();
    connector.setSelectors(1);
    connector.setExecutor(threads);
    connector.setScheduler(new ScheduledExecutorScheduler(name + "-scheduler", true));
    connector.setSslContextFactory(ssl);
    connector.setConnectTimeout(limits.deadline());
    connector.setTCPNoDelay(true);
    http = new HttpClient(new HttpClientTransportOverHTTP(connector));
    http.setName(name);
    http.setExecutor(threads);
    http.setSocketAddressResolver(resolver);
    http.setFollowRedirects(false);
    http.setHttpCookieStore(new HttpCookieStore.Empty());
    http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "keyward"));
    http.setConnectTimeout(limits.deadline().toMillis());
    http.setIdleTimeout(limits.deadline().toMillis());
    http.setMaxConnectionsPerDestination(limits.maxCallsPerHost());
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("the HTTP client did not start (" + e.getClass().getSimpleName() + ")", e);
    }
    // start() installs the defaults; then they go: no redirects, no 401/407 challenges, no 100-continue,
    // and no content decoding (no Accept-Encoding sent, nothing inflated past the size cap)
    http.getProtocolHandlers().clear();
    http.getContentDecoderFactories().clear();
  }

  /** Marks a call in flight; {@code false} if the client was closed meanwhile. */
  boolean enter() {
    inFlight.incrementAndGet();
    if (closed.get()) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  void leave() {
    if (inFlight.decrementAndGet() == 0 && retired.get()) {
      close();
    }
  }

  /** No new calls will come (evicted from a cache): closes once the calls in flight are done. */
  void retire() {
    retired.set(true);
    if (inFlight.get() == 0) {
      close();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    boolean interrupted = Thread.interrupted(); // stopping waits for its threads: not from an interrupted one
    try {
      http.stop(); // stops its connector, selector, pool and scheduler
    } catch (Exception e) {
      // closing is best effort
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
