package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.re2j.Pattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The checks the API server makes on a custom resource's {@code metadata}
 * (k8s.io/apimachinery {@code pkg/api/validation/objectmeta.go} {@code ValidateObjectMetaAccessor}
 * with {@code NameIsDNSSubdomain}, and {@code pkg/util/validation/validation.go} for the messages):
 * {@code generateName}, {@code name} (required, a DNS-1123 subdomain), {@code namespace} (when
 * set: a DNS-1123 label), label keys and values, annotation keys and their total size.
 *
 * <p>The API server decodes {@code metadata} into a Go struct and answers a field of the wrong
 * type with HTTP 400 before validating anything; here that is a {@code FieldValueTypeInvalid}
 * cause worded as kube-openapi words type errors.
 */
final class ObjectMetaValidation {
  private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric"
      + " characters or '-', and must start and end with an alphanumeric character";
  private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
  private static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case"
      + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final String QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and"
      + " must start and end with an alphanumeric character";
  private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
  private static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric"
      + " characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  private static final Pattern DNS1123_LABEL = Pattern.compile("^" + DNS1123_LABEL_FMT + "$");
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^" + DNS1123_SUBDOMAIN_FMT + "$");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("^" + QUALIFIED_NAME_FMT + "$");
  private static final Pattern LABEL_VALUE = Pattern.compile("^" + LABEL_VALUE_FMT + "$");
  /** {@code TotalAnnotationSizeLimitB}. */
  private static final long ANNOTATIONS_LIMIT = 256 * (1 << 10);

  private final List<Cause> causes = new ArrayList<>();

  private ObjectMetaValidation() {}

  static List<Cause> validate(JsonNode metadata) {
    ObjectMetaValidation v = new ObjectMetaValidation();
    v.check(metadata);
    return v.causes;
  }

  private void check(JsonNode metadata) {
    if (metadata == null || metadata.isNull()) {
      causes.add(Cause.required("metadata.name", "name or generateName is required"));
      return;
    }
    if (!metadata.isObject()) {
      causes.add(typeError("metadata", "object", metadata));
      return;
    }
    String generateName = string(metadata, "generateName");
    String name = string(metadata, "name");
    String namespace = string(metadata, "namespace");
    if (generateName != null && !generateName.isEmpty()) {
      for (String msg : dns1123Subdomain(maskTrailingDash(generateName))) {
        causes.add(Cause.invalid("metadata.generateName", GoValues.quote(generateName), msg));
      }
    }
    if (name == null || name.isEmpty()) {
      boolean wrongType = metadata.has("name") && !metadata.get("name").isTextual() && !metadata.get("name").isNull();
      // on a create the API server makes the name from generateName before it validates
      if (!wrongType && (generateName == null || generateName.isEmpty())) {
        causes.add(Cause.required("metadata.name", "name or generateName is required"));
      }
    } else {
      for (String msg : dns1123Subdomain(name)) {
        causes.add(Cause.invalid("metadata.name", GoValues.quote(name), msg));
      }
    }
    if (namespace != null && !namespace.isEmpty()) {
      for (String msg : dns1123Label(namespace)) {
        causes.add(Cause.invalid("metadata.namespace", GoValues.quote(namespace), msg));
      }
    }
    labels(metadata.get("labels"));
    annotations(metadata.get("annotations"));
  }

