package io.keyward.credential.oauth2;

import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import io.keyward.credential.CredentialException;
import io.keyward.credential.HttpFields;
import io.keyward.credential.IssuedCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.minidev.json.JSONObject;

/**
 * Reads a token endpoint's answer: classifies failures, tolerates the common quirks
 * ({@code expires_in} as a string, a missing {@code token_type}), and works out the expiry.
 * Nothing of the response body is ever copied into an error message.
 */
final class TokenResponses {
  private static final Pattern SAFE_ERROR_CODE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
  private static final java.util.Set<String> FORBIDDEN_OUTPUT =
      java.util.Set.of("access_token", "refresh_token", "id_token", "client_secret");

  private TokenResponses() {}

  /** How one provider deviates from RFC 6749 responses. */
  record Quirks(boolean expiresInMillis, String expiresAtField, List<String> outputFields) {
    static final Quirks NONE = new Quirks(false, null, List.of());
  }

  /**
   * A successful token response.
   *
   * @param refreshToken the refresh token it carried, or {@code null}
   */
  record Result(IssuedCredential credential, String refreshToken) {
    /** Never prints the refresh token. */
    @Override
    public String toString() {
      return "Result[" + credential + ", refreshToken=" + (refreshToken != null) + "]";
    }
}

  /** Error codes that mean "try later", whatever the HTTP status. */
  private static final java.util.Set<String> TRANSIENT_ERROR_CODES =
      java.util.Set.of("temporarily_unavailable", "server_error", "slow_down");
  /** RFC 6749 §5.2 error codes: a closed set, safe as a metric label. */
  private static final java.util.Set<String> KNOWN_ERROR_CODES = java.util.Set.of("invalid_request", "invalid_client",
      "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope");

  static Result parse(HTTPResponse response, Instant requestedAt, Duration defaultLifetime, Quirks quirks)
      throws CredentialException {
    int status = response.getStatusCode();
    requireAvailable(response, requestedAt, "token endpoint");
    JSONObject json = jsonBody(response);
    if (status < 200 || status >= 300 || json.containsKey("error")) {
      throw rejected(status, json);
    }
    if (!(json.get("access_token") instanceof String token) || token.isBlank()) {
      throw CredentialException.transientFailure("InvalidTokenResponse",
          "token endpoint answered HTTP " + status + " without an access_token", null);
    }
    // before anything else reads it: a control character or space would split the header (DESIGN §9)
    HttpFields.requireResponse(HttpFields.Rule.VISIBLE, token, "token endpoint", "access_token");
    if (json.get("token_type") instanceof String t && !t.isBlank()) {
      // before a provider's own token type is read as Bearer: an unsafe one is refused, not relabelled
      HttpFields.requireResponse(HttpFields.Rule.TOKEN, t, "token endpoint", "token_type");
    }
    Instant absoluteExpiry = absoluteExpiry(json, quirks.expiresAtField());
    boolean expiredOnIssue = normaliseQuirks(json, quirks.expiresInMillis());
    Map<String, String> extra = outputFields(json, quirks.outputFields());
    Tokens tokens;
    try {
      tokens = AccessTokenResponse.parse(json).getTokens();
    } catch (ParseException e) {
      throw CredentialException.transientFailure("InvalidTokenResponse",
          "token endpoint answered HTTP " + status + " with a malformed token response", null);
    }
    AccessToken accessToken = tokens.getAccessToken();
    Instant expiresAt = absoluteExpiry != null ? absoluteExpiry
        : expiredOnIssue ? requestedAt : expiry(accessToken, requestedAt, defaultLifetime);
    String type = accessToken.getType().getValue();
    String tokenType = "bearer".equalsIgnoreCase(type) ? "Bearer" : type;
    IssuedCredential credential = IssuedCredential.authorization(tokenType, accessToken.getValue(), requestedAt, expiresAt)
        .withExtraOutput(extra);
    return new Result(credential, tokens.getRefreshToken() == null ? null : tokens.getRefreshToken().getValue());
  }

