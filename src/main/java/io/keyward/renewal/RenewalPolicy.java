package io.keyward.renewal;

import java.time.Duration;

/**
 * How early to renew (cert-manager semantics): renew when {@code renewBefore} or
 * {@code renewBeforePercentage} of the lifetime remains, whichever is earlier. The maths is in
 * {@link RenewalSchedule}.
 *
 * @param renewBefore how long before expiry to renew, not negative; {@code null} for
 *     {@link #DEFAULT_RENEW_BEFORE}
 * @param renewBeforePercentage share of the lifetime left at renewal, 1 to 99; {@code null} for
 *     {@link #DEFAULT_RENEW_BEFORE_PERCENTAGE}
 * @throws IllegalArgumentException naming the {@code spec.refresh} field that is out of range
 */
public record RenewalPolicy(Duration renewBefore, Integer renewBeforePercentage) {
  /** Renew at least this long before expiry by default: {@link #MIN_HANDOVER}. */
  public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofMinutes(2);
  /** Renew when a third of the lifetime remains by default. */
  public static final int DEFAULT_RENEW_BEFORE_PERCENTAGE = 33;
  /**
   * How long the previous credential must stay valid after its replacement is written: the kubelet
   * takes 60–90 s to sync a mounted Secret into a pod.
   */
  public static final Duration MIN_HANDOVER = Duration.ofMinutes(2);

  public RenewalPolicy {
    if (renewBeforePercentage != null && (renewBeforePercentage < 1 || renewBeforePercentage > 99)) {
      throw new IllegalArgumentException("spec.refresh.renewBeforePercentage: must be between 1 and 99");
    }
    if (renewBefore != null && renewBefore.isNegative()) {
      throw new IllegalArgumentException("spec.refresh.renewBefore: must not be negative");
    }
  }

  /** Both fields at their defaults. */
  public static RenewalPolicy defaults() {
    return new RenewalPolicy(null, null);
  }

  Duration effectiveRenewBefore() {
    return renewBefore == null ? DEFAULT_RENEW_BEFORE : renewBefore;
  }

  int effectivePercentage() {
    return renewBeforePercentage == null ? DEFAULT_RENEW_BEFORE_PERCENTAGE : renewBeforePercentage;
  }
}
