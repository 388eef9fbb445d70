package io.keyward.credential.http;

import io.keyward.credential.CredentialException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Provider URLs: which ones are accepted, and how one is shown (scheme, host and port only). */
public final class Endpoints {
  private Endpoints() {}

  /** An absolute http(s) URL with a host and without user info; errors name {@code field}. */
  public static URI url(String text, String field) throws CredentialException {
    if (text == null || text.isBlank()) {
      throw CredentialException.invalidConfiguration(field, "is required");
    }
    try {
      URI uri = new URI(text.strip());
      if (!uri.isAbsolute() || uri.getHost() == null || !httpOrHttps(uri)) {
        throw CredentialException.invalidConfiguration(field, "must be an absolute http or https URL with a host");
      }
      if (uri.getUserInfo() != null) {
        throw CredentialException.invalidConfiguration(field, "must not carry credentials; use clientSecretRef");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw CredentialException.invalidConfiguration(field, "is not a valid URL");
    }
  }

  /** Scheme, host and port (when the URL names one): safe to show. */
  public static String display(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
  }

  /** Scheme, host and effective port: the key of a host's share of calls. */
  static String hostKey(URI uri) {
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
    return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
  }

  static boolean httpOrHttps(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme());
  }
}
