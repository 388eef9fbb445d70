package io.keyward.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import java.util.Map;

/** The labels, annotations and owner references on the Secrets Keyward writes. */
final class Labels {
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String KEYWARD = "keyward";
  static final String CONNECTOR = "keyward.io/connector";
  static final String ROLE = "keyward.io/role";
  static final String ISSUED_AT = "keyward.io/issued-at";
  static final String EXPIRES_AT = "keyward.io/expires-at";
  /** Why the credential in an output Secret was issued (the refresh check that decided), and its message. */
  static final String ISSUE_REASON = "keyward.io/issue-reason";
  static final String ISSUE_MESSAGE = "keyward.io/issue-message";
  /** SHA-256 of an output Secret's data as Keyward wrote it: an edit by hand does not pass for Keyward's. */
  static final String CHECKSUM = "keyward.io/checksum";
  /**
   * When the value the output Secret holds was first published: carried over while the checksum stays
   * the same (a re-issue of the same API key moves issued-at, not this); what spec.rollout compares pod
   * start times with.
   */
  static final String VALUE_SINCE = "keyward.io/value-since";

  private Labels() {}

  /** Label values are at most 63 characters; connector names may have 253. */
  static final int MAX_LABEL_VALUE = 63;
  private static final java.util.regex.Pattern LABEL_VALUE =
      java.util.regex.Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

  static Map<String, String> owned(ApiConnector c, String role) {
    return Map.of(MANAGED_BY, KEYWARD, CONNECTOR, connectorLabel(c.getMetadata().getName()), ROLE, role);
  }

  /**
   * The value of the {@link #CONNECTOR} label for a connector name: the name itself when it is a valid
   * label value, else its first characters, '-' and 10 hex digits of its SHA-256 (unique enough to
   * select by; ownership is decided by the owner reference's UID, and the full name is in the
   * {@link #CONNECTOR} annotation).
   */
  static String connectorLabel(String name) {
    if (name.length() <= MAX_LABEL_VALUE && LABEL_VALUE.matcher(name).matches()) {
      return name;
    }
    String hash = sha256Hex(name).substring(0, 10);
    String prefix = name.substring(0, Math.min(name.length(), MAX_LABEL_VALUE - 1 - hash.length()))
        .replaceAll("[^-A-Za-z0-9_.]", "")
        .replaceAll("^[^A-Za-z0-9]+", "")
        .replaceAll("[^A-Za-z0-9]+$", "");
    return prefix.isEmpty() ? hash : prefix + "-" + hash;
  }

  private static String sha256Hex(String s) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  static OwnerReference ownerReference(ApiConnector c) {
    return new OwnerReferenceBuilder()
        .withApiVersion(c.getApiVersion())
        .withKind(c.getKind())
        .withName(c.getMetadata().getName())
        .withUid(c.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** True when {@code resource} is controlled by this connector (same UID). */
  static boolean ownedBy(HasMetadata resource, ApiConnector c) {
    return resource.getMetadata().getOwnerReferences() != null
        && resource.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> c.getMetadata().getUid() != null && c.getMetadata().getUid().equals(o.getUid()));
  }
}