  /**
   * The refresh token of a success answer that could not otherwise be used (no or an unsafe access
   * token, a malformed field), or {@code null}. It is kept in state only, never put in a header, so
   * only its presence matters here.
   */
  static String refreshTokenOf(HTTPResponse response) {
    int status = response.getStatusCode();
    if (status < 200 || status >= 300 || response.getBody() == null) {
      return null;
    }
    try {
      Object token = JSONObjectUtils.parse(response.getBody()).get("refresh_token");
      return token instanceof String s && !s.isBlank() ? s : null;
    } catch (ParseException e) {
      return null;
    }
  }

  /** The fields named in {@code outputFields}, as strings; credentials are never copied. */
  private static Map<String, String> outputFields(JSONObject json, List<String> names) throws CredentialException {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      HttpFields.requireSpec(HttpFields.Rule.SECRET_KEY, name, "spec.auth.oauth2.outputFields[" + i + "]",
          "Secret key");
      if (FORBIDDEN_OUTPUT.contains(name)) {
        throw CredentialException.invalidConfiguration("spec.auth.oauth2.outputFields",
            "'" + name + "' is a credential and is never copied into the output Secret");
      }
      Object value = json.get(name);
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        HttpFields.requireResponse(HttpFields.Rule.TEXT, value.toString(), "token endpoint", "field " + name);
        out.put(name, value.toString());
      }
    }
    return out;
  }

  static Instant absoluteExpiry(JSONObject json, String field) {
    if (field == null || field.isBlank() || json.get(field) == null) {
      return null;
    }
    Object value = json.get(field);
    try {
      if (value instanceof Number n) {
        return Instant.ofEpochSecond(n.longValue());
      }
      String text = value.toString().strip();
      return text.matches("\\d+") ? Instant.ofEpochSecond(Long.parseLong(text)) : Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** 5xx, 429 and 408 mean "try later": a transient failure, classified, honouring Retry-After. */
  static void requireAvailable(HTTPResponse response, Instant now, String what) throws CredentialException {
    int status = response.getStatusCode();
    if (status >= 500 || status == 429 || status == 408) {
      throw CredentialException.transientFailure("TokenEndpointUnavailable", what + " answered HTTP " + status,
          retryAfter(response, now))
          .classified(status == 429 ? "rate_limited" : status == 408 ? "timeout" : "server_error");
    }
  }

  static JSONObject jsonBody(HTTPResponse response) throws CredentialException {
    String body = response.getBody();
    if (body == null || body.isBlank()) {
      throw problem(response.getStatusCode(), "an empty body");
    }
    try {
      return JSONObjectUtils.parse(body);
    } catch (ParseException e) {
      String contentType = response.getHeaderValue("Content-Type");
      String what = "a body that is not a JSON object"
          + (contentType == null ? "" : " (Content-Type " + safe(contentType.split(";")[0].strip()) + ")");
      throw problem(response.getStatusCode(), what);
    }
  }

  private static CredentialException problem(int status, String what) {
    String message = "token endpoint answered HTTP " + status + " with " + what;
    return status >= 200 && status < 300
        ? CredentialException.transientFailure("InvalidTokenResponse", message, null)
        : CredentialException.terminal("TokenRequestRejected", message);
  }

  /** The {@code error} code of an error answer, when it is a safe word; else {@code null}. */
  static String errorCode(HTTPResponse response) {
    try {
      Object code = JSONObjectUtils.parse(response.getBody() == null ? "" : response.getBody()).get("error");
      return code instanceof String c && SAFE_ERROR_CODE.matcher(c).matches() ? c : null;
    } catch (ParseException e) {
      return null;
    }
  }

  /** {@code code} when it is safe to show, else {@code unspecified error}. */
  static String safeCode(String code) {
    return code != null && SAFE_ERROR_CODE.matcher(code).matches() ? code : "unspecified error";
  }

  private static CredentialException rejected(int status, JSONObject json) {
    ErrorObject error;
    try {
      error = TokenErrorResponse.parse(json).getErrorObject();
    } catch (ParseException e) {
      error = null;
    }
    String code = error == null || error.getCode() == null ? null : error.getCode();
    String shown = safeCode(code);
    if (code != null && TRANSIENT_ERROR_CODES.contains(code)) {
      // RFC 6749 §5.2 lists no such codes, but providers send them with a 400 when they are only busy
      return CredentialException.transientFailure("TokenEndpointUnavailable",
          "token endpoint is busy: " + code + " (HTTP " + status + ")", null)
          .classified("slow_down".equals(code) ? "rate_limited" : "server_error");
    }
    String reason = switch (code == null ? "" : code) {
      // Slack answers HTTP 200 {"ok": false, "error": ...} with codes of its own for the same cases
      case "invalid_client", "unauthorized_client", "invalid_client_id", "bad_client_secret" -> "InvalidClient";
      case "invalid_grant", "invalid_refresh_token" -> "InvalidGrant";
      case "invalid_scope" -> "InvalidScope";
      default -> "TokenRequestRejected";
    };
    return CredentialException.terminal(reason, "token endpoint rejected the request: " + shown + " (HTTP " + status + ")")
        .classified(SAFE_ERROR_CODE.matcher(code == null ? "" : code).matches() && KNOWN_ERROR_CODES.contains(code)
            ? code : "rejected");
  }

  /**
   * Quirks seen in real providers, fixed up before the strict parser sees them.
   *
   * @return whether {@code expires_in} says the token has already expired (zero or negative): such an
   *     answer is expired on issue, not a token of the default lifetime
   */
  private static boolean normaliseQuirks(JSONObject json, boolean millis) {
    Object expiresIn = json.get("expires_in");
    if (millis && expiresIn != null) {
      try {
        long ms = Long.parseLong(expiresIn.toString().strip().replaceAll("\\.\\d*$", ""));
        expiresIn = ms > 0 && ms < 1000 ? 1 : ms / 1000; // a live sub-second token is not an expired one
      } catch (NumberFormatException e) {
        expiresIn = null;
      }
      json.put("expires_in", expiresIn);
      if (expiresIn == null) {
        json.remove("expires_in");
      }
    }
    if (expiresIn instanceof String s) {
      try {
        json.put("expires_in", Long.parseLong(s.strip()));
      } catch (NumberFormatException e) {
        json.remove("expires_in");
      }
    } else if (expiresIn instanceof Number n && !(n instanceof Long || n instanceof Integer)) {
      json.put("expires_in", n.longValue());
    } else if (expiresIn != null && !(expiresIn instanceof Number)) {
      json.remove("expires_in");
    }
    if (!(json.get("token_type") instanceof String t) || t.isBlank()
        || !(t.equalsIgnoreCase("bearer") || t.equalsIgnoreCase("dpop"))) {
      // none, or a provider's own word for what is sent as a bearer token (Slack says "bot" or "user")
      json.put("token_type", "Bearer");
    }
    if (json.get("expires_in") instanceof Number n && n.longValue() <= 0) {
      json.remove("expires_in"); // Nimbus reads 0 as "not given"
      return true;
    }
    return false;
  }

  /** {@code expires_in}, else the access token's own JWT {@code exp}, else the default lifetime. */
  static Instant expiry(AccessToken token, Instant requestedAt, Duration defaultLifetime) {
    if (token.getLifetime() > 0) {
      return requestedAt.plusSeconds(token.getLifetime());
    }
    try {
      Date exp = JWTParser.parse(token.getValue()).getJWTClaimsSet().getExpirationTime();
      if (exp != null) {
        return exp.toInstant();
      }
    } catch (java.text.ParseException | RuntimeException e) {
      // not a JWT: fall through to the default lifetime
    }
    return requestedAt.plus(defaultLifetime);
  }

  static Duration retryAfter(HTTPResponse response, Instant now) {
    return io.keyward.credential.http.RetryAfter.of(response, now).orElse(null);
  }

  private static String safe(String s) {
    String cleaned = s.replaceAll("[^A-Za-z0-9/+.\\-]", "");
    return cleaned.substring(0, Math.min(cleaned.length(), 64));
  }
}
