package io.keyward.credential.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;

/**
 * Whose turn it is to call one provider host: a request rate shared by every connector of the host
 * (a token bucket: {@code perSecond}, up to {@code burst} at once), and a pause that a 429 or 503
 * with {@code Retry-After} puts on the whole host. A caller that cannot go now is not held: it is
 * told when to come back ({@link Turn#comeBackAt()}), and booked. Booked callers go in order of
 * need (the soonest-expiring credential first): a caller with a booked one ahead of it is sent
 * behind it, with slots one rate interval apart and a little jitter. A booking whose caller does
 * not come back within a grace period after its slot is dropped, so a deleted connector never
 * blocks a host. Pure logic on a {@link Clock}; {@link HostBudget} holds one per host.
 */
final class HostTurns {
  /** The answer to one caller. */
  record Turn(boolean go, Instant comeBackAt, Cause cause) {
    static final Turn GO = new Turn(true, null, null);
  }

  /** Why a caller waits. */
  enum Cause {
    /** The provider asked (429/503 with Retry-After, or a 429 without). */
    PAUSED,
    /** The host's request rate is used up for now. */
    RATE,
    /** Callers that need a credential sooner are booked ahead. */
    QUEUED
  }

  private record Booking(Instant needBy, long seq, String caller) {}

  private static final Comparator<Booking> BY_NEED =
      Comparator.comparing(Booking::needBy).thenComparingLong(Booking::seq);

  private final double perSecond;
  private final int burst;
  private final Duration grace;
  private final Clock clock;
  private final DoubleSupplier random;

  private double tokens;
  private Instant refilled;
  private Instant pausedUntil = Instant.MIN;
  private long seq;
  private final TreeSet<Booking> book = new TreeSet<>(BY_NEED);
  private final Map<String, Booking> byCaller = new HashMap<>();
  private final Map<String, Instant> announced = new HashMap<>();

  HostTurns(double perSecond, int burst, Duration grace, Clock clock, DoubleSupplier random) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.grace = grace;
    this.clock = clock;
    this.random = random;
    this.tokens = burst;
    this.refilled = clock.instant();
  }

  /**
   * May {@code caller}, whose credential is needed by {@code needBy}, call now? On {@link Turn#go()}
   * a request of the rate is spent and the caller's booking, if any, is done.
   */
  synchronized Turn take(String caller, Instant needBy) {
    return take(caller, needBy, true);
  }

  /**
   * As {@link #take(String, Instant)}; a caller that is not {@code booked} is told when to come back,
   * behind those booked ahead of it, but keeps no place (it will not come back under its key).
   */
  synchronized Turn take(String caller, Instant needBy, boolean booked) {
    Instant now = clock.instant();
    refill(now);
    dropNoShows(now);
    Booking mine = byCaller.get(caller);
    if (mine == null) {
      mine = new Booking(needBy, seq++, caller);
    } else if (needBy.isBefore(mine.needBy)) {
      // a booked caller keeps its place, or moves up when it needs its credential sooner; never back
      // (a connector without a credential asks "by now" each time, and now moves on)
      book.remove(mine);
      mine = new Booking(needBy, mine.seq, caller);
    }
    if (now.isBefore(pausedUntil)) {
      return wait(mine, pausedUntil, Cause.PAUSED, booked);
    }
    Booking first = book.isEmpty() ? null : book.first();
    boolean ahead = first != null && BY_NEED.compare(first, mine) < 0;
    if (ahead) {
      return wait(mine, now, Cause.QUEUED, booked);
    }
    if (tokens < 1) {
      return wait(mine, now, Cause.RATE, booked);
    }
    tokens -= 1;
    forget(mine);
    return Turn.GO;
  }

  /** The provider asked Keyward to wait until {@code until}; a later pause extends, an earlier one does not shorten. */
  synchronized void pause(Instant until) {
    if (until.isAfter(pausedUntil)) {
      pausedUntil = until;
    }
  }

  synchronized Instant pausedUntil() {
    return pausedUntil;
  }

  /** Nothing booked, no pause in force, and the rate full again: the host need not be remembered. */
  synchronized boolean idle() {
    Instant now = clock.instant();
    refill(now);
    dropNoShows(now);
    return book.isEmpty() && !now.isBefore(pausedUntil) && tokens >= burst;
  }

  synchronized int booked() {
    return book.size();
  }

  /** Books {@code mine} and tells it to come back at its slot: after {@code from}, behind those who need sooner. */
  private Turn wait(Booking mine, Instant from, Cause cause, boolean booked) {
    if (booked) {
      book.remove(byCaller.getOrDefault(mine.caller, mine));
      book.add(mine);
      byCaller.put(mine.caller, mine);
    }
    int rank = book.headSet(mine).size();
    double interval = 1.0 / perSecond;
    // the rate's next request, then one interval for each caller ahead
    double untilToken = tokens >= 1 ? 0 : (1 - tokens) * interval;
    double seconds = (cause == Cause.PAUSED ? 0 : untilToken) + rank * interval + random.getAsDouble() * interval;
    Instant start = from.isAfter(clock.instant()) ? from : clock.instant();
    Instant slot = start.plusNanos((long) (seconds * 1e9));
    if (booked) {
      announced.put(mine.caller, slot);
    }
    return new Turn(false, slot, cause);
  }

  private void forget(Booking mine) {
    book.remove(mine);
    byCaller.remove(mine.caller);
    announced.remove(mine.caller);
  }

  private void dropNoShows(Instant now) {
    announced.entrySet().removeIf(e -> {
      if (now.isAfter(e.getValue().plus(grace))) {
        Booking b = byCaller.remove(e.getKey());
        if (b != null) {
          book.remove(b);
        }
        return true;
      }
      return false;
    });
  }

  private void refill(Instant now) {
    if (now.isAfter(refilled)) {
      double elapsed = Duration.between(refilled, now).toNanos() / 1e9;
      tokens = Math.min(burst, tokens + elapsed * perSecond);
      refilled = now;
    }
  }
}
