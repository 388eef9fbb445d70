package io.keyward.admission;

import java.util.List;
import java.util.Objects;

/**
 * One reason a request is refused: a {@code details.causes[]} entry of kube-apiserver's 422
 * answer. {@code type} is the cause's {@code reason} ({@code FieldValueRequired},
 * {@code FieldValueInvalid}, ...), {@code message} what the API server prints after the field
 * ({@code Required value}, {@code Invalid value: 150: ...}), {@code field} the path, or
 * {@code <nil>} where kube names none.
 *
 * <p>The factories build them as k8s.io/apimachinery {@code pkg/util/validation/field/errors.go}
 * does: {@code ErrorBody} is the type's text, then the bad value (omitted for Required, Forbidden
 * and TooLong), then {@code ": "} and the detail.
 */
public record Cause(String field, String type, String message) {
  public static final String REQUIRED = "FieldValueRequired";
  public static final String INVALID = "FieldValueInvalid";
  public static final String NOT_SUPPORTED = "FieldValueNotSupported";
  public static final String TOO_LONG = "FieldValueTooLong";
  public static final String TOO_MANY = "FieldValueTooMany";
  public static final String TYPE_INVALID = "FieldValueTypeInvalid";
  public static final String FORBIDDEN = "FieldValueForbidden";
  public static final String DUPLICATE = "FieldValueDuplicate";
  public static final String INTERNAL = "InternalError";

  public Cause {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(message, "message");
  }

  /** As kube-apiserver prints one cause: {@code field: message}. */
  @Override
  public String toString() {
    return field + ": " + message;
  }

  static Cause required(String field, String detail) {
    return new Cause(field, REQUIRED, withDetail("Required value", detail));
  }

  static Cause forbidden(String field, String detail) {
    return new Cause(field, FORBIDDEN, withDetail("Forbidden", detail));
  }

  /** {@code value} is already rendered ({@link GoValues#value}). */
  static Cause invalid(String field, String value, String detail) {
    return new Cause(field, INVALID, withDetail("Invalid value: " + value, detail));
  }

  static Cause typeInvalid(String field, String value, String detail) {
    return new Cause(field, TYPE_INVALID, withDetail("Invalid value: " + value, detail));
  }

  static Cause notSupported(String field, String value, List<String> supported) {
    String detail = supported.isEmpty() ? "" : "supported values: " + String.join(", ", GoValues.quoteAll(supported));
    return new Cause(field, NOT_SUPPORTED, withDetail("Unsupported value: " + value, detail));
  }

  /** {@code field.TooLong}: the value is never shown. */
  static Cause tooLong(String field, long max) {
    String detail = max >= 0 ? "may not be more than " + max + (max == 1 ? " byte" : " bytes") : "value is too long";
    return new Cause(field, TOO_LONG, withDetail("Too long", detail));
  }

  static Cause tooMany(String field, long actual, long max) {
    String detail = max >= 0 ? "must have at most " + max + (max == 1 ? " item" : " items") : "has too many items";
    return new Cause(field, TOO_MANY, withDetail(actual >= 0 ? "Too many: " + actual : "Too many", detail));
  }

  static Cause duplicate(String field, String value) {
    return new Cause(field, DUPLICATE, "Duplicate value: " + value);
  }

  private static String withDetail(String body, String detail) {
    return detail == null || detail.isEmpty() ? body : body + ": " + detail;
  }
}
