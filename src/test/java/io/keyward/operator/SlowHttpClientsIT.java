package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that open a connection to the operator's HTTP port and never finish their request (a
 * slowloris, a stuck scraper) cannot keep the kubelet's probes unanswered: the workers outnumber a
 * few of them, and the JDK server cuts off any request not sent within its limit.
 */
class SlowHttpClientsIT extends OperatorHarness {
  @Test
  void probesAreAnsweredWhileHalfSentRequestsHoldConnections() throws Exception {
    assertThat(System.getProperty("sun.net.httpserver.maxReqTime")).isEqualTo(OperatorHttpServer.MAX_REQUEST_SECONDS);
    List<Socket> slow = new ArrayList<>();
    try (OperatorHttpServer server = OperatorHttpServer.start(operator, 0)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI healthz = URI.create("http://127.0.0.1:" + server.port() + "/healthz");
      // more half-sent requests than there are workers: they hold every one of them for a while
      for (int i = 0; i < OperatorHttpServer.WORKERS + 4; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        OutputStream out = s.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(s);
      }
      // the kubelet retries a probe: answered once the limit cut the slow ones off (10 s), not never
      long started = System.nanoTime();
      HttpResponse<String> probe = http.send(HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(90)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(probe.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(90));
      // and a few slow clients (fewer than the workers) do not delay it at all beyond the machine's noise
      for (Socket s : slow) {
        s.close();
      }
      slow.clear();
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        s.getOutputStream().write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      HttpResponse<String> again = http.send(HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(9)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(again.statusCode()).as("answered before any slow client was cut off").isEqualTo(200);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void onAProbePortOfTheirOwnProbesAreAnsweredAtOnceWhileTheMainPortIsSaturated() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try (OperatorHttpServer server = OperatorHttpServer.start(operator, 0, 0)) {
      assertThat(server.probePort()).isNotEqualTo(server.port());
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (int i = 0; i < OperatorHttpServer.WORKERS + 4; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      for (String path : List.of("/healthz", "/readyz")) {
        HttpResponse<String> probe = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.probePort() + path)).timeout(Duration.ofSeconds(8)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(probe.statusCode()).as(path + ", long before the main port's slow clients are cut off")
            .isEqualTo(200);
      }
      HttpResponse<String> other = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.probePort() + "/metrics")).timeout(Duration.ofSeconds(8)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).as("the probe port serves the probes only").isEqualTo(404);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }
}
