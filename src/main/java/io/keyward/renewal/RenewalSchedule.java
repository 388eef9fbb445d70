package io.keyward.renewal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The renewal maths of DESIGN §4. */
public final class RenewalSchedule {
  /** Jitter moves a refresh earlier by up to this share of the time before the renewal point. */
  static final double MAX_JITTER = 0.05;

  private RenewalSchedule() {}

  /**
   * When to renew a credential valid from {@code issuedAt} to {@code expiresAt}.
   *
   * @param jitterSeed in [0, 1): 0 renews exactly at the computed point, larger values earlier
   * @return a renewal time never earlier than {@link RenewalPolicy#MIN_REFRESH_INTERVAL} after
   *     {@code issuedAt}, even for a lifetime shorter than that, and {@link
   *     RenewalPolicy#EXPIRED_ON_ISSUE_RETRY} after it for a credential issued already expired
   */
  public static RenewalPlan plan(Instant issuedAt, Instant expiresAt, RenewalPolicy policy, double jitterSeed) {
    Duration lifetime = Duration.between(issuedAt, expiresAt);
    if (lifetime.isNegative() || lifetime.isZero()) {
      return new RenewalPlan(issuedAt.plus(RenewalPolicy.EXPIRED_ON_ISSUE_RETRY), Duration.ZERO, true);
    }
    Instant earliest = issuedAt.plus(RenewalPolicy.MIN_REFRESH_INTERVAL);
    Duration half = lifetime.dividedBy(2);
    Duration byPercentage = lifetime.multipliedBy(policy.effectivePercentage()).dividedBy(100);
    Duration before = max(policy.effectiveRenewBefore(), byPercentage);
    boolean shortLifetime = false;
    if (before.compareTo(lifetime) >= 0 || (before.compareTo(half) > 0 && half.compareTo(RenewalPolicy.MIN_HANDOVER) < 0)) {
      before = half;
      shortLifetime = half.compareTo(RenewalPolicy.MIN_HANDOVER) < 0;
    }
    Duration untilRenewal = lifetime.minus(before);
    long jitterMillis = (long) (untilRenewal.toMillis() * MAX_JITTER * clamp(jitterSeed));
    Instant renewAt = expiresAt.minus(before).minusMillis(jitterMillis).truncatedTo(ChronoUnit.SECONDS);
    if (renewAt.isBefore(earliest)) {
      // never sooner than MIN_REFRESH_INTERVAL after the last issue, even if the credential expires first
      renewAt = earliest;
      shortLifetime = true;
      before = Duration.between(renewAt, expiresAt).isNegative() ? Duration.ZERO : Duration.between(renewAt, expiresAt);
    }
    return new RenewalPlan(renewAt, before, shortLifetime);
  }

  /**
   * A renewal that fell due before {@code since} (the moment this operator began reconciling: it was
   * down, or another replica led) moved to a point spread over the following {@link
   * RenewalPolicy#CATCH_UP_WINDOW}, so that the thousands of connectors found due at a restart do
   * not all ask their providers in the same second. Only while the credential stays valid at least
   * {@link RenewalPolicy#MIN_HANDOVER} after the moved point (the kubelet's margin); closer to its
   * expiry, or expired, it is renewed at once.
   *
   * @param seed in [0, 1): where in the window this connector falls
   * @return {@code plan} itself when its renewal is not before {@code since} or there is no room,
   *     else a plan renewing in [{@code since} + 1 s, {@code since} + window), whole seconds
   */
  public static RenewalPlan catchUp(RenewalPlan plan, Instant expiresAt, Instant since, double seed) {
    if (since == null || !plan.renewAt().isBefore(since)) {
      return plan;
    }
    Duration room = Duration.between(since, expiresAt).minus(RenewalPolicy.MIN_HANDOVER);
    Duration window = room.compareTo(RenewalPolicy.CATCH_UP_WINDOW) < 0 ? room : RenewalPolicy.CATCH_UP_WINDOW;
    if (window.toSeconds() < 1) {
      return plan;
    }
    // at least a second on: a point at the restart itself would be due at once, in the same burst
    long offset = Math.max(1000, (long) (window.toMillis() * clamp(seed)));
    Instant renewAt = since.plusMillis(offset).truncatedTo(ChronoUnit.SECONDS);
    return new RenewalPlan(renewAt, Duration.between(renewAt, expiresAt), plan.shortLifetime());
  }

  /**
   * A stable value in [0, 1) for one credential: the same connector and issue time always give the
   * same refresh time, while a thousand connectors created together spread out.
   */
  public static double jitterSeed(String stableId, Instant issuedAt) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest((stableId + "@" + issuedAt.getEpochSecond()).getBytes(StandardCharsets.UTF_8));
      long bits = 0;
      for (int i = 0; i < 7; i++) {
        bits = (bits << 8) | (d[i] & 0xff);
      }
      return (bits >>> 3) / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static double clamp(double seed) {
    return Math.max(0, Math.min(seed, 0.999_999));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
