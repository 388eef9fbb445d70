package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAPI part of the API server's check, done as k8s.io/kube-openapi
 * {@code pkg/validation/validate} does it and reported as apiextensions-apiserver
 * {@code pkg/apiserver/validation/validation.go} ({@code kubeOpenAPIResultToFieldErrors}) turns
 * its errors into field errors:
 *
 * <ul>
 *   <li>on every value, in this order: type, string (maxLength, minLength, pattern: the first that
 *       fails), format, number (multipleOf, minimum, maximum), list (items, then minItems,
 *       maxItems), enum, object (min/maxProperties, which stop there; the fields; then
 *       {@code required});
 *   <li>names as kube-openapi builds them: {@code spec.auth}, {@code spec.scopes[0]}, map values
 *       with a dot ({@code spec.auth.oauth2.extraParams.resource});
 *   <li>messages from {@code pkg/validation/errors/schema.go} ({@code "%s in body should match '%s'"},
 *       {@code "%s in body must be of type %s: %q"}, ...), wrapped as the field error types
 *       (Required, NotSupported, TooLong, TooMany, TypeInvalid; everything else Invalid with the
 *       value).
 * </ul>
 */
final class SchemaValidation {
  private final List<Cause> causes = new ArrayList<>();

  private SchemaValidation() {}

  static List<Cause> validate(Schema root, JsonNode object) {
    SchemaValidation v = new SchemaValidation();
    v.node(root, object, "");
    return v.causes;
  }

  /** A kube-openapi name as the field of a field error ({@code errPath.Child(TrimPrefix(name, "."))}). */
  private static String field(String name) {
    if (name.isEmpty() || name.equals(".")) {
      return "<nil>";
    }
    return name.startsWith(".") ? name.substring(1) : name;
  }

  private void node(Schema s, JsonNode data, String path) {
    if (data == null || data.isNull()) {
      checkType(s, data, path);
      checkEnum(s, data, path);
      return;
    }
    checkType(s, data, path);
    if (data.isTextual()) {
      checkString(s, data.textValue(), data, path);
      checkFormat(s, data.textValue(), path);
    }
    if (data.isNumber()) {
      checkNumber(s, data, path);
    }
    if (data.isArray()) {
      if (s.items != null) {
        for (int i = 0; i < data.size(); i++) {
          node(s.items, data.get(i), path + "[" + i + "]");
        }
      }
      if (s.minItems != null && data.size() < s.minItems) {
        causes.add(Cause.invalid(field(path), Long.toString(data.size()),
            path + " in body should have at least " + s.minItems + " items"));
      }
      if (s.maxItems != null && data.size() > s.maxItems) {
        causes.add(Cause.tooMany(field(path), data.size(), s.maxItems));
      }
    }
    checkEnum(s, data, path);
    if (data.isObject()) {
      checkObject(s, data, path);
    }
  }

  private void checkType(Schema s, JsonNode data, String path) {
    List<String> types = s.types();
    if (types.isEmpty()) {
      return;
    }
    String actual = GoValues.jsonType(data);
    if (actual.equals("null")) {
      if (!s.nullable) {
        causes.add(typeError(path, String.join(",", types), "null"));
      }
      return;
    }
    boolean numeric = types.contains("number") || types.contains("integer");
    if (!numeric && s.format != null && Formats.known(s.format) && (data.isTextual() || data.isArray())) {
      return; // kube-openapi leaves a formatted string or list to the format check
    }
    boolean floatInt = actual.equals("number") && types.contains("integer") && whole(data.doubleValue());
    boolean intFloat = actual.equals("integer") && types.contains("number");
    if (!(types.contains(actual) || floatInt || intFloat)) {
      causes.add(typeError(path, String.join(",", types), actual));
    }
  }

  private static Cause typeError(String path, String expected, String actual) {
    return Cause.typeInvalid(field(path), GoValues.quote(actual),
        path + " in body must be of type " + expected + ": " + GoValues.quote(actual));
  }

