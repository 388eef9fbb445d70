package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §9: outbound HTTP lives in one place. Only {@code io.keyward.credential.http} builds an
 * HTTP client (Jetty's, the JDK's, or another library's), so the deadline, size cap, no-redirect rule and
 * per-host budget cannot be skipped. Servers (the operator's endpoints, local mode's demo
 * provider and embedded API) are not clients and are not concerned.
 */
class OutboundHttpArchitectureTest {
  static final Path MAIN = Path.of("src/main/java");
  static final Path HTTP = MAIN.resolve("io/keyward/credential/http");
  /** Ways to get an outbound HTTP client or connection without going through the http package. */
  static final Pattern CLIENTS = Pattern.compile(
      "HttpClient\\s*\\.\\s*new(Builder|HttpClient)|java\\.net\\.http\\.HttpClient|import\\s+java\\.net\\.http\\.\\*"
          + "|\\.openConnection\\s*\\(|HttpURLConnection|new\\s+Socket\\s*\\(|SocketChannel\\s*\\.\\s*open"
          + "|okhttp3|org\\.eclipse\\.jetty\\.client|org\\.apache\\.hc|org\\.apache\\.http|com\\.nimbusds\\.oauth2\\.sdk\\.http\\.DefaultResourceRetriever"
          + "|DefaultResourceRetriever|HTTPRequest\\.send\\s*\\(\\s*\\)|\\.send\\(\\s*\\)");

  @Test
  void onlyTheHttpPackageBuildsAnHttpClient() throws IOException {
    List<Path> sources;
    try (Stream<Path> files = Files.walk(MAIN)) {
      sources = files.filter(p -> p.toString().endsWith(".java")).filter(p -> !p.startsWith(HTTP)).toList();
    }
    assertThat(sources).hasSizeGreaterThan(50);
    for (Path source : sources) {
      String text = Files.readString(source);
      assertThat(CLIENTS.matcher(text).find())
          .as(source + " makes outbound HTTP calls of its own: go through io.keyward.credential.http.HttpSender")
          .isFalse();
    }
  }

  @Test
  void theHttpPackageIsWhereTheClientIsBuilt() throws IOException {
    // guards the guard: if the http package stopped building clients this way, the scan above would test nothing
    assertThat(Files.readString(HTTP.resolve("Client.java"))).containsPattern("new\\s+HttpClient\\s*\\(")
        .contains("import org.eclipse.jetty.client.HttpClient;");
  }
}
