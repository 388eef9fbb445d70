package io.keyward.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP link on loopback between the operator and the mock API server, which a test can cut: every
 * open connection (watches included) is closed at once, as a network blip or an API server restart
 * closes them, and while it is down new connections are closed as soon as they are accepted.
 */
public final class ApiLink implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean down;
  private volatile boolean closed;

  public ApiLink(int targetPort) throws IOException {
    this.target = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "api-link-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The URL a client uses to reach the API server through this link. */
  public String url() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/";
  }

  /** Closes every connection open now; while {@code stayDown}, refuses new ones too. */
  public void cut(boolean stayDown) {
    down = stayDown;
    for (Socket s : Set.copyOf(open)) {
      close(s);
    }
  }

  /** Accepts connections again after {@link #cut(boolean) cut(true)}. */
  public void restore() {
    down = false;
  }

  /** Connections forwarded so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections closed on arrival while the link was down. */
  public int refused() {
    return refused.get();
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (down) {
        refused.incrementAndGet();
        close(client);
        continue;
      }
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        accepted.incrementAndGet();
        open.add(client);
        open.add(server);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        close(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> Relay.copy(from, to, this::close), "api-link-pump");
    t.setDaemon(true);
    t.start();
  }

  private void close(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // already closed
    }
    cut(true);
  }
}
