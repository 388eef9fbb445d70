package io.keyward.credential;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The current credential in the one shape every workload reads.
 *
 * @param headerName the HTTP header to send ({@code Authorization}, {@code X-API-Key}); empty when
 *     the credential travels in the query string
 * @param headerValue its full value ({@code Bearer eyJ…}, {@code Basic dXNl…}, the key itself)
 * @param token the raw credential
 * @param tokenType e.g. {@code Bearer}
 * @param issuedAt when it was obtained
 * @param expiresAt when it stops working, or {@code null} when it does not expire
 * @param extraOutput further keys for the output Secret (e.g. {@code query-name})
 * @param notices things the user should know (shown in status)
 * @param state what the issuer needs next time (e.g. the current refresh token): persisted in the
 *     state Secret only, never projected into the output Secret
 * @param publication public keys to publish (generated signing keys), or {@code null}
 */
public record IssuedCredential(
    String headerName,
    String headerValue,
    String token,
    String tokenType,
    Instant issuedAt,
    Instant expiresAt,
    Map<String, String> extraOutput,
    List<Notice> notices,
    Map<String, String> state,
    KeyPublication publication) {

  /**
   * Public signing keys to publish as a JWKS.
   *
   * @param jwks the JWK set JSON (public keys only)
   * @param currentKeyId the key that signs now
   * @param nextRotation when the next key will be generated or take over
   */
  public record KeyPublication(String jwks, String currentKeyId, Instant nextRotation) {}

  /**
   * A credential that holds a value unfit for its output key (a control character in
   * {@code header-value}, say). Thrown by the constructor, so that no issuer can forget the check;
   * the message names the output key and the problem, never the value. {@link CredentialIssuers}
   * turns it into a condition.
   */
  public static final class UnsafeValueException extends IllegalArgumentException {
    UnsafeValueException(String key, String flaw) {
      super("the issued credential's " + key + " " + flaw);
    }
  }

  public IssuedCredential {
    extraOutput = Map.copyOf(extraOutput);
    notices = List.copyOf(notices);
    state = Map.copyOf(state);
    requireSafe(headerName, headerValue, token, tokenType, extraOutput);
  }

  /** The last guard before anything is persisted or published (DESIGN §9). */
  private static void requireSafe(String headerName, String headerValue, String token, String tokenType,
      Map<String, String> extraOutput) {
    check("header-name", headerName == null || headerName.isEmpty() ? null
        : HttpFields.flaw(HttpFields.Rule.TOKEN, headerName));
    check("header-value", HttpFields.flaw(HttpFields.Rule.PRINTABLE, headerValue));
    check("token", HttpFields.flaw(HttpFields.Rule.PRINTABLE, token));
    check("token-type", tokenType == null || tokenType.isEmpty() ? null
        : HttpFields.flaw(HttpFields.Rule.TOKEN, tokenType));
    extraOutput.forEach((key, value) -> {
      if (HttpFields.flaw(HttpFields.Rule.SECRET_KEY, key) != null) {
        throw new UnsafeValueException("output key", "is not a valid Secret key: "
            + HttpFields.flaw(HttpFields.Rule.SECRET_KEY, key));
      }
      HttpFields.Rule rule = switch (key) {
        case "query-name" -> HttpFields.Rule.TOKEN;
        case "query-value" -> HttpFields.Rule.PRINTABLE;
        default -> HttpFields.Rule.TEXT;
      };
      check(key, HttpFields.flaw(rule, value));
    });
  }

  private static void check(String key, String flaw) {
    if (flaw != null) {
      throw new UnsafeValueException(key, flaw);
    }
  }

  /** A credential that needs no state. */
  public IssuedCredential(String headerName, String headerValue, String token, String tokenType, Instant issuedAt,
      Instant expiresAt, Map<String, String> extraOutput, List<Notice> notices) {
    this(headerName, headerValue, token, tokenType, issuedAt, expiresAt, extraOutput, notices, Map.of(), null);
  }

  /**
   * The five keys of the one shape every workload reads ({@code header-name}, {@code header-value},
   * {@code token}, {@code token-type}, {@code expires-at}: RFC 3339, empty when it does not expire);
   * the output Secret and the state Secret both start from it.
   */
  public java.util.LinkedHashMap<String, String> shape() {
    java.util.LinkedHashMap<String, String> data = new java.util.LinkedHashMap<>();
    data.put("header-name", headerName);
    data.put("header-value", headerValue);
    data.put("token", token);
    data.put("token-type", tokenType);
    data.put("expires-at", expiresAt == null ? "" : expiresAt.toString());
    return data;
  }

  /** What the output Secret holds: {@link #shape()} plus the extra keys (never overriding the shape). */
  public Map<String, String> outputData() {
    java.util.LinkedHashMap<String, String> data = shape();
    extraOutput.forEach(data::putIfAbsent);
    return data;
  }

  /** {@code Authorization: <scheme> <token>}: a bearer token, an exchanged token, Basic credentials. */
  public static IssuedCredential authorization(String scheme, String token, Instant issuedAt, Instant expiresAt) {
    return new IssuedCredential("Authorization", scheme + " " + token, token, scheme, issuedAt, expiresAt, Map.of(),
        List.of());
  }

  /** A credential sent as is in a header of its own (an API key), with an optional prefix; does not expire. */
  public static IssuedCredential header(String name, String prefix, String token, String tokenType,
      Instant issuedAt) {
    return new IssuedCredential(name, prefix + token, token, tokenType, issuedAt, null, Map.of(), List.of());
  }

  /** A credential sent as a query parameter: no header, {@code query-name} and {@code query-value}; does not expire. */
  public static IssuedCredential query(String parameter, String token, String tokenType, Instant issuedAt) {
    return new IssuedCredential("", "", token, tokenType, issuedAt, null,
        Map.of("query-name", parameter, "query-value", token), List.of());
  }

  /**
   * Nothing to publish, only the issuer's state (a rotated refresh token, generated keys) to keep:
   * what is stored when an attempt failed after the provider rotated something, or when a stored
   * credential can no longer be published. Expired at {@code at}.
   */
  public static IssuedCredential stateOnly(Map<String, String> state, KeyPublication publication, Instant at) {
    return new IssuedCredential("", "", "", "", at, at, Map.of(), List.of(), state, publication);
  }

  /** The same token sent in {@code name} as {@code prefix + token} (a provider's own header). */
  public IssuedCredential sentIn(String name, String prefix) {
    return new IssuedCredential(name, prefix + token, token, tokenType, issuedAt, expiresAt, extraOutput, notices,
        state, publication);
  }

  /** With further keys for the output Secret (a provider's {@code outputFields}). */
  public IssuedCredential withExtraOutput(Map<String, String> newExtra) {
    return new IssuedCredential(headerName, headerValue, token, tokenType, issuedAt, expiresAt, newExtra, notices,
        state, publication);
  }

  public IssuedCredential withState(Map<String, String> newState) {
    return new IssuedCredential(headerName, headerValue, token, tokenType, issuedAt, expiresAt, extraOutput, notices,
        newState, publication);
  }

  public IssuedCredential withNotices(List<Notice> newNotices) {
    return new IssuedCredential(headerName, headerValue, token, tokenType, issuedAt, expiresAt, extraOutput,
        newNotices, state, publication);
  }

  public IssuedCredential withPublication(KeyPublication newPublication) {
    return new IssuedCredential(headerName, headerValue, token, tokenType, issuedAt, expiresAt, extraOutput, notices,
        state, newPublication);
  }

  /** Never prints the secret parts. */
  @Override
  public String toString() {
    return "IssuedCredential[type=" + tokenType + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
  }
}
