package io.keyward.credential;

import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.Map;

/** Resolved values of referenced Secret keys. */
@FunctionalInterface
public interface SecretValues {
  /** The value of a referenced key; every key the auth block references has been resolved. */
  String get(SecretKeyRef ref);

  /** The value of a referenced key that may be missing (an optional one): empty when it was not resolved. */
  default java.util.Optional<String> find(SecretKeyRef ref) {
    try {
      return java.util.Optional.of(get(ref));
    } catch (IllegalStateException e) {
      return java.util.Optional.empty();
    }
  }

  static SecretValues of(Map<SecretKeyRef, String> values) {
    return ref -> {
      String v = values.get(ref);
      if (v == null) {
        throw new IllegalStateException(ref + " was not resolved");
      }
      return v;
    };
  }
}
