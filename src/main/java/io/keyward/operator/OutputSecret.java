package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Secret workloads mount, one shape for every auth type: {@code header-name},
 * {@code header-value}, {@code token}, {@code token-type}, {@code expires-at} (plus type-specific
 * extras such as {@code query-name}). Projected from state; written only when it differs.
 */
final class OutputSecret {
  static final String ROLE = "output";
  private final Secrets secrets;
  private final java.time.Clock clock;

  OutputSecret(Secrets secrets, java.time.Clock clock) {
    this.secrets = secrets;
    this.clock = clock;
  }

  static Secret desired(ApiConnector connector, String name, StoredCredential stored) {
    IssuedCredential c = stored.credential();
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.CONNECTOR, connector.getMetadata().getName());
    annotations.put(Labels.ISSUED_AT, c.issuedAt().toString());
    annotations.put(Labels.EXPIRES_AT, c.expiresAt() == null ? "" : c.expiresAt().toString());
    if (stored.issueReason() != null) {
      annotations.put(Labels.ISSUE_REASON, stored.issueReason());
      annotations.put(Labels.ISSUE_MESSAGE, stored.issueMessage() == null ? "" : stored.issueMessage());
    }
    String checksum = stored.outputChecksum();
    if (checksum != null) { // none only for a record of an earlier version, until it is given a key
      annotations.put(Labels.CHECKSUM, checksum);
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(connector.getMetadata().getNamespace())
        .withLabels(Labels.owned(connector, ROLE))
        .withAnnotations(annotations)
        .withOwnerReferences(Labels.ownerReference(connector))
        .endMetadata()
        .withType("Opaque")
        .withData(SecretData.encode(c.outputData()))
        .build();
  }

  /**
   * HMAC-SHA256 under the connector's checksum key (base64, from the state Secret) over the output keys
   * and values, in key order, each length-prefixed; in hex. Without the key it tells nothing about the
   * credential (a plain hash of an API key or password in metadata could be checked against guesses).
   */
  static String checksum(String key, Map<String, String> data) {
    try {
      var mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(java.util.Base64.getDecoder().decode(key), "HmacSHA256"));
      feed(data, mac::update);
      return java.util.HexFormat.of().formatHex(mac.doFinal());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The plain SHA-256 that versions before checksum keys wrote (same encoding): only checked, for an
   * output written then, never written.
   */
  static String legacyChecksum(Map<String, String> data) {
    try {
      var digest = java.security.MessageDigest.getInstance("SHA-256");
      feed(data, digest::update);
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void feed(Map<String, String> data, java.util.function.Consumer<byte[]> sink) {
    for (var e : new java.util.TreeMap<>(data).entrySet()) {
      for (String part : new String[] {e.getKey(), e.getValue()}) {
        byte[] bytes = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sink.accept((bytes.length + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sink.accept(bytes);
      }
    }
  }

  /**
   * Writes the output Secret when its content differs from {@code stored}'s credential.
   *
   * @return when the value it holds now was first published ({@link Labels#VALUE_SINCE})
   */
  Instant project(ApiConnector connector, String name, StoredCredential stored) throws CredentialException {
    Secret existing = secrets.owned(connector.getMetadata().getNamespace(), name).orElse(null);
    if (existing != null && !Labels.ownedBy(existing, connector)) {
      throw CredentialException.terminal("SecretConflict", "Secret " + connector.getMetadata().getNamespace() + "/"
          + name + " exists and is not managed by this connector; Keyward will not overwrite it"
          + " (choose another spec.output.secretName)");
    }
    Secret desired = desired(connector, name, stored);
    Instant since = valueSince(existing, stored, clock.instant());
    desired.getMetadata().getAnnotations().put(Labels.VALUE_SINCE, since.toString());
    if (existing != null && upToDate(existing, desired)) {
      return since;
    }
    // derived from state: whatever a conflicting writer put there, the projection of state is right
    secrets.write(ResourceID.fromResource(connector), desired, existing, latest -> true);
    return since;
  }

  /**
   * The existing output's value-since when it holds the same value (same checksum), else now: the
   * value is published by this write (which may come well after the credential was issued, when an
   * earlier write failed).
   */
  private static Instant valueSince(Secret existing, StoredCredential stored, Instant now) {
    String checksum = stored.outputChecksum();
    var a = existing == null || existing.getMetadata().getAnnotations() == null ? null
        : existing.getMetadata().getAnnotations();
    if (checksum != null && a != null && checksum.equals(a.get(Labels.CHECKSUM))) {
      String kept = a.getOrDefault(Labels.VALUE_SINCE, a.get(Labels.ISSUED_AT));
      try {
        Instant since = kept == null ? null : Instant.parse(kept);
        if (since != null) {
          return since;
        }
      } catch (java.time.format.DateTimeParseException e) {
        // written by hand: published now, then
      }
    }
    Instant issued = stored.credential().issuedAt();
    return now.isAfter(issued) ? now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : issued;
  }

  private static boolean upToDate(Secret existing, Secret desired) {
    var m = existing.getMetadata();
    return Objects.equals(existing.getData(), desired.getData())
        && m.getLabels() != null && m.getLabels().entrySet().containsAll(desired.getMetadata().getLabels().entrySet())
        && m.getAnnotations() != null
        && m.getAnnotations().entrySet().containsAll(desired.getMetadata().getAnnotations().entrySet());
  }
}
