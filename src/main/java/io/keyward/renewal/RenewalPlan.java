package io.keyward.renewal;

import java.time.Duration;
import java.time.Instant;

/**
 * When a credential will be renewed.
 *
 * @param renewAt the renewal time, whole seconds
 * @param handover how long the old credential stays valid after {@code renewAt} (before jitter)
 * @param shortLifetime the lifetime was too short to leave {@link RenewalPolicy#MIN_HANDOVER}, so
 *     the credential is renewed at half-life
 */
public record RenewalPlan(Instant renewAt, Duration handover, boolean shortLifetime) {}
