package io.keyward.renewal;

import java.time.Duration;

/**
 * How early to renew (cert-manager semantics): renew when {@code renewBefore} or
 * {@code renewBeforePercentage} of the lifetime remains, whichever is earlier.
 *
 * @param renewBefore {@code null} for the default
 * @param renewBeforePercentage {@code null} for the default
 */
public record RenewalPolicy(Duration renewBefore, Integer renewBeforePercentage) {
  public static final Duration DEFAULT_RENEW_BEFORE = Duration.ofMinutes(2);
  public static final int DEFAULT_RENEW_BEFORE_PERCENTAGE = 33;
  /** How long the previous credential must stay valid after its replacement is written: the kubelet syncs mounted Secrets every 60–90 s. */
  public static final Duration MIN_HANDOVER = Duration.ofMinutes(2);
  /**
   * Renewals found overdue when the operator starts (or takes the lead) are spread over this window
   * rather than all asked at once; see {@link RenewalSchedule#catchUp}.
   */
  public static final Duration CATCH_UP_WINDOW = Duration.ofMinutes(2);
  /** The shortest time between two issues of one connector's credential, however short its lifetime. */
  public static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(1);
  /**
   * How long to wait before asking again when a provider issued a credential that had expired
   * already (an expiry in the past, {@code expires_in: 0}): asking at once would loop.
   */
  public static final Duration EXPIRED_ON_ISSUE_RETRY = Duration.ofSeconds(30);

  public RenewalPolicy {
    if (renewBeforePercentage != null && (renewBeforePercentage < 1 || renewBeforePercentage > 99)) {
      throw new IllegalArgumentException("spec.refresh.renewBeforePercentage: must be between 1 and 99");
    }
    if (renewBefore != null && renewBefore.isNegative()) {
      throw new IllegalArgumentException("spec.refresh.renewBefore: must not be negative");
    }
  }

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
