package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import io.keyward.credential.CredentialException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP port of the OAuth 2.0 issuer: the plain sender for ordinary endpoints, and one sender
 * per distinct {@link TlsMaterial} (CA bundle, client certificate), built once and reused.
 */
public final class HttpSenders {
  private final HTTPRequestSender plain;
  private final Map<String, HTTPRequestSender> withTls = new ConcurrentHashMap<>();

  public HttpSenders(HTTPRequestSender plain) {
    this.plain = plain;
  }

  HTTPRequestSender forTls(TlsMaterial tls) throws CredentialException {
    if (tls == null) {
      return plain;
    }
    HTTPRequestSender cached = withTls.get(tls.cacheKey());
    if (cached != null) {
      return cached;
    }
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .sslContext(tls.sslContext())
        .build();
    HTTPRequestSender sender = new JdkHttpSender(client, Duration.ofSeconds(30), 1 << 20);
    withTls.put(tls.cacheKey(), sender);
    return sender;
  }
}
