package io.keyward.renewal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The renewal maths of DESIGN §4: when to refresh a credential so that the previous one outlives
 * the kubelet's Secret sync, with a little jitter so connectors created together spread out.
 */
public final class RenewalSchedule {
  /** Jitter moves a refresh earlier by up to this share of the time before the renewal point. */
  static final double MAX_JITTER = 0.05;

  private RenewalSchedule() {}

  /**
   * When to renew a credential valid from {@code issuedAt} to {@code expiresAt}.
   *
   * <ul>
   *   <li>{@code before = max(renewBefore, lifetime × renewBeforePercentage / 100)};
   *   <li>when that is the whole lifetime or more, or more than half of it while half the lifetime
   *       is shorter than {@link RenewalPolicy#MIN_HANDOVER}, renew at half-life instead, and flag
   *       the plan {@code shortLifetime} if half the lifetime is below the minimum handover (a
   *       deliberately large {@code renewBefore}, such as 50 m of 60 m, is honoured);
   *   <li>jitter then moves the renewal earlier, never later, by up to 5 % of
   *       {@code lifetime - before}, so the handover is never shortened;
   *   <li>the result is rounded down to whole seconds (status stores seconds), but is never
   *       before {@code issuedAt}.
   * </ul>
   *
   * An empty or negative lifetime renews at {@code issuedAt}, with no handover.
   *
   * @param policy {@code null} for {@link RenewalPolicy#defaults()}
   * @param jitterSeed in [0, 1), usually from {@link #jitterSeed}: 0 renews exactly at the
   *     computed point, larger values earlier
   */
  public static RenewalPlan plan(Instant issuedAt, Instant expiresAt, RenewalPolicy policy, double jitterSeed) {
    Duration lifetime = Duration.between(issuedAt, expiresAt);
    if (lifetime.isNegative() || lifetime.isZero()) {
      return new RenewalPlan(issuedAt, Duration.ZERO, true);
    }
    RenewalPolicy p = policy == null ? RenewalPolicy.defaults() : policy;
    Duration half = lifetime.dividedBy(2);
    boolean halfTooShort = half.compareTo(RenewalPolicy.MIN_HANDOVER) < 0;
    Duration before = max(p.effectiveRenewBefore(), lifetime.multipliedBy(p.effectivePercentage()).dividedBy(100));
    boolean impossible = before.compareTo(lifetime) >= 0;
    boolean crowdsAShortLifetime = before.compareTo(half) > 0 && halfTooShort;
    boolean shortLifetime = false;
    if (impossible || crowdsAShortLifetime) {
      before = half;
      shortLifetime = halfTooShort;
    }
    Duration untilRenewal = lifetime.minus(before);
    long jitterMillis = (long) (untilRenewal.toMillis() * MAX_JITTER * clamp(jitterSeed));
    Instant renewAt = expiresAt.minus(before).minusMillis(jitterMillis).truncatedTo(ChronoUnit.SECONDS);
    if (renewAt.isBefore(issuedAt)) {
      renewAt = issuedAt;
    }
    return new RenewalPlan(renewAt, before, shortLifetime);
  }

  /**
   * A stable value in [0, 1) for one credential, from the SHA-256 of {@code stableId} and the
   * epoch second of {@code issuedAt}: the same connector and issue time always give the same
   * refresh time across reconciles, while a thousand connectors created together spread out.
   *
   * @param stableId what identifies the connector for its whole life, such as its UID
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
