package io.keyward.local;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A field selector as kube parses it ({@code k8s.io/apimachinery/pkg/fields}): terms joined by
 * {@code ,}, each {@code field=value}, {@code field==value} or {@code field!=value}; a backslash
 * escapes {@code \}, {@code ,}, {@code =} and {@code !} in a value. All terms must hold.
 */
record FieldSelector(List<Term> terms) {
  record Term(String field, String value, boolean equal) {}

  static FieldSelector parse(String text) {
    List<Term> terms = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return new FieldSelector(terms);
    }
    for (String part : split(text)) {
      int ne = indexOfUnescaped(part, "!=");
      int eq = indexOfUnescaped(part, "=");
      if (ne >= 0 && ne <= eq) {
        terms.add(new Term(part.substring(0, ne), unescape(part.substring(ne + 2)), false));
      } else if (eq >= 0) {
        int from = part.startsWith("==", eq) ? eq + 2 : eq + 1;
        terms.add(new Term(part.substring(0, eq), unescape(part.substring(from)), true));
      } else {
        throw new IllegalArgumentException("invalid selector: '" + text + "'; can't understand '" + part + "'");
      }
    }
    return new FieldSelector(List.copyOf(terms));
  }

  boolean matches(Function<String, String> values) {
    for (Term term : terms) {
      if (values.apply(term.field()).equals(term.value()) != term.equal()) {
        return false;
      }
    }
    return true;
  }

  private static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        current.append(c).append(text.charAt(++i));
      } else if (c == ',') {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  private static int indexOfUnescaped(String s, String token) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
      } else if (s.startsWith(token, i)) {
        return i;
      }
    }
    return -1;
  }

  private static String unescape(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length()) {
        out.append(value.charAt(++i));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
