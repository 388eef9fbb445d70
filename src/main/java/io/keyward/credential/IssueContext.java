package io.keyward.credential;

import java.time.Clock;
import java.time.Duration;

/**
 * What an issuer may use besides its spec block.
 *
 * @param secrets the values of every Secret key the block references, already resolved
 * @param clock the time source
 * @param defaultLifetime the lifetime assumed for a token whose expiry cannot be learned
 */
public record IssueContext(SecretValues secrets, Clock clock, Duration defaultLifetime) {}
