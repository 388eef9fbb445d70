package io.keyward.credential;

import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.Map;

/** Resolved values of referenced Secret keys. */
@FunctionalInterface
public interface SecretValues {
  /** The value of a referenced key; every key the auth block references has been resolved. */
  String get(SecretKeyRef ref);

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
