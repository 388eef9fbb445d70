package io.keyward.api.v1alpha1.auth;

import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One block of {@code spec.auth}. Each names its type (as shown in the TYPE column) and the
 * Secret keys it reads, so that the operator resolves and watches them without knowing the type.
 */
public interface AuthMethod {
  /** The name of the block in {@code spec.auth}, e.g. {@code oauth2}. */
  String type();

  /**
   * Every Secret key this block reads, in spec order, each under the path of its field (e.g.
   * {@code spec.auth.apiKey.keyRef}), so that a refusal can name the field.
   */
  Map<String, SecretKeyRef> secretRefsByField();

  /** Whether a key of {@link #secretRefsByField} may be missing from its Secret (it is then left out). */
  default boolean isOptional(String field) {
    return false;
  }

  /** Every Secret key this block reads. */
  default List<SecretKeyRef> secretRefs() {
    return List.copyOf(secretRefsByField().values());
  }

  /** The renewal percentage when the spec gives none; {@code null} for the operator's default. */
  default Integer defaultRenewBeforePercentage() {
    return null;
  }

  /** Pairs of field path (below {@code spec.auth.<type>}) and reference; unset references are left out. */
  static Map<String, SecretKeyRef> byField(String type, Object... fieldAndRef) {
    Map<String, SecretKeyRef> refs = new LinkedHashMap<>();
    for (int i = 0; i < fieldAndRef.length; i += 2) {
      if (fieldAndRef[i + 1] instanceof SecretKeyRef ref) {
        refs.put("spec.auth." + type + "." + fieldAndRef[i], ref);
      }
    }
    return refs;
  }
}
