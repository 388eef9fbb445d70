package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a state Secret holds is read back without losing the issuer's state, whatever else is in it. */
class StoredCredentialTest {
  static Map<String, String> stored() {
    return new HashMap<>(Map.of("header-name", "Authorization", "header-value", "Bearer tok", "token", "tok",
        "token-type", "Bearer", "issued-at", "2026-03-01T10:00:00Z", "expires-at", "2026-03-01T11:00:00Z",
        "fingerprint", "fp", "state.refresh-token", "rotated-7"));
  }

  @Test
  void aCredentialThatWouldSplitAHeaderIsNeverPublishedAgainButItsStateIsKept() {
    Map<String, String> data = stored();
    data.put("header-value", "Bearer tok\r\nX-Injected: 1"); // stored by a version that did not check
    StoredCredential read = StoredCredential.fromData(data);
    assertThat(read).isNotNull();
    assertThat(read.publishable()).isFalse();
    assertThat(read.credential().state()).containsEntry("refresh-token", "rotated-7");
    assertThat(read.credential().headerValue()).isEmpty();
    assertThat(read.credential().expiresAt()).as("re-issued at once").isEqualTo(read.credential().issuedAt());
    // written back next to a rotated refresh token, it stays unpublishable
    StoredCredential again = StoredCredential.fromData(read.toData());
    assertThat(again.publishable()).isFalse();
    assertThat(again.credential().state()).containsEntry("refresh-token", "rotated-7");
  }

  @Test
  void aSafeCredentialIsReadAsStored() {
    StoredCredential read = StoredCredential.fromData(stored());
    assertThat(read.publishable()).isTrue();
    assertThat(read.credential().headerValue()).isEqualTo("Bearer tok");
    assertThat(read.credential().state()).containsEntry("refresh-token", "rotated-7");
  }

  @Test
  void anIncompleteKeyPublicationIsPublishedAgainNotAnErrorOnEveryReconcile() {
    Map<String, String> data = stored();
    data.put("publication.jwks", "{\"keys\":[]}"); // next-rotation missing
    StoredCredential read = StoredCredential.fromData(data);
    assertThat(read).isNotNull();
    assertThat(read.credential().publication()).isNull();
  }
}
