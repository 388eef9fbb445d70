package io.keyward.testing;

import io.keyward.credential.http.EgressPolicy;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import java.util.List;

/**
 * What the tests send with: local mode's policy narrowed to loopback, so that no test can reach
 * anything beyond 127.0.0.0/8 and ::1, whatever URL it names (DESIGN §9). Everything else is on the
 * deny list; an allow entry wins over it.
 */
public final class Loopback {
  private Loopback() {}

  /** Plain http and loopback addresses only. */
  public static EgressPolicy only() {
    return EgressPolicy.local().allowing(List.of("127.0.0.0/8", "::1")).denying(List.of("0.0.0.0/0", "::/0"));
  }

  /** A sender with the default limits and {@link #only()}. */
  public static HttpSender sender() {
    return new HttpSender(HttpLimits.defaults(), only());
  }
}
