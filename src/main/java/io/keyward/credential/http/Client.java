package io.keyward.credential.http;

import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * One JDK {@link HttpClient} with its own executor, so that it can be closed: Java 17's client has
 * no {@code close()}; shutting its executor down ends its work, and on a runtime that has
 * {@code close()} (21+) that is called too. The only place Keyward builds an HttpClient.
 */
final class Client implements AutoCloseable {
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  final HttpClient http;
  final ExecutorService executor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean retired = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  Client(HttpLimits limits, SSLContext tls) {
    int n = CLIENTS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "keyward-http-" + n + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    executor = Executors.newCachedThreadPool(factory);
    HttpClient.Builder builder = HttpClient.newBuilder()
        .executor(executor)
        .connectTimeout(limits.deadline())
        .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    http = builder.build();
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
    try {
      // Java 21+ (the image's runtime): the client first, while its executor still runs what closing needs;
      // it has no calls of Keyward's in flight (retire waits for them), so this does not block
      Method close = HttpClient.class.getMethod("close");
      close.invoke(http);
    } catch (NoSuchMethodException e) {
      // Java 17: shutting the executor down below ends its work; the selector ends when the client is collected
    } catch (ReflectiveOperationException | RuntimeException e) {
      // closing is best effort
    } finally {
      executor.shutdown();
    }
  }
}
