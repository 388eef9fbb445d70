package io.keyward.api.v1alpha1.auth;

import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.List;

/**
 * One block of {@code spec.auth}. Each names its type (as shown in the TYPE column) and the
 * Secret keys it reads, so that the operator resolves and watches them without knowing the type.
 */
public interface AuthMethod {
  /** The name of the block in {@code spec.auth}, e.g. {@code oauth2}. */
  String type();

  /** Every Secret key this block reads. */
  List<SecretKeyRef> secretRefs();

  /** The renewal percentage when the spec gives none; {@code null} for the operator's default. */
  default Integer defaultRenewBeforePercentage() {
    return null;
  }
}
