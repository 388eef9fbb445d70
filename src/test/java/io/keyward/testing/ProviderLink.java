package io.keyward.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP link on loopback between the operator and a token endpoint, on a port that stays the same
 * while the test breaks the link the ways a network or a provider breaks: the port closed (connection
 * refused), a listener whose accept queue is full (the connection never completes), a provider that
 * reads the request and never sends its headers, or one that sends its headers and then trickles the
 * body. {@link #heal()} forwards to the endpoint again, on the same port, so the connector's URL never
 * changes. Loopback only (DESIGN §9).
 */
public final class ProviderLink implements AutoCloseable {
  /** How the link treats a connection. */
  public enum Fault {
    /** forwarded to the endpoint */
    NONE,
    /** the port is closed: a connection is refused */
    REFUSED,
    /** a listener that never accepts, its accept queue full: a connection never completes */
    CONNECT_STALLED,
    /** the request is read, and nothing is ever answered */
    HEADERS_WITHHELD,
    /** the headers of a good answer at once, then its body one byte every interval */
    BODY_TRICKLED
  }

  /** What a trickled answer would have said, had it finished: a token response that must never be published. */
  public static final String TRICKLED_TOKEN = "access-token-trickled-never-complete";

  private final int target;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Socket> fillers = new ArrayList<>();
  private final List<Instant> faultRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger abandoned = new AtomicInteger();
  private volatile ServerSocket listener;
  private volatile Thread acceptor;
  private volatile ServerSocket stalled;
  private volatile Fault fault = Fault.NONE;
  private volatile Duration trickle = Duration.ofMillis(250);
  private volatile boolean closed;

  /** A link to the endpoint on loopback port {@code targetPort}. */
  public ProviderLink(int targetPort) throws IOException {
    this.target = targetPort;
    ServerSocket first = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    this.port = first.getLocalPort();
    listen(first);
  }

  /** {@code http://127.0.0.1:<port><path>}: what a connector names as its token URL. */
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** The endpoint as Keyward's messages name it ({@code http://127.0.0.1:<port>}). */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  public Fault fault() {
    return fault;
  }

  /** Closes the port: every open connection is closed, and new ones are refused. */
  public synchronized void refuse() {
    breakWith(Fault.REFUSED);
    closeListener();
  }

  /**
   * Replaces the listener with one that never accepts, and fills its accept queue: the kernel then
   * drops new connection attempts, which never complete. Checks that a connection attempt now times out.
   */
  public synchronized void stallConnects() throws IOException {
    breakWith(Fault.CONNECT_STALLED);
    closeListener();
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 1);
    stalled = s;
    for (int i = 0; i < 64; i++) {
      Socket filler = new Socket();
      try {
        filler.connect(new InetSocketAddress("127.0.0.1", port), 500);
        fillers.add(filler);
      } catch (SocketTimeoutException e) {
        filler.close();
        break; // the queue is full
      }
    }
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      throw new IllegalStateException("a connection to a full accept queue completed: connect stalls are not "
          + "reproducible on this machine");
    } catch (SocketTimeoutException expected) {
      // the connection attempt hangs, as it should
    }
  }

  /** New connections have their request read and are never answered; open ones are closed. */
  public synchronized void withholdHeaders() {
    breakWith(Fault.HEADERS_WITHHELD);
  }

  /**
   * New connections get the headers of a good answer (200, a Content-Length) at once, then its body
   * one byte every {@code interval}; open ones are closed.
   */
  public synchronized void trickleBody(Duration interval) {
    trickle = interval;
    breakWith(Fault.BODY_TRICKLED);
  }

  /** Forwards to the endpoint again, on the same port; connections of the fault are closed. */
  public synchronized void heal() throws IOException {
    Fault was = fault;
    fault = Fault.NONE;
    cut();
    if (was == Fault.CONNECT_STALLED) {
      for (Socket s : fillers) {
        quietly(s);
      }
      fillers.clear();
      quietly(stalled);
      stalled = null;
    }
    if (listener == null) {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 50);
      listen(s);
    }
  }

  /** When each request reached the link while it withheld headers or trickled a body. */
  public List<Instant> faultRequests() {
    return List.copyOf(faultRequests);
  }

  /** Connections of a fault on which the client hung up before the answer was complete. */
  public int abandoned() {
    return abandoned.get();
  }

  private void breakWith(Fault f) {
    fault = f;
    cut();
  }

  private void cut() {
    for (Socket s : Set.copyOf(open)) {
      quietly(s);
    }
  }

  /** Closes the listener and waits for its acceptor to end: only then is the port free to bind again. */
  private void closeListener() {
    ServerSocket l = listener;
    listener = null;
    quietly(l);
    Thread t = acceptor;
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void listen(ServerSocket s) {
    listener = s;
    Thread t = new Thread(() -> accept(s), "provider-link-accept");
    t.setDaemon(true);
    acceptor = t;
    t.start();
  }

  private void accept(ServerSocket from) {
    while (!closed && !from.isClosed()) {
      Socket client;
      try {
        client = from.accept();
      } catch (IOException e) {
        return; // closed
      }
      open.add(client);
      Fault now = fault;
      switch (now) {
        case HEADERS_WITHHELD, BODY_TRICKLED -> start(() -> misbehave(client, now));
        default -> forward(client);
      }
    }
  }

  private void forward(Socket client) {
    try {
      Socket server = new Socket(InetAddress.getByName("127.0.0.1"), target);
      open.add(server);
      start(() -> pump(client, server));
      start(() -> pump(server, client));
    } catch (IOException e) {
      quietly(client);
    }
  }

  private void pump(Socket from, Socket to) {
    Relay.copy(from, to, this::quietly);
  }


  private void misbehave(Socket client, Fault how) {
    try (client) {
      InputStream in = client.getInputStream();
      if (!readRequest(in)) {
        return;
      }
      faultRequests.add(Instant.now());
      if (how == Fault.HEADERS_WITHHELD) {
        while (in.read() >= 0) {
          // nothing is ever answered; wait for the client to give up
        }
        abandoned.incrementAndGet();
        return;
      }
      byte[] body = ("{\"access_token\":\"" + TRICKLED_TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
          .getBytes(StandardCharsets.US_ASCII);
      OutputStream out = client.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      client.setSoTimeout(20);
      for (byte b : body) {
        out.write(b);
        out.flush();
        long until = System.nanoTime() + trickle.toNanos();
        while (System.nanoTime() < until) { // meanwhile, notice at once when the client hangs up
          try {
            if (in.read() < 0) {
              throw new IOException("the client closed the connection");
            }
          } catch (SocketTimeoutException e) {
            // still there
          }
        }
      }
    } catch (IOException e) {
      abandoned.incrementAndGet();
    } finally {
      open.remove(client);
    }
  }

  /** Reads one request (head and a Content-Length body); {@code false} when the client went away first. */
  private static boolean readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int matched = 0;
    while (matched < 4) { // the request head ends with CRLF CRLF
      int b = in.read();
      if (b < 0) {
        return false;
      }
      head.append((char) b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    long length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring("content-length:".length()).strip());
      }
    }
    in.skipNBytes(length);
    return true;
  }

  private static void start(Runnable r) {
    Thread t = new Thread(r, "provider-link");
    t.setDaemon(true);
    t.start();
  }

  private void quietly(java.io.Closeable c) {
    if (c instanceof Socket s) {
      open.remove(s);
    }
    try {
      if (c != null) {
        c.close();
      }
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    closeListener();
    quietly(stalled);
    fillers.forEach(this::quietly);
    cut();
  }
}
