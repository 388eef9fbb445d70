package io.keyward.credential.oauth2;

import io.keyward.credential.CredentialException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device authorization grant (RFC 8628): what a started authorization shows a person (the
 * verification URI and user code, which are not secrets) and keeps to itself (the device code,
 * which is), the outcome of one poll of the token endpoint, and how grant {@code deviceCode} keeps
 * all of it in the issuer's state between reconciles. The requests are {@link
 * OAuth2Issuer#startDeviceAuthorization} and {@link OAuth2Issuer#pollDeviceAuthorization}.
 */
public final class DeviceAuthorization {
  /** RFC 8628 §3.5: a {@code slow_down} answer adds five seconds to the polling interval, for good. */
  public static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);
  /** RFC 8628 §3.2: the interval when the provider names none. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  static final String DEVICE_CODE = "device-code";
  static final String USER_CODE = "device-user-code";
  static final String VERIFICATION_URI = "device-verification-uri";
  static final String VERIFICATION_URI_COMPLETE = "device-verification-uri-complete";
  static final String EXPIRES_AT = "device-code-expires-at";
  static final String INTERVAL = "device-poll-interval";
  /** Why no device code and no refresh token is held: {@code denied}, {@code expired} or {@code rejected}. */
  static final String OUTCOME = "device-authorization";
  /** What a person had last asked for ({@link io.keyward.credential.IssueContext#asked}) when the authorization started. */
  static final String ASKED = "device-asked";
  /** When a person approved the authorization the refresh token came from. */
  static final String APPROVED_AT = "device-approved-at";

  private DeviceAuthorization() {}

  /**
   * A started device authorization.
   *
   * @param deviceCode what the token endpoint is polled with: a secret, never shown
   * @param verificationUriComplete the verification URI with the user code in it, or {@code null}
   */
  public record Started(String deviceCode, String userCode, URI verificationUri, URI verificationUriComplete,
      Instant expiresAt, Duration interval) {
    /** What a person is asked to do: where to go, the code to enter, until when. */
    public String instructions() {
      return "open " + verificationUri + " and enter the code " + userCode + " (valid until "
          + expiresAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")";
    }

    /** The same authorization, polled {@code every} from now on (after a {@code slow_down}). */
    public Started polledEvery(Duration every) {
      return new Started(deviceCode, userCode, verificationUri, verificationUriComplete, expiresAt, every);
    }

    /** Never prints the device code. */
    @Override
    public String toString() {
      return "Started[" + verificationUri + ", user code " + userCode + ", until " + expiresAt + "]";
    }
  }

  /** One poll of the token endpoint with the device code. */
  public sealed interface Poll permits Pending, Approved {}

  /** Nobody has approved yet: poll again after {@code interval} (longer after a {@code slow_down}). */
  public record Pending(Duration interval) implements Poll {}

  /** A person approved: the token endpoint's answer. */
  public record Approved(io.keyward.credential.IssuedCredential credential, String refreshToken) implements Poll {
    /** Never prints the refresh token. */
    @Override
    public String toString() {
      return "Approved[" + credential + "]";
    }
  }

  /** The started authorization kept in state, if it has not expired by {@code now}. */
  static java.util.Optional<Started> live(Map<String, String> state, Instant now) {
    String code = state.get(DEVICE_CODE);
    if (code == null || code.isEmpty()) {
      return java.util.Optional.empty();
    }
    try {
      Instant expires = Instant.parse(state.get(EXPIRES_AT));
      if (!now.isBefore(expires)) {
        return java.util.Optional.empty();
      }
      String complete = state.get(VERIFICATION_URI_COMPLETE);
      return java.util.Optional.of(new Started(code, state.get(USER_CODE), URI.create(state.get(VERIFICATION_URI)),
          complete == null || complete.isEmpty() ? null : URI.create(complete), expires,
          Duration.ofSeconds(Long.parseLong(state.getOrDefault(INTERVAL, "5")))));
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // a damaged record starts a new authorization
    }
  }

  /** The state that keeps {@code started}, begun when a person had asked for {@code asked}, until it ends. */
  static Map<String, String> keep(Started started, String asked) {
    Map<String, String> state = new LinkedHashMap<>();
    state.put(ASKED, asked);
    state.put(DEVICE_CODE, started.deviceCode());
    state.put(USER_CODE, started.userCode());
    state.put(VERIFICATION_URI, started.verificationUri().toString());
    if (started.verificationUriComplete() != null) {
      state.put(VERIFICATION_URI_COMPLETE, started.verificationUriComplete().toString());
    }
    state.put(EXPIRES_AT, started.expiresAt().toString());
    state.put(INTERVAL, Long.toString(Math.max(1, started.interval().toSeconds())));
    return state;
  }

  /**
   * The state after an authorization ended without a refresh token ({@code denied}, {@code expired} or
   * {@code rejected}), with what a person had asked for then: a new one starts only once that changes.
   */
  static Map<String, String> ended(String outcome, String asked) {
    return Map.of(OUTCOME, outcome, ASKED, asked == null ? "" : asked);
  }

  /** Whether {@code state} holds a device authorization that has not expired by {@code now}: it is polled. */
  public static boolean pending(Map<String, String> state, Instant now) {
    return live(state, now).isPresent();
  }

  /**
   * The failure an authorization that ended without a refresh token stands for; kept as a
   * terminal failure until a person asks for a new one (the refresh annotation or a changed spec
   * or Secret), so that an expired code is not replaced in a loop.
   */
  static CredentialException endedFailure(String outcome) {
    String again = "; start a new one with the refresh annotation (kubectl keyward refresh <connector>)";
    return switch (outcome) {
      case "denied" -> CredentialException.terminal("AuthorizationDenied",
          "the device authorization was denied at the provider (access_denied)" + again);
      case "rejected" -> CredentialException.terminal("ReauthorizationRequired",
          "the provider rejected the refresh token (invalid_grant): a person must approve a new device authorization"
              + again).classified("invalid_grant");
      default -> CredentialException.terminal("DeviceCodeExpired",
          "nobody approved the device authorization before its code expired" + again);
    };
  }
}