  private void checkString(Schema s, String value, JsonNode data, String path) {
    long length = value.codePointCount(0, value.length()); // utf8.RuneCount
    if (s.maxLength != null && length > s.maxLength) {
      causes.add(Cause.tooLong(field(path), s.maxLength));
    } else if (s.minLength != null && length < s.minLength) {
      causes.add(Cause.invalid(field(path), GoValues.value(data),
          path + " in body should be at least " + s.minLength + " chars long"));
    } else if (s.pattern != null && !s.pattern.matches(value)) {
      causes.add(Cause.invalid(field(path), GoValues.value(data),
          path + " in body should match '" + s.pattern.source() + "'"));
    }
  }

  private void checkFormat(Schema s, String value, String path) {
    if (s.format == null || !Formats.known(s.format) || Formats.valid(s.format, value)) {
      return;
    }
    causes.add(Cause.typeInvalid(field(path), GoValues.quote(value),
        path + " in body must be of type " + s.format + ": " + GoValues.quote(value)));
  }

  private void checkNumber(Schema s, JsonNode data, String path) {
    boolean integral = data.isIntegralNumber();
    double value = data.doubleValue();
    String shown = GoValues.value(data);
    if (s.multipleOf != null) {
      double factor = s.multipleOf;
      boolean multiple = integral ? data.longValue() % (long) factor == 0
          : whole(factor < 1 ? (1 / factor) * value : value / factor);
      if (!multiple) {
        causes.add(Cause.invalid(field(path), shown, path + " in body should be a multiple of " + GoValues.float64(factor)));
      }
    }
    if (s.minimum != null) {
      // an integer is compared with the bound cut to an integer, as MinimumNativeType does
      boolean below = integral
          ? (s.exclusiveMinimum ? data.longValue() <= s.minimum.longValue() : data.longValue() < s.minimum.longValue())
          : (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum);
      if (below) {
        String bound = integral ? Long.toString(s.minimum.longValue()) : GoValues.float64(s.minimum);
        causes.add(Cause.invalid(field(path), shown, path + " in body should be greater than "
            + (s.exclusiveMinimum ? "" : "or equal to ") + bound));
      }
    }
    if (s.maximum != null) {
      boolean above = integral
          ? (s.exclusiveMaximum ? data.longValue() >= s.maximum.longValue() : data.longValue() > s.maximum.longValue())
          : (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum);
      if (above) {
        String bound = integral ? Long.toString(s.maximum.longValue()) : GoValues.float64(s.maximum);
        causes.add(Cause.invalid(field(path), shown, path + " in body should be less than "
            + (s.exclusiveMaximum ? "" : "or equal to ") + bound));
      }
    }
  }

  private void checkEnum(Schema s, JsonNode data, String path) {
    if (s.enumValues.isEmpty()) {
      return;
    }
    for (JsonNode allowed : s.enumValues) {
      if (equal(allowed, data)) {
        return;
      }
    }
    List<String> supported = new ArrayList<>();
    for (JsonNode allowed : s.enumValues) {
      supported.add(allowed.isTextual() ? allowed.textValue() : GoValues.marshal(allowed));
    }
    causes.add(Cause.notSupported(field(path), GoValues.value(data), supported));
  }

  private void checkObject(Schema s, JsonNode data, String path) {
    int size = data.size();
    if (s.minProperties != null && size < s.minProperties) {
      causes.add(Cause.invalid(field(path), Integer.toString(size),
          path + " in body should have at least " + s.minProperties + " properties"));
      return;
    }
    if (s.maxProperties != null && size > s.maxProperties) {
      causes.add(Cause.tooMany(field(path), size, s.maxProperties));
      return;
    }
    data.fields().forEachRemaining(e -> {
      String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      Schema prop = s.properties.get(e.getKey());
      if (prop != null) {
        node(prop, e.getValue(), child);
      } else if (s.additionalProperties != null) {
        node(s.additionalProperties, e.getValue(), path + "." + e.getKey());
      }
    });
    for (String name : s.required) {
      if (!data.has(name)) {
        causes.add(Cause.required(field(path + "." + name), ""));
      }
    }
  }

  private static boolean equal(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return false;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.doubleValue() == b.doubleValue();
    }
    return a.equals(b);
  }

  private static boolean whole(double d) {
    return !Double.isInfinite(d) && d == Math.rint(d);
  }
}
