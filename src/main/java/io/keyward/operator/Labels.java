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

  private Labels() {}

  static Map<String, String> owned(ApiConnector c, String role) {
    return Map.of(MANAGED_BY, KEYWARD, CONNECTOR, c.getMetadata().getName(), ROLE, role);
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
