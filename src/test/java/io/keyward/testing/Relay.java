package io.keyward.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.function.Consumer;

/** One direction of a loopback link that a test can cut (ApiLink, ProviderLink): bytes from one socket to the other. */
final class Relay {
  private Relay() {}

  /** Copies {@code from} to {@code to} until either ends, then closes both with {@code close}. */
  static void copy(Socket from, Socket to, Consumer<Socket> close) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // cut, or closed by either end
    } finally {
      close.accept(from);
      close.accept(to);
    }
  }
}
