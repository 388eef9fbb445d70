package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import io.keyward.credential.http.HttpSender;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code spec.auth.oauth2.issuerUrl}: the endpoints a spec leaves out (token, authorization, device
 * authorization, revocation) read from the provider's metadata document, OpenID Connect Discovery's
 * {@code <issuer>/.well-known/openid-configuration}, else RFC 8414's
 * {@code /.well-known/oauth-authorization-server<issuer path>}, parsed by Nimbus. The document is
 * fetched through the one outbound HTTP path (egress policy, deadline, size cap), must name the
 * issuer it was asked for (RFC 8414 §3.3), and is kept for {@link #CACHED_FOR}; a failure is not kept.
 */
final class ProviderMetadata {
  /** How long a metadata document is used before it is read again. */
  static final Duration CACHED_FOR = Duration.ofHours(1);

  private record Cached(Found endpoints, Instant until) {}

  /** The endpoints a document names; {@code null} where it names none. */
  record Found(String token, String authorization, String deviceAuthorization, String revocation) {}

  private final HttpSender http;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  ProviderMetadata(HttpSender http) {
    this.http = http;
  }

  /**
   * {@code auth} with the endpoints it leaves out filled from its issuer's metadata; itself without
   * issuerUrl, or when it already has what the caller needs ({@code enough}). The document is fetched
   * trusting the connector's caBundleRef (a private issuer), and cached per issuer and CA bundle.
   */
  OAuth2Auth resolve(OAuth2Auth auth, IssueContext context, java.util.function.Predicate<OAuth2Auth> enough,
      io.keyward.credential.http.TlsMaterial tls) throws CredentialException {
    if (auth.issuerUrl == null || auth.issuerUrl.isBlank() || complete(auth) || enough.test(auth)) {
      return auth;
    }
    Found found = endpoints(auth.issuerUrl, context, tls,
        auth.caBundleRef == null ? "" : sha256(context.secrets().get(auth.caBundleRef)));
    OAuth2Auth filled = copy(auth);
    filled.tokenUrl = auth.tokenUrl != null ? auth.tokenUrl : found.token();
    filled.authorizationUrl = auth.authorizationUrl != null ? auth.authorizationUrl : found.authorization();
    filled.deviceAuthorizationUrl = auth.deviceAuthorizationUrl != null ? auth.deviceAuthorizationUrl
        : found.deviceAuthorization();
    filled.revocationUrl = auth.revocationUrl != null ? auth.revocationUrl : found.revocation();
    if (filled.tokenUrl == null) {
      throw CredentialException.terminal("InvalidProviderMetadata", "the metadata of issuer " + auth.issuerUrl
          + " names no token_endpoint; set spec.auth.oauth2.tokenUrl");
    }
    return filled;
  }

  private static boolean complete(OAuth2Auth auth) {
    return auth.tokenUrl != null && auth.authorizationUrl != null && auth.deviceAuthorizationUrl != null
        && auth.revocationUrl != null;
  }

  private Found endpoints(String issuer, IssueContext context, io.keyward.credential.http.TlsMaterial tls,
      String trust) throws CredentialException {
    Instant now = context.clock().instant();
    String key = issuer + "|" + trust;
    Cached cached = cache.get(key);
    if (cached != null && now.isBefore(cached.until())) {
      return cached.endpoints();
    }
    URI issuerUri = io.keyward.credential.http.Endpoints.url(issuer, "spec.auth.oauth2.issuerUrl");
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    HTTPResponse response = get(URI.create(base + "/.well-known/openid-configuration"), context, tls);
    int status = response.getStatusCode();
    if (status != 200 && status >= 400 && status < 500 && status != 408 && status != 429) {
      // no OpenID Connect Discovery document there: RFC 8414's well-known URI
      String path = issuerUri.getRawPath() == null || issuerUri.getRawPath().equals("/") ? "" : issuerUri.getRawPath();
      response = get(issuerUri.resolve("/.well-known/oauth-authorization-server" + path), context, tls);
    }
    TokenResponses.requireAvailable(response, now, "metadata endpoint");
    if (response.getStatusCode() != 200) {
      throw CredentialException.terminal("ProviderMetadataNotFound", "issuer " + issuer + " serves no metadata"
          + " document (HTTP " + response.getStatusCode() + " at /.well-known/openid-configuration and"
          + " /.well-known/oauth-authorization-server); set the endpoints in the spec");
    }
    AuthorizationServerMetadata metadata;
    try {
      metadata = AuthorizationServerMetadata.parse(response.getBody());
    } catch (ParseException e) {
      throw CredentialException.terminal("InvalidProviderMetadata", "the metadata document of issuer " + issuer
          + " is not an authorization server metadata document");
    }
    if (!base.equals(strip(metadata.getIssuer().getValue()))) {
      throw CredentialException.terminal("InvalidProviderMetadata", "the metadata document of issuer " + issuer
          + " names another issuer; a document must name the issuer it is fetched for (RFC 8414 section 3.3)");
    }
    Found found = new Found(text(metadata.getTokenEndpointURI()),
        text(metadata.getAuthorizationEndpointURI()), text(metadata.getDeviceAuthorizationEndpointURI()),
        text(metadata.getRevocationEndpointURI()));
    cache.put(key, new Cached(found, now.plus(CACHED_FOR)));
    return found;
  }

  private HTTPResponse get(URI url, IssueContext context, io.keyward.credential.http.TlsMaterial tls)
      throws CredentialException {
    HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, url);
    request.setAccept("application/json");
    return http.call(request, tls, "metadata endpoint", context.caller());
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String strip(String issuer) {
    return issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
  }

  private static String text(URI uri) {
    return uri == null ? null : uri.toString();
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

  private static OAuth2Auth copy(OAuth2Auth auth) {
    return MAPPER.convertValue(auth, OAuth2Auth.class);
  }
}
