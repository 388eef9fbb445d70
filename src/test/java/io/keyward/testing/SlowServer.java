package io.keyward.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token endpoint on loopback that answers its headers at once and then trickles the body, one
 * byte every {@code interval}, so that an HTTP client which bounds only the wait for headers would
 * wait for ever. Counts what it saw: connections, requests in progress at once, and connections the
 * client gave up on (a write failed).
 */
public final class SlowServer implements AutoCloseable {
  private final ServerSocket socket;
  private final Duration interval;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicInteger abandoned = new AtomicInteger();
  private volatile boolean closed;

  /** Requests open at once across several servers (several "hosts" of one tenant). */
  public static final class Group {
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();

    public int maxOpen() {
      return maxOpen.get();
    }
  }

  private final Group group;

  public SlowServer(Duration interval) throws IOException {
    this(interval, new Group());
  }

  public SlowServer(Duration interval, Group group) throws IOException {
    this.group = group;
    this.interval = interval;
    socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    Thread acceptor = new Thread(this::accept, "slow-server-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + socket.getLocalPort() + path;
  }

  public int accepted() {
    return accepted.get();
  }

  /** The most requests this server was answering at the same time. */
  public int maxOpen() {
    return maxOpen.get();
  }

  /** Connections on which the client stopped listening before the body was complete. */
  public int abandoned() {
    return abandoned.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = socket.accept();
        accepted.incrementAndGet();
        Thread t = new Thread(() -> trickle(s), "slow-server-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void trickle(Socket s) {
    int now = open.incrementAndGet();
    maxOpen.accumulateAndGet(now, Math::max);
    group.maxOpen.accumulateAndGet(group.open.incrementAndGet(), Math::max);
    try (s) {
      InputStream in = s.getInputStream();
      int matched = 0;
      while (matched < 4) { // the request head ends with CRLF CRLF
        int b = in.read();
        if (b == -1) {
          return;
        }
        matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      OutputStream out = s.getOutputStream();
      int length = 100;
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      s.setSoTimeout(50);
      for (int i = 0; i < length && !closed; i++) {
        out.write(' ');
        out.flush();
        long until = System.nanoTime() + interval.toNanos();
        while (System.nanoTime() < until) { // meanwhile, notice at once when the client hangs up
          try {
            if (in.read() == -1) {
              throw new IOException("the client closed the connection");
            }
          } catch (java.net.SocketTimeoutException e) {
            // still there
          }
        }
      }
    } catch (IOException e) {
      abandoned.incrementAndGet();
    } finally {
      open.decrementAndGet();
      group.open.decrementAndGet();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing
    }
  }
}
