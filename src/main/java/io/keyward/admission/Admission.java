package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * What the API server would make of one object: the causes it refuses it for (none: admitted),
 * the warnings it sends back ({@code unknown field "spec.foo"} for each field that pruning
 * removed), and the object as it would be stored (unknown fields removed, {@code null}s of
 * non-nullable fields dropped).
 */
public record Admission(List<Cause> errors, List<String> warnings, JsonNode pruned) {
  private static final String UNKNOWN_FIELD = "unknown field ";

  public Admission {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  /** True when nothing refuses the object. */
  public boolean allowed() {
    return errors.isEmpty();
  }

  /** The paths of the pruned fields, in the order of {@link #warnings()}. */
  public List<String> unknownFields() {
    return warnings.stream().map(Admission::unknownField).flatMap(Optional::stream).toList();
  }

  /** The field path of an {@code unknown field "spec.foo"} warning. */
  public static Optional<String> unknownField(String warning) {
    if (warning == null || !warning.startsWith(UNKNOWN_FIELD)) {
      return Optional.empty();
    }
    return Optional.of(GoValues.unquote(warning.substring(UNKNOWN_FIELD.length())));
  }

  static String unknownFieldWarning(String path) {
    return UNKNOWN_FIELD + GoValues.quote(path);
  }
}
