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

  // ---- a credential without issuer state: its state Secret keeps what it was issued from -------------

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  static StoredCredential clientCredentials(Instant issuedAt) {
    return new StoredCredential(io.keyward.credential.IssuedCredential.authorization("Bearer", "tok-" + issuedAt,
        issuedAt, issuedAt.plusSeconds(3600)).withExtraOutput(Map.of("scope", "crm.read")), "fp")
        .issuedBecause("RenewalDue", "Renewal time reached").withRefreshRequest("r1");
  }

  /** The output Secret as {@link OutputSecret} writes it: data and annotations, decoded. */
  static Map<String, String> output(StoredCredential s) {
    return s.credential().outputData();
  }

  static Map<String, String> annotations(StoredCredential s) {
    var secret = OutputSecret.desired(apiConnector(), "crm-credentials", s);
    return secret.getMetadata().getAnnotations();
  }

  static io.keyward.api.v1alpha1.ApiConnector apiConnector() {
    var c = new io.keyward.api.v1alpha1.ApiConnector();
    c.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("crm").withNamespace("sales")
        .withUid("u-1").build());
    return c;
  }

  @Test
  void aCredentialWithoutIssuerStateKeepsNoSecretValueInTheStateSecretAndIsReadBackFromTheOutput() {
    StoredCredential issued = clientCredentials(T0);
    assertThat(issued.keptWithOutput()).isTrue();
    Map<String, String> state = issued.toData();
    assertThat(state).containsOnlyKeys("fingerprint", StoredCredential.IN_OUTPUT, "refresh-request-handled")
        .doesNotContainValue("Bearer tok-" + T0);

    StoredCredential read = StoredCredential.fromStateAndOutput(state, output(issued), annotations(issued));
    assertThat(read).isEqualTo(issued);
  }

  @Test
  void aRoutineRefreshLeavesTheStateSecretAsItIsAndTheLaterOutputStillBelongsToIt() {
    StoredCredential first = clientCredentials(T0);
    StoredCredential refreshed = clientCredentials(T0.plusSeconds(2400));
    assertThat(StoredCredential.comparable(refreshed.toData()))
        .as("nothing to write").isEqualTo(StoredCredential.comparable(first.toData()));
    StoredCredential read = StoredCredential.fromStateAndOutput(first.toData(), output(refreshed), annotations(refreshed));
    assertThat(read.credential().token()).isEqualTo("tok-" + T0.plusSeconds(2400));
    assertThat(read.issueReason()).isEqualTo("RenewalDue");
  }

  @Test
  void anOutputOlderThanTheStateRecordOrEditedByHandIsNotTakenForIt() {
    StoredCredential older = clientCredentials(T0);
    StoredCredential newer = new StoredCredential(clientCredentials(T0.plusSeconds(60)).credential(), "fp-2");
    // the state write for new inputs went through, the output write did not
    assertThat(StoredCredential.fromStateAndOutput(newer.toData(), output(older), annotations(older))).isNull();

    Map<String, String> edited = new HashMap<>(output(older));
    edited.put("token", "typed-in-by-hand");
    assertThat(StoredCredential.fromStateAndOutput(older.toData(), edited, annotations(older))).isNull();
  }

  @Test
  void aCredentialWithIssuerStateKeepsEverythingInTheStateSecret() {
    StoredCredential rotating = StoredCredential.fromData(stored());
    assertThat(rotating.keptWithOutput()).isFalse();
    assertThat(rotating.toData()).containsKeys("token", "header-value", "state.refresh-token")
        .doesNotContainKey(StoredCredential.IN_OUTPUT);
  }
}
