package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequestSender;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.CredentialIssuer;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.Notice;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * OAuth 2.0 token requests through the Nimbus SDK. Grants: client credentials. Client
 * authentication: {@code client_secret_basic}, {@code client_secret_post}.
 */
public final class OAuth2Issuer implements CredentialIssuer<OAuth2Auth> {
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
  private final HTTPRequestSender http;

  public OAuth2Issuer(HTTPRequestSender http) {
    this.http = http;
  }

  @Override
  public Class<OAuth2Auth> authClass() {
    return OAuth2Auth.class;
  }

  @Override
  public IssuedCredential issue(OAuth2Auth auth, IssueContext context) throws CredentialException {
    URI tokenUrl = tokenUrl(auth.tokenUrl);
    String clientId = auth.clientId != null ? auth.clientId : context.secrets().get(auth.clientIdRef).strip();
    if (clientId.isEmpty()) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.clientId", "the client ID is empty");
    }
    Secret secret = new Secret(context.secrets().get(auth.clientSecretRef));
    ClientAuthentication clientAuth = switch (auth.clientAuthenticationOrDefault()) {
      case clientSecretBasic -> new ClientSecretBasic(new ClientID(clientId), secret);
      case clientSecretPost -> new ClientSecretPost(new ClientID(clientId), secret);
    };

    TokenRequest.Builder request = new TokenRequest.Builder(tokenUrl, clientAuth, new ClientCredentialsGrant());
    if (auth.scopes != null && !auth.scopes.isEmpty()) {
      request.scope(new Scope(auth.scopes.toArray(String[]::new)));
    }
    if (auth.audience != null && !auth.audience.isBlank()) {
      request.customParameter("audience", auth.audience);
    }
    if (auth.extraParams != null) {
      auth.extraParams.forEach(request::customParameter);
    }

    Instant requestedAt = context.clock().instant();
    HTTPResponse response = send(request.build(), tokenUrl);
    IssuedCredential issued = TokenResponses.toCredential(response, requestedAt, context.defaultLifetime());
    return withNotices(issued, notices(tokenUrl));
  }

  private HTTPResponse send(TokenRequest request, URI tokenUrl) throws CredentialException {
    try {
      return request.toHTTPRequest().send(http);
    } catch (ResponseTooLargeException e) {
      throw CredentialException.transientFailure("InvalidTokenResponse", "token endpoint " + endpoint(tokenUrl)
          + " sent a response larger than " + e.limitBytes() + " bytes", null);
    } catch (HttpTimeoutException e) {
      throw CredentialException.transientFailure(
          "TokenEndpointUnreachable", "token endpoint " + endpoint(tokenUrl) + " did not answer in time", null);
    } catch (IOException e) {
      throw CredentialException.transientFailure("TokenEndpointUnreachable",
          "token endpoint " + endpoint(tokenUrl) + " could not be reached (" + e.getClass().getSimpleName() + ")",
          null);
    }
  }

  static URI tokenUrl(String text) throws CredentialException {
    if (text == null || text.isBlank()) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.tokenUrl", "is required");
    }
    try {
      URI uri = new URI(text.strip());
      if (!uri.isAbsolute() || uri.getHost() == null
          || !("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))) {
        throw CredentialException.invalidConfiguration(
            "spec.auth.oauth2.tokenUrl", "must be an absolute http or https URL with a host");
      }
      if (uri.getUserInfo() != null) {
        throw CredentialException.invalidConfiguration(
            "spec.auth.oauth2.tokenUrl", "must not carry credentials; use clientSecretRef");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.tokenUrl", "is not a valid URL");
    }
  }

  /** Scheme, host and port only: safe to show. */
  static String endpoint(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
  }

  private static List<Notice> notices(URI tokenUrl) {
    if ("http".equalsIgnoreCase(tokenUrl.getScheme()) && !LOOPBACK.contains(tokenUrl.getHost())) {
      return List.of(new Notice("InsecureTokenUrl",
          "the token endpoint uses plain http: the client secret and tokens cross the network unencrypted"));
    }
    return List.of();
  }

  private static IssuedCredential withNotices(IssuedCredential c, List<Notice> extra) {
    if (extra.isEmpty()) {
      return c;
    }
    List<Notice> all = new ArrayList<>(c.notices());
    all.addAll(extra);
    return new IssuedCredential(c.headerName(), c.headerValue(), c.token(), c.tokenType(),
        c.issuedAt(), c.expiresAt(), c.extraOutput(), all);
  }

  static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }
}