  private void labels(JsonNode labels) {
    if (!stringMap(labels, "metadata.labels")) {
      return;
    }
    labels.fields().forEachRemaining(e -> {
      for (String msg : qualifiedName(e.getKey())) {
        causes.add(Cause.invalid("metadata.labels", GoValues.quote(e.getKey()), msg));
      }
      String value = e.getValue().asText();
      List<String> errs = new ArrayList<>();
      if (value.length() > 63) {
        errs.add(maxLen(63));
      }
      if (!LABEL_VALUE.matcher(value).find()) {
        errs.add(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
      }
      errs.forEach(msg -> causes.add(Cause.invalid("metadata.labels", GoValues.quote(value), msg)));
    });
  }

  private void annotations(JsonNode annotations) {
    if (!stringMap(annotations, "metadata.annotations")) {
      return;
    }
    long[] size = {0};
    annotations.fields().forEachRemaining(e -> {
      for (String msg : qualifiedName(e.getKey().toLowerCase(Locale.ROOT))) {
        causes.add(Cause.invalid("metadata.annotations", GoValues.quote(e.getKey()), msg));
      }
      size[0] += bytes(e.getKey()) + bytes(e.getValue().asText());
    });
    if (size[0] > ANNOTATIONS_LIMIT) {
      causes.add(Cause.tooLong("metadata.annotations", ANNOTATIONS_LIMIT));
    }
  }

  /** True if {@code map} is an object of strings; a wrong type is reported. */
  private boolean stringMap(JsonNode map, String field) {
    if (map == null || map.isNull()) {
      return false;
    }
    if (!map.isObject()) {
      causes.add(typeError(field, "object", map));
      return false;
    }
    boolean[] ok = {true};
    map.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) {
        causes.add(typeError(field + "." + e.getKey(), "string", e.getValue()));
        ok[0] = false;
      }
    });
    return ok[0];
  }

  private String string(JsonNode metadata, String field) {
    JsonNode v = metadata.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      causes.add(typeError("metadata." + field, "string", v));
      return null;
    }
    return v.textValue();
  }

  private static Cause typeError(String field, String expected, JsonNode actual) {
    String type = GoValues.jsonType(actual);
    return Cause.typeInvalid(field, GoValues.quote(type),
        field + " in body must be of type " + expected + ": " + GoValues.quote(type));
  }

  /** {@code IsDNS1123Subdomain}. */
  static List<String> dns1123Subdomain(String value) {
    List<String> errs = new ArrayList<>();
    if (bytes(value) > 253) {
      errs.add(maxLen(253));
    }
    if (!DNS1123_SUBDOMAIN.matcher(value).find()) {
      errs.add(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
    }
    return errs;
  }

  /** {@code IsDNS1123Label}. */
  static List<String> dns1123Label(String value) {
    List<String> errs = new ArrayList<>();
    if (bytes(value) > 63) {
      errs.add(maxLen(63));
    }
    if (!DNS1123_LABEL.matcher(value).find()) {
      if (DNS1123_SUBDOMAIN.matcher(value).find()) {
        errs.add("must not contain dots");
      } else {
        errs.add(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
      }
    }
    return errs;
  }

  /** {@code IsQualifiedName}. */
  static List<String> qualifiedName(String value) {
    List<String> errs = new ArrayList<>();
    String[] parts = value.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      String prefix = parts[0];
      name = parts[1];
      if (prefix.isEmpty()) {
        errs.add("prefix part must be non-empty");
      } else {
        dns1123Subdomain(prefix).forEach(msg -> errs.add("prefix part " + msg));
      }
    } else {
      errs.add("a qualified name " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
          + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    if (name.isEmpty()) {
      errs.add("name part must be non-empty");
    } else if (bytes(name) > 63) {
      errs.add("name part " + maxLen(63));
    }
    if (!QUALIFIED_NAME.matcher(name).find()) {
      errs.add("name part " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
    }
    return errs;
  }

  /** {@code maskTrailingDash}: a generateName may end in '-'. */
  private static String maskTrailingDash(String name) {
    return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 1) + "a" : name;
  }

  private static String maxLen(int length) {
    return "must be no more than " + length + " characters";
  }

  /** {@code RegexError}. */
  private static String regexError(String msg, String fmt, String... examples) {
    if (examples.length == 0) {
      return msg + " (regex used for validation is '" + fmt + "')";
    }
    StringBuilder s = new StringBuilder(msg).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      if (i > 0) {
        s.append(" or ");
      }
      s.append('\'').append(examples[i]).append("', ");
    }
    return s.append("regex used for validation is '").append(fmt).append("')").toString();
  }

  private static long bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
