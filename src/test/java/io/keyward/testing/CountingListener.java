package io.keyward.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on one loopback address that counts every connection it accepts and answers each
 * with a 200 and a token, so that a guard that lets a call through is seen twice: in the count and
 * in the caller's result. For tests of what must receive nothing (DESIGN §9: tests only ever use
 * loopback addresses, even to test a guard against others).
 */
public final class CountingListener implements AutoCloseable {
  private final ServerSocket socket;
  private final AtomicInteger accepted = new AtomicInteger();
  private final java.util.List<String> requestHeads = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Thread acceptor;

  /** Listens on {@code address}, which must be a loopback address (127.0.0.0/8 or ::1). */
  public CountingListener(String address) throws IOException {
    InetAddress a = InetAddress.getByName(address);
    if (!a.isLoopbackAddress()) {
      throw new IllegalArgumentException("tests listen on loopback addresses only, not " + address);
    }
    socket = new ServerSocket();
    socket.bind(new InetSocketAddress(a, 0));
    acceptor = new Thread(this::serve, "counting-listener-" + address);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        accepted.incrementAndGet();
        s.setSoTimeout(2000);
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[8192];
        int n = in.read(buffer); // enough of the request for a test; the answer does not depend on it
        requestHeads.add(n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        byte[] body = "{\"access_token\":\"must-not-be-seen\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
            .getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // closed, or a caller went away: keep counting
      }
    }
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** {@code http://<address>:<port>} with {@code path}; IPv6 addresses in brackets. */
  public String url(String scheme, String path) {
    String host = socket.getInetAddress().getHostAddress();
    return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + path;
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /**
   * Requests received whose Host header names {@code host}: connections the test made, not a stray
   * one from an earlier test whose client still dials the port this listener was given.
   */
  public int requestsFor(String host) {
    String header = "\r\nhost: " + host.toLowerCase(java.util.Locale.ROOT);
    return (int) requestHeads.stream().filter(h -> h.toLowerCase(java.util.Locale.ROOT).contains(header)).count();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
