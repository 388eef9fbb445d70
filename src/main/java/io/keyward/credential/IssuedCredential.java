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
    Map<String, String> state) {

  public IssuedCredential {
    extraOutput = Map.copyOf(extraOutput);
    notices = List.copyOf(notices);
    state = Map.copyOf(state);
  }

  /** A credential that needs no state. */
  public IssuedCredential(String headerName, String headerValue, String token, String tokenType, Instant issuedAt,
      Instant expiresAt, Map<String, String> extraOutput, List<Notice> notices) {
    this(headerName, headerValue, token, tokenType, issuedAt, expiresAt, extraOutput, notices, Map.of());
  }

  public IssuedCredential withState(Map<String, String> newState) {
    return new IssuedCredential(headerName, headerValue, token, tokenType, issuedAt, expiresAt, extraOutput, notices,
        newState);
  }

  public IssuedCredential withNotices(List<Notice> newNotices) {
    return new IssuedCredential(headerName, headerValue, token, tokenType, issuedAt, expiresAt, extraOutput,
        newNotices, state);
  }

  public IssuedCredential withExtraOutput(Map<String, String> newExtra) {
    return new IssuedCredential(headerName, headerValue, token, tokenType, issuedAt, expiresAt, newExtra, notices,
        state);
  }

  /** Never prints the secret parts. */
  @Override
  public String toString() {
    return "IssuedCredential[type=" + tokenType + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
  }
}
