package io.keyward.renewal;

import java.time.Instant;

/**
 * What the refresh checks look at.
 *
 * @param credentialStored whether a credential was issued and persisted
 * @param expiresAt its expiry, {@code null} when it never expires
 * @param currentFingerprint digest of the current spec and referenced Secret values
 * @param storedFingerprint digest of the inputs the stored credential was issued from
 * @param renewAt the planned renewal time, {@code null} when none
 * @param terminalFailureFingerprint the inputs of a permanently failed attempt, {@code null} when none
 * @param retryNotBefore when a transient failure may be retried, {@code null} when none
 * @param refreshRequested a user asked for a refresh that has not been acted on yet
 * @param now the current time
 */
public record RefreshInputs(
    boolean credentialStored,
    Instant expiresAt,
    String currentFingerprint,
    String storedFingerprint,
    Instant renewAt,
    String terminalFailureFingerprint,
    Instant retryNotBefore,
    boolean refreshRequested,
    Instant now) {}
