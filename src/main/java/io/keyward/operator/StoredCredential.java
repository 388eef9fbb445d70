package io.keyward.operator;

import io.keyward.credential.IssuedCredential;
import io.keyward.credential.Notice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable state of one connector: the credential last issued, the issuer's own state (such as
 * the current refresh token), and the fingerprint of the inputs it was issued from. Lives in the
 * state Secret, never mounted by workloads.
 *
 * <p>A credential without issuer state (an API key, Basic, client credentials, a JWT signed with the
 * user's key) has nothing that could be lost for good: the state Secret then keeps only what it was
 * issued from (the fingerprint, the refresh request acted on, notices, and when it was written), and
 * the credential itself is read back from the output Secret, where it is projected anyway. So a
 * routine refresh of such a credential leaves the state Secret as it is: one write (the output
 * Secret) instead of two. The output is taken for the state's only if it was issued no earlier than
 * the state was written (an output write that failed after a state write leaves an older one, which
 * is then re-issued) and its checksum holds (an output Secret edited by hand is re-issued).
 *
 * <p>That checksum ({@code keyward.io/checksum} on the output Secret) is an HMAC-SHA256 of the output's
 * data under a random key of the connector's own ({@code checksumKey}, 32 bytes), which lives in the
 * state Secret's data only: metadata is shown by tools that mask {@code data}, and a plain hash of an
 * API key or password there could be checked against guesses offline. The key is made with the first
 * record and carried by every later one, so a refresh does not change the state Secret.
 *
 * @param checksumKey base64 of the connector's checksum key; {@code null} for a record written before
 *     there was one (its output carries a plain SHA-256, see {@link #fromStateAndOutput}), until it is
 *     given one ({@link #withNewChecksumKey})
 */
record StoredCredential(IssuedCredential credential, String fingerprint, boolean publishable, String issueReason,
    String issueMessage, String refreshRequest, String checksumKey) {
  /** A new record, with a new checksum key (a later record carries it on: {@link #withChecksumKeyOf}). */
  StoredCredential(IssuedCredential credential, String fingerprint) {
    this(credential, fingerprint, true, null, null, null, newChecksumKey());
  }

  /** Kept only for the issuer's state in it: never projected; counts as no credential, so one is issued next. */
  static StoredCredential unpublishable(IssuedCredential credential, String fingerprint) {
    return new StoredCredential(credential, fingerprint, false, null, null, null, newChecksumKey());
  }

  /** 32 bytes from {@link java.security.SecureRandom}, in base64. */
  static String newChecksumKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /** {@code key} if it is one (base64 of 32 bytes), else {@code null}: such a record is given a new one. */
  static String validKey(String key) {
    try {
      return key != null && java.util.Base64.getDecoder().decode(key).length == 32 ? key : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The same record with {@code previous}'s checksum key, when it has one: a refresh keeps the key. */
  StoredCredential withChecksumKeyOf(java.util.Optional<StoredCredential> previous) {
    String key = previous.map(StoredCredential::checksumKey).orElse(null);
    return key == null ? this
        : new StoredCredential(credential, fingerprint, publishable, issueReason, issueMessage, refreshRequest, key);
  }

  /** The same record with a new checksum key: for one written before there were checksum keys. */
  StoredCredential withNewChecksumKey() {
    return new StoredCredential(credential, fingerprint, publishable, issueReason, issueMessage, refreshRequest,
        newChecksumKey());
  }

  /** The checksum of the output Secret's data (see {@link OutputSecret#checksum}); {@code null} without a key. */
  String outputChecksum() {
    return checksumKey == null ? null : OutputSecret.checksum(checksumKey, credential.outputData());
  }

  /** Never prints the credential or the checksum key. */
  @Override
  public String toString() {
    return "StoredCredential[" + credential + ", publishable=" + publishable + ", issueReason=" + issueReason + "]";
  }

  /** Issued because of {@code reason} (the refresh check that decided), kept with it so status can say so. */
  StoredCredential issuedBecause(String reason, String message) {
    return new StoredCredential(credential, fingerprint, publishable, reason, message, refreshRequest, checksumKey);
  }

  /**
   * With the value of the refresh annotation acted on by now: durable bookkeeping, so that neither a
   * restart nor a stale status repeats a refresh request (status is no store).
   */
  StoredCredential withRefreshRequest(String handled) {
    return new StoredCredential(credential, fingerprint, publishable, issueReason, issueMessage, handled, checksumKey);
  }

  /** The same record with another credential (e.g. with a rotated refresh token in its state). */
  StoredCredential withCredential(IssuedCredential c) {
    return new StoredCredential(c, fingerprint, publishable, issueReason, issueMessage, refreshRequest, checksumKey);
  }

  private static final String EXTRA = "extra.";
  private static final String NOTICE = "notice.";
  private static final String STATE = "state.";
  /** Marks a record kept only for its state: its credential is never projected. */
  private static final String UNPUBLISHABLE = "unpublishable";
  private static final String ISSUE_REASON = "issue-reason";
  private static final String ISSUE_MESSAGE = "issue-message";
  private static final String REFRESH_REQUEST = "refresh-request-handled";
  /** Marks a record whose credential is in the output Secret; the value: when the record was written. */
  static final String IN_OUTPUT = "credential-in-output-since";
  /** The connector's checksum key (base64): in the state Secret's data only, never in metadata or status. */
  static final String CHECKSUM_KEY = "checksum-key";

  /** Whether the state Secret needs only what the credential was issued from: no issuer state to keep. */
  boolean keptWithOutput() {
    return publishable && credential.state().isEmpty() && credential.publication() == null;
  }

  /** What decides whether the state Secret must be written: its data but the instant it was written. */
  static Map<String, String> comparable(Map<String, String> data) {
    Map<String, String> copy = new HashMap<>(data);
    copy.remove(IN_OUTPUT);
    return copy;
  }

  Map<String, String> toData() {
    IssuedCredential c = credential;
    if (keptWithOutput()) {
      Map<String, String> data = new java.util.LinkedHashMap<>();
      data.put("fingerprint", fingerprint);
      data.put(IN_OUTPUT, c.issuedAt().toString());
      if (checksumKey != null) {
        data.put(CHECKSUM_KEY, checksumKey);
      }
      if (refreshRequest != null) {
        data.put(REFRESH_REQUEST, refreshRequest);
      }
      c.notices().forEach(n -> data.put(NOTICE + n.reason(), n.message()));
      return data;
    }
    Map<String, String> data = c.shape(); // the output's shape, then what only state keeps
    data.put("issued-at", c.issuedAt().toString());
    data.put("fingerprint", fingerprint);
    if (checksumKey != null) {
      data.put(CHECKSUM_KEY, checksumKey);
    }
    if (!publishable) {
      data.put(UNPUBLISHABLE, "true");
    }
    if (refreshRequest != null) {
      data.put(REFRESH_REQUEST, refreshRequest);
    }
    if (issueReason != null) {
      data.put(ISSUE_REASON, issueReason);
      data.put(ISSUE_MESSAGE, issueMessage == null ? "" : issueMessage);
    }
    c.extraOutput().forEach((k, v) -> data.put(EXTRA + k, v));
    c.notices().forEach(n -> data.put(NOTICE + n.reason(), n.message()));
    c.state().forEach((k, v) -> data.put(STATE + k, v));
    if (c.publication() != null) {
      data.put("publication.jwks", c.publication().jwks());
      data.put("publication.kid", c.publication().currentKeyId());
      data.put("publication.next-rotation", c.publication().nextRotation().toString());
    }
    return data;
  }

  /** The stored credential, or {@code null} when the data is incomplete (then it is re-issued). */
  static StoredCredential fromData(Map<String, String> data) {
    String issuedAt = data.get("issued-at");
    String fingerprint = data.get("fingerprint");
    if (issuedAt == null || fingerprint == null || data.get("header-value") == null || data.get("token") == null) {
      return null;
    }
    Map<String, String> extra = new HashMap<>();
    List<Notice> notices = new ArrayList<>();
    Map<String, String> state = new HashMap<>();
    data.forEach((k, v) -> {
      if (k.startsWith("publication.")) {
        return;
      }
      if (k.startsWith(EXTRA)) {
        extra.put(k.substring(EXTRA.length()), v);
      } else if (k.startsWith(NOTICE)) {
        notices.add(new Notice(k.substring(NOTICE.length()), v));
      } else if (k.startsWith(STATE)) {
        state.put(k.substring(STATE.length()), v);
      }
    });
    String expiresAt = data.getOrDefault("expires-at", "");
    boolean publishable = !"true".equals(data.get(UNPUBLISHABLE));
    try {
      return new StoredCredential(
          new IssuedCredential(data.getOrDefault("header-name", ""), data.get("header-value"), data.get("token"),
              data.getOrDefault("token-type", ""), Instant.parse(issuedAt),
              expiresAt.isEmpty() ? null : Instant.parse(expiresAt), extra, notices, state, publication(data)),
          fingerprint, publishable, data.get(ISSUE_REASON), data.get(ISSUE_MESSAGE), data.get(REFRESH_REQUEST),
          validKey(data.get(CHECKSUM_KEY)));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    } catch (IssuedCredential.UnsafeValueException e) {
      // stored by a version that did not check what reaches a header: never projected again, and
      // re-issued at once; the issuer's state (a rotated refresh token, generated keys) is kept
      Instant issued = Instant.parse(issuedAt);
      try {
        return new StoredCredential(IssuedCredential.stateOnly(state, publication(data), issued), fingerprint, false,
            null, null, null, validKey(data.get(CHECKSUM_KEY)));
      } catch (RuntimeException unusable) {
        return null;
      }
    }
  }

  /**
   * A record kept with the output Secret ({@link #IN_OUTPUT}): the state's data with the credential the
   * output holds, or {@code null} when the output holds none that belongs to it (older than the record,
   * edited by hand, incomplete): then it is issued again.
   *
   * <p>The checksum is checked with the state's checksum key. A record without one was written by a
   * version that put a plain SHA-256 of the data there: that is checked instead, once, and the record is
   * returned without a key, to be given one ({@link #withNewChecksumKey}) and written back before the
   * output is projected again with the HMAC; no provider is asked. Once the state has a key, a plain
   * SHA-256 is never accepted again (it could be computed by anyone who can edit the output Secret).
   *
   * @param output the output Secret's data and annotations, decoded
   */
  static StoredCredential fromStateAndOutput(Map<String, String> state, Map<String, String> output,
      Map<String, String> annotations) {
    try {
      String written = state.get(IN_OUTPUT);
      String issuedAt = annotations.get(Labels.ISSUED_AT);
      if (written == null || issuedAt == null || state.get("fingerprint") == null || output.get("header-value") == null
          || output.get("token") == null) {
        return null;
      }
      String key = state.get(CHECKSUM_KEY);
      if (key != null && validKey(key) == null) {
        return null;
      }
      String expected = key != null ? OutputSecret.checksum(key, output) : OutputSecret.legacyChecksum(output);
      if (!java.security.MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          annotations.getOrDefault(Labels.CHECKSUM, "").getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        return null;
      }
      Instant issued = Instant.parse(issuedAt);
      if (issued.isBefore(Instant.parse(written))) {
        return null;
      }
      Map<String, String> extra = new HashMap<>(output);
      new IssuedCredential("", "", "", "", issued, null, Map.of(), List.of()).shape().keySet().forEach(extra::remove);
      List<Notice> notices = new ArrayList<>();
      state.forEach((k, v) -> {
        if (k.startsWith(NOTICE)) {
          notices.add(new Notice(k.substring(NOTICE.length()), v));
        }
      });
      String expiresAt = output.getOrDefault("expires-at", "");
      return new StoredCredential(new IssuedCredential(output.getOrDefault("header-name", ""), output.get("header-value"),
          output.get("token"), output.getOrDefault("token-type", ""), issued,
          expiresAt.isEmpty() ? null : Instant.parse(expiresAt), extra, notices), state.get("fingerprint"), true,
          annotations.get(Labels.ISSUE_REASON), annotations.get(Labels.ISSUE_MESSAGE), state.get(REFRESH_REQUEST), key);
    } catch (java.time.format.DateTimeParseException | IllegalArgumentException e) {
      // IllegalArgumentException: an unsafe value (IssuedCredential.UnsafeValueException), or a checksum key
      // that is not base64
      return null;
    }
  }

  /** The published keys, or {@code null} when none (or an incomplete record) is stored: they are published again. */
  private static IssuedCredential.KeyPublication publication(Map<String, String> data) {
    String jwks = data.get("publication.jwks");
    String next = data.get("publication.next-rotation");
    if (jwks == null || next == null) {
      return null;
    }
    try {
      return new IssuedCredential.KeyPublication(jwks, data.get("publication.kid"), Instant.parse(next));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
