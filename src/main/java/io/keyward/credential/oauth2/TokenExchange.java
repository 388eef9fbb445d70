package io.keyward.credential.oauth2;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import io.keyward.credential.CredentialException;
import io.keyward.credential.HttpFields;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.http.Endpoints;
import io.keyward.credential.http.HttpSender;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import net.minidev.json.JSONObject;

/**
 * The second step of two-step minting: a JWT Keyward minted is POSTed as a Bearer token to an
 * endpoint that answers with the credential to publish, e.g. a GitHub App's installation access
 * token ({@code {"token": "ghs_…", "expires_at": "2026-11-22T11:00:00Z"}}). Transport failures,
 * 5xx and 429 are transient; any other refusal is terminal. Response bodies are never shown.
 */
public final class TokenExchange {
  /**
   * @param url where to POST
   * @param tokenField the response field with the token ({@code null}: {@code token})
   * @param expiresAtField the response field with an absolute expiry ({@code null}: {@code expires_at})
   * @param headers extra request headers
   * @param tokenType the scheme of the published header ({@code null}: {@code Bearer})
   */
  public record Endpoint(String url, String tokenField, String expiresAtField, Map<String, String> headers,
      String tokenType) {}

  private static final String FIELD = "spec.auth.jwt.exchange";
  private final HttpSender sender;

  public TokenExchange(HttpSender sender) {
    this.sender = sender;
  }

  public IssuedCredential exchange(String jwt, Endpoint endpoint, Instant now, Duration defaultLifetime)
      throws CredentialException {
    return exchange(jwt, endpoint, now, defaultLifetime, io.keyward.credential.http.Caller.anonymous(now));
  }

  /** @param caller the connector, for the exchange host's turns */
  public IssuedCredential exchange(String jwt, Endpoint endpoint, Instant now, Duration defaultLifetime,
      io.keyward.credential.http.Caller caller) throws CredentialException {
    URI url = Endpoints.url(endpoint.url(), FIELD + ".url");
    String type = blankToDefault(endpoint.tokenType(), "Bearer");
    HttpFields.requireSpec(HttpFields.Rule.TOKEN, type, FIELD + ".tokenType", "authentication scheme");
    requireHeaders(endpoint.headers());
    HTTPRequest request = new HTTPRequest(HTTPRequest.Method.POST, url);
    if (endpoint.headers() != null) {
      endpoint.headers().forEach(request::setHeader);
    }
    request.setAuthorization(new BearerAccessToken(jwt).toAuthorizationHeader());
    if (request.getAccept() == null) {
      request.setAccept("application/json");
    }
    HTTPResponse response = sender.call(request, null, "exchange endpoint", caller);
    int status = response.getStatusCode();
    String where = "exchange endpoint " + Endpoints.display(url);
    TokenResponses.requireAvailable(response, now, where);
    if (status < 200 || status >= 300) {
      // GitHub: 401 for a JWT it cannot verify (wrong key, app id, or clock), 404 for an unknown installation
      throw CredentialException.terminal("TokenRequestRejected", where + " refused the minted JWT (HTTP " + status
          + "); check the signing key, the claims and the URL").classified(status == 401 ? "invalid_client" : "rejected");
    }
    JSONObject json = TokenResponses.jsonBody(response);
    String tokenField = blankToDefault(endpoint.tokenField(), "token");
    if (!(json.get(tokenField) instanceof String token) || token.isBlank()) {
      throw CredentialException.transientFailure("InvalidTokenResponse",
          where + " answered HTTP " + status + " without the field " + tokenField, null);
    }
    HttpFields.requireResponse(HttpFields.Rule.VISIBLE, token, where, "field " + tokenField);
    Instant expiresAt = TokenResponses.absoluteExpiry(json, blankToDefault(endpoint.expiresAtField(), "expires_at"));
    Long lifetime = lifetime(json);
    if (expiresAt == null && lifetime != null && lifetime <= 0) {
      expiresAt = now; // already expired: ExpiredOnIssue, not the default lifetime
    } else if (expiresAt == null) {
      BearerAccessToken parsed = new BearerAccessToken(token, lifetime == null ? 0 : lifetime, null);
      expiresAt = TokenResponses.expiry(parsed, now, defaultLifetime);
    }
    return IssuedCredential.authorization(type, token, now, expiresAt);
  }

  /** {@code expires_in} in seconds, or {@code null} when absent or not a number. */
  private static Long lifetime(JSONObject json) {
    Object v = json.get("expires_in");
    if (v instanceof Number n) {
      return n.longValue();
    }
    try {
      return v == null ? null : Long.parseLong(v.toString().strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Header names must be RFC 7230 tokens and values printable; the errors name the header, never its value. */
  private static void requireHeaders(Map<String, String> headers) throws CredentialException {
    if (headers == null) {
      return;
    }
    int i = 0;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      HttpFields.requireSpec(HttpFields.Rule.TOKEN, name, FIELD + ".headers (entry " + (i + 1) + ")",
          "HTTP header name");
      if (header.getValue() == null) {
        throw CredentialException.invalidConfiguration(FIELD + ".headers." + name, "has no value");
      }
      HttpFields.requireSpec(HttpFields.Rule.PRINTABLE, header.getValue(), FIELD + ".headers." + name,
          "HTTP header value");
      i++;
    }
  }

  private static String blankToDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
