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
 */
public record IssuedCredential(
    String headerName,
    String headerValue,
    String token,
    String tokenType,
    Instant issuedAt,
    Instant expiresAt,
    Map<String, String> extraOutput,
    List<Notice> notices) {

  public IssuedCredential {
    extraOutput = Map.copyOf(extraOutput);
    notices = List.copyOf(notices);
  }

  /** Never prints the secret parts. */
  @Override
  public String toString() {
    return "IssuedCredential[type=" + tokenType + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
  }
}
