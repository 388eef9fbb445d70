package io.keyward.renewal;

import java.time.Instant;
import java.util.Optional;

/**
 * Where one connector stands: the credential it holds and the failure since its last success. The
 * refresh checks read it before an issue, {@link RefreshChecks#nextCheck} after one.
 *
 * @param held the credential held (stored or just issued), if any that can be published
 * @param failure the failure since the last success, if any
 */
public record Standing(Optional<Held> held, Optional<LastFailure> failure) {
  /**
   * A credential held.
   *
   * @param inputs digest of the inputs it was issued from
   * @param expiresAt when it expires, {@code null} when it never does
   * @param renewAt its planned renewal, {@code null} exactly when it never expires
   */
  public record Held(String inputs, Instant expiresAt, Instant renewAt) {}

  /**
   * A failure since the last success.
   *
   * @param terminal permanent: not retried until the inputs change
   * @param inputs digest of the inputs the failed step used ({@code null} when they could not be read)
   * @param retryNotBefore when a transient failure may be retried, {@code null} for a permanent one
   * @param duringIssue the failed step was an issue (the provider call, its validation, the state write),
   *     so retrying it means issuing again; otherwise it was reading inputs or writing the output Secret
   */
  public record LastFailure(boolean terminal, String inputs, Instant retryNotBefore, boolean duringIssue) {}
}
