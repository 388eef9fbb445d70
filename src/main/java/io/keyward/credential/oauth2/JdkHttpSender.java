package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP port the OAuth 2.0 issuer talks through: Nimbus requests sent with the JDK's
 * {@link HttpClient}, with a timeout and a cap on the response size so that a broken endpoint
 * answering megabytes cannot exhaust memory.
 */
public final class JdkHttpSender implements HTTPRequestSender {
  /** Headers the JDK client sets itself and refuses to be given. */
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

  private final HttpClient client;
  private final Duration timeout;
  private final int maxBodyBytes;

  public JdkHttpSender(HttpClient client, Duration timeout, int maxBodyBytes) {
    this.client = client;
    this.timeout = timeout;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** 10 s to connect, 30 s per request, 1 MiB of response at most. */
  public static JdkHttpSender withDefaults() {
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    return new JdkHttpSender(client, Duration.ofSeconds(30), 1 << 20);
  }

  @Override
  public ReadOnlyHTTPResponse send(ReadOnlyHTTPRequest request) throws IOException {
    String body = request.getBody();
    HttpRequest.Builder builder = HttpRequest.newBuilder(request.getURI())
        .timeout(timeout)
        .method(request.getMethod().name(), body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (Map.Entry<String, List<String>> header : request.getHeaderMap().entrySet()) {
      if (RESTRICTED.contains(header.getKey().toLowerCase())) {
        continue;
      }
      for (String value : header.getValue()) {
        builder.header(header.getKey(), value);
      }
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the token endpoint");
    }
    HTTPResponse result = new HTTPResponse(response.statusCode());
    response.headers().map().forEach((name, values) -> {
      if (!name.startsWith(":")) {
        result.setHeader(name, values.toArray(String[]::new));
      }
    });
    try (InputStream in = response.body()) {
      result.setBody(readCapped(in));
    }
    return result;
  }

  private String readCapped(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) != -1) {
      if (out.size() + n > maxBodyBytes) {
        throw new ResponseTooLargeException(maxBodyBytes);
      }
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
