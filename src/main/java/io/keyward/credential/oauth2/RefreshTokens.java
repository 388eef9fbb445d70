package io.keyward.credential.oauth2;

import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssueContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Which refresh token to use, and what to remember afterwards. The seed comes from the user's
 * Secret; after each refresh the (possibly rotated) token is kept in state. A seed whose hash
 * differs from the one remembered is a re-authorisation and wins over the kept token.
 *
 * <p>Grant {@code deviceCode} has no seed: its first refresh token came from a device authorization
 * a person approved, and is kept with the time of that approval.
 *
 * @param current the refresh token to send
 * @param seedHash SHA-256 of the seed, remembered to notice a new one; {@code null} for grant deviceCode
 * @param seedRef the seed's Secret key, named in messages; {@code null} for grant deviceCode
 * @param approvedAt grant deviceCode: when the device authorization was approved
 */
record RefreshTokens(String current, String seedHash, String seedRef, String approvedAt, String asked) {
  /** Where the current refresh token is kept in the issuer's state. */
  public static final String REFRESH_TOKEN = "refresh-token";
  static final String SEED_HASH = "seed-hash";

  static RefreshTokens current(OAuth2Auth auth, IssueContext context) throws CredentialException {
    String seed = context.secrets().get(auth.refreshTokenRef).strip();
    if (seed.isEmpty()) {
      throw CredentialException.invalidConfiguration("spec.auth.oauth2.refreshTokenRef",
          auth.refreshTokenRef + " is empty");
    }
    String seedHash = sha256(seed);
    Map<String, String> previous = context.previousState();
    String kept = previous.get(REFRESH_TOKEN);
    boolean reauthorised = !seedHash.equals(previous.get(SEED_HASH));
    return new RefreshTokens(kept == null || kept.isEmpty() || reauthorised ? seed : kept, seedHash,
        auth.refreshTokenRef.toString(), null, null);
  }

  /** Grant deviceCode: the refresh token a device authorization brought, kept in state; {@code null} when none is. */
  static RefreshTokens approved(Map<String, String> state, String asked) {
    String kept = state.get(REFRESH_TOKEN);
    return kept == null || kept.isEmpty() ? null
        : new RefreshTokens(kept, null, null, state.get(DeviceAuthorization.APPROVED_AT), asked);
  }

  /** The first state of grant deviceCode: the refresh token of the authorization a person approved {@code at}. */
  static Map<String, String> approvedState(String refreshToken, java.time.Instant at) {
    return Map.of(REFRESH_TOKEN, refreshToken, DeviceAuthorization.APPROVED_AT, at.toString());
  }

  /** State after a successful refresh: the rotated token, or the same one when none was issued. */
  Map<String, String> after(String issuedRefreshToken) {
    String next = issuedRefreshToken == null || issuedRefreshToken.isBlank() ? current : issuedRefreshToken;
    Map<String, String> state = new java.util.LinkedHashMap<>();
    state.put(REFRESH_TOKEN, next);
    if (seedHash != null) {
      state.put(SEED_HASH, seedHash);
    }
    if (approvedAt != null) {
      state.put(DeviceAuthorization.APPROVED_AT, approvedAt);
    }
    return Map.copyOf(state);
  }

  /**
   * Whether {@code after} was issued from another seed than {@code before} (both from a refresh token
   * grant), or from another approved device authorization.
   */
  static boolean reauthorised(Map<String, String> before, Map<String, String> after) {
    String approved = after.get(DeviceAuthorization.APPROVED_AT);
    return differ(before.get(SEED_HASH), after.get(SEED_HASH))
        || differ(before.get(DeviceAuthorization.APPROVED_AT), approved)
        // a device authorization approved after the one before it ended (its refresh token rejected)
        || approved != null && !before.containsKey(REFRESH_TOKEN) && before.containsKey(DeviceAuthorization.ASKED);
  }

  private static boolean differ(String was, String now) {
    return was != null && now != null && !was.equals(now);
  }

  CredentialException rejected() {
    if (seedRef == null) {
      // the refresh token is spent: forgotten, so that the next authorization a person asks for starts afresh
      return DeviceAuthorization.endedFailure("rejected").withRotatedState(DeviceAuthorization.ended("rejected", asked));
    }
    return CredentialException.terminal("ReauthorizationRequired", "the provider rejected the refresh token"
        + " (invalid_grant): re-authorise and put the new refresh token into " + seedRef).classified("invalid_grant");
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return seedRef == null ? "RefreshTokens[device authorization approved at " + approvedAt + "]"
        : "RefreshTokens[seed " + seedRef + "]";
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
