package io.keyward.local;

import java.util.Optional;

/**
 * The {@code fieldValidation} query parameter of a write: what the server does with fields the
 * schema does not declare. Absent means {@link #WARN}, as in kube-apiserver 1.27+.
 */
enum FieldValidation {
  /** Refuse the write, naming every unknown field. */
  STRICT,
  /** Drop them and send a {@code Warning} header per field. */
  WARN,
  /** Drop them silently. */
  IGNORE;

  /** The directive, or empty for a value kube does not know. */
  static Optional<FieldValidation> parse(String value) {
    return switch (value == null ? "" : value) {
      case "", "Warn" -> Optional.of(WARN);
      case "Strict" -> Optional.of(STRICT);
      case "Ignore" -> Optional.of(IGNORE);
      default -> Optional.empty();
    };
  }
}
