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
 */
record StoredCredential(IssuedCredential credential, String fingerprint, boolean publishable, String issueReason,
    String issueMessage, String refreshRequest) {
  StoredCredential(IssuedCredential credential, String fingerprint) {
    this(credential, fingerprint, true, null, null, null);
  }

  /** Kept only for the issuer's state in it: never projected; counts as no credential, so one is issued next. */
  static StoredCredential unpublishable(IssuedCredential credential, String fingerprint) {
    return new StoredCredential(credential, fingerprint, false, null, null, null);
  }

  /** Issued because of {@code reason} (the refresh check that decided), kept with it so status can say so. */
  StoredCredential issuedBecause(String reason, String message) {
    return new StoredCredential(credential, fingerprint, publishable, reason, message, refreshRequest);
  }

  /**
   * With the value of the refresh annotation acted on by now: durable bookkeeping, so that neither a
   * restart nor a stale status repeats a refresh request (status is no store).
   */
  StoredCredential withRefreshRequest(String handled) {
    return new StoredCredential(credential, fingerprint, publishable, issueReason, issueMessage, handled);
  }

  /** The same record with another credential (e.g. with a rotated refresh token in its state). */
  StoredCredential withCredential(IssuedCredential c) {
    return new StoredCredential(c, fingerprint, publishable, issueReason, issueMessage, refreshRequest);
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
      if (refreshRequest != null) {
        data.put(REFRESH_REQUEST, refreshRequest);
      }
      c.notices().forEach(n -> data.put(NOTICE + n.reason(), n.message()));
      return data;
    }
    Map<String, String> data = c.shape(); // the output's shape, then what only state keeps
    data.put("issued-at", c.issuedAt().toString());
    data.put("fingerprint", fingerprint);
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
          fingerprint, publishable, data.get(ISSUE_REASON), data.get(ISSUE_MESSAGE), data.get(REFRESH_REQUEST));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    } catch (IssuedCredential.UnsafeValueException e) {
      // stored by a version that did not check what reaches a header: never projected again, and
      // re-issued at once; the issuer's state (a rotated refresh token, generated keys) is kept
      Instant issued = Instant.parse(issuedAt);
      try {
        return unpublishable(IssuedCredential.stateOnly(state, publication(data), issued), fingerprint);
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
   * @param output the output Secret's data and annotations, decoded
   */
  static StoredCredential fromStateAndOutput(Map<String, String> state, Map<String, String> output,
      Map<String, String> annotations) {
    try {
      String written = state.get(IN_OUTPUT);
      String issuedAt = annotations.get(Labels.ISSUED_AT);
      if (written == null || issuedAt == null || state.get("fingerprint") == null || output.get("header-value") == null
          || output.get("token") == null || !OutputSecret.checksum(output).equals(annotations.get(Labels.CHECKSUM))) {
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
          annotations.get(Labels.ISSUE_REASON), annotations.get(Labels.ISSUE_MESSAGE), state.get(REFRESH_REQUEST));
    } catch (java.time.format.DateTimeParseException | IssuedCredential.UnsafeValueException e) {
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
