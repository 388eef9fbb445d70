package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
    assertThat(state).containsOnlyKeys("fingerprint", StoredCredential.IN_OUTPUT, "refresh-request-handled",
            StoredCredential.CHECKSUM_KEY)
        .doesNotContainValue("Bearer tok-" + T0);

    StoredCredential read = StoredCredential.fromStateAndOutput(state, output(issued), annotations(issued));
    assertThat(read).isEqualTo(issued);
  }

  @Test
  void aRoutineRefreshLeavesTheStateSecretAsItIsAndTheLaterOutputStillBelongsToIt() {
    StoredCredential first = clientCredentials(T0);
    StoredCredential refreshed = clientCredentials(T0.plusSeconds(2400)).withChecksumKeyOf(Optional.of(first));
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

  // ---- the output's checksum: an HMAC under the connector's key, kept in the state Secret ----------

  static StoredCredential apiKey(String key) {
    return new StoredCredential(io.keyward.credential.IssuedCredential.header("X-API-Key", "", key, "", T0), "fp");
  }

  @Test
  void theChecksumIsAnHmacUnderTheConnectorsKeyNotAHashOfTheCredential() {
    StoredCredential weak = apiKey("hunter2");
    String checksum = annotations(weak).get(Labels.CHECKSUM);
    assertThat(checksum).as("not the plain SHA-256 that anyone can compute from a guess")
        .isNotEqualTo(OutputSecret.legacyChecksum(output(weak))).matches("[0-9a-f]{64}");
    assertThat(java.util.Base64.getDecoder().decode(weak.checksumKey())).hasSize(32);
    assertThat(annotations(apiKey("hunter2")).get(Labels.CHECKSUM)).as("another connector, another key")
        .isNotEqualTo(checksum);
    var secret = OutputSecret.desired(apiConnector(), "crm-credentials", weak);
    assertThat(secret.getMetadata().toString() + secret.getData()).as("the key is in the state Secret only")
        .doesNotContain(weak.checksumKey());
    assertThat(weak.toString()).doesNotContain(weak.checksumKey(), "hunter2");
    assertThat(weak.toData()).containsEntry(StoredCredential.CHECKSUM_KEY, weak.checksumKey());
    assertThat(StoredCredential.fromStateAndOutput(weak.toData(), output(weak), annotations(weak))).isEqualTo(weak);
  }

  @Test
  void aRecordWithIssuerStateKeepsItsChecksumKeyToo() {
    StoredCredential rotating = StoredCredential.fromData(stored());
    assertThat(rotating.checksumKey()).as("written before there were keys").isNull();
    StoredCredential keyed = rotating.withNewChecksumKey();
    StoredCredential read = StoredCredential.fromData(keyed.toData());
    assertThat(read.checksumKey()).isEqualTo(keyed.checksumKey());
    assertThat(read.outputChecksum()).isEqualTo(OutputSecret.checksum(keyed.checksumKey(), output(keyed)));
  }

  @Test
  void anOutputWithThePlainChecksumOfAnEarlierVersionIsCheckedOnceAndTheRecordThenGivenAKey() {
    StoredCredential issued = clientCredentials(T0);
    Map<String, String> state = new HashMap<>(issued.toData());
    state.remove(StoredCredential.CHECKSUM_KEY); // as an earlier version wrote it
    Map<String, String> legacy = new HashMap<>(annotations(issued));
    legacy.put(Labels.CHECKSUM, OutputSecret.legacyChecksum(output(issued)));

    StoredCredential read = StoredCredential.fromStateAndOutput(state, output(issued), legacy);
    assertThat(read).as("taken for the state's: no provider call").isNotNull();
    assertThat(read.credential().token()).isEqualTo("tok-" + T0);
    assertThat(read.checksumKey()).as("to be given one").isNull();
    assertThat(annotations(read)).as("nothing written with a plain hash").doesNotContainKey(Labels.CHECKSUM);

    Map<String, String> edited = new HashMap<>(output(issued));
    edited.put("token", "typed-in-by-hand");
    assertThat(StoredCredential.fromStateAndOutput(state, edited, legacy)).as("checked, not trusted blindly").isNull();

    StoredCredential keyed = read.withNewChecksumKey();
    assertThat(StoredCredential.comparable(keyed.toData())).as("written once").isNotEqualTo(StoredCredential.comparable(state));
    assertThat(StoredCredential.fromStateAndOutput(keyed.toData(), output(keyed), annotations(keyed)))
        .isEqualTo(keyed);
    assertThat(StoredCredential.fromStateAndOutput(keyed.toData(), output(issued), legacy))
        .as("once the state has a key, a plain SHA-256 is never accepted again").isNull();
    Map<String, String> forged = new HashMap<>(legacy);
    forged.put(Labels.CHECKSUM, OutputSecret.legacyChecksum(edited));
    assertThat(StoredCredential.fromStateAndOutput(keyed.toData(), edited, forged)).isNull();
  }

  @Test
  void aChecksumKeyThatIsNoKeyIsNotUsed() {
    StoredCredential issued = clientCredentials(T0);
    Map<String, String> state = new HashMap<>(issued.toData());
    state.put(StoredCredential.CHECKSUM_KEY, "not base64!");
    assertThat(StoredCredential.fromStateAndOutput(state, output(issued), annotations(issued))).isNull();
    Map<String, String> full = stored();
    full.put(StoredCredential.CHECKSUM_KEY, java.util.Base64.getEncoder().encodeToString(new byte[4]));
    assertThat(StoredCredential.fromData(full).checksumKey()).as("given a new one").isNull();
  }
}
