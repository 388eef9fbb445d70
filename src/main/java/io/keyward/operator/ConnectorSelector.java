package io.keyward.operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The label selector of {@code --connector-selector}: which ApiConnectors one Keyward deployment
 * reconciles (a shard). Written as the API server reads a {@code labelSelector} query (equality and
 * set-based requirements, comma-separated: {@code keyward.io/shard=a}, {@code keyward.io/shard!=b},
 * {@code keyward.io/shard in (a,b)}, {@code keyward.io/shard notin (b,c)}, {@code keyward.io/shard},
 * {@code !keyward.io/shard}), and checked here, at start-up, with the API server's rules for label
 * keys and values, so that a typo stops the operator with a message instead of an informer that
 * watches nothing or everything.
 */
public final class ConnectorSelector {
  /** One requirement of the selector. */
  public record Requirement(String key, Operator operator, List<String> values) {
    /** Whether {@code labels} satisfy this requirement, as the API server decides it. */
    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case EXISTS -> labels.containsKey(key);
        case DOES_NOT_EXIST -> !labels.containsKey(key);
        case EQUALS, IN -> value != null && values.contains(value);
        // as in Kubernetes: a connector without the label satisfies != and notin
        case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
      };
    }

    @Override
    public String toString() {
      return switch (operator) {
        case EXISTS -> key;
        case DOES_NOT_EXIST -> "!" + key;
        case EQUALS -> key + "=" + values.get(0);
        case NOT_EQUALS -> key + "!=" + values.get(0);
        case IN -> key + " in (" + String.join(",", values) + ")";
        case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
      };
    }
  }

  public enum Operator { EXISTS, DOES_NOT_EXIST, EQUALS, NOT_EQUALS, IN, NOT_IN }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final String VALUE_RULE = "at most 63 characters, letters, digits, '-', '_' and '.', beginning and"
      + " ending with a letter or digit (or empty)";
  private static final String KEY_RULE = "a name of at most 63 characters (letters, digits, '-', '_' and '.',"
      + " beginning and ending with a letter or digit), optionally after a DNS subdomain prefix and '/'"
      + " (e.g. keyward.io/shard)";

  private final List<Requirement> requirements;

  private ConnectorSelector(List<Requirement> requirements) {
    this.requirements = List.copyOf(requirements);
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  /** Whether a connector with these labels belongs to this shard. */
  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return requirements.stream().allMatch(r -> r.matches(l));
  }

  /** The selector as sent to the API server: requirements joined by commas, without spaces around them. */
  @Override
  public String toString() {
    return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConnectorSelector other && other.requirements.equals(requirements);
  }

  @Override
  public int hashCode() {
    return requirements.hashCode();
  }

  /**
   * Parses a label selector.
   *
   * @throws IllegalArgumentException naming the requirement and what is wrong with it; an empty
   *     selector is refused too (it would match every connector: omit the option instead)
   */
  public static ConnectorSelector parse(String selector) {
    if (selector == null || selector.isBlank()) {
      throw new IllegalArgumentException("an empty selector would match every connector; omit the option to"
          + " reconcile them all");
    }
    return new ConnectorSelector(new Parser(selector).requirements());
  }

  /** A recursive-descent reading of the grammar of k8s.io/apimachinery/pkg/labels. */
  private static final class Parser {
    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    List<Requirement> requirements() {
      List<Requirement> out = new ArrayList<>();
      while (true) {
        skipSpaces();
        if (at >= text.length()) {
          throw problem(out.isEmpty() ? "no requirement" : "a requirement is missing after the last ','");
        }
        out.add(requirement());
        skipSpaces();
        if (at >= text.length()) {
          return out;
        }
        if (text.charAt(at) != ',') {
          throw problem("expected ',' or the end after '" + out.get(out.size() - 1) + "', found " + rest());
        }
        at++;
      }
    }

    private Requirement requirement() {
      if (text.charAt(at) == '!') {
        at++;
        skipSpaces();
        String key = key();
        return new Requirement(key, Operator.DOES_NOT_EXIST, List.of());
      }
      String key = key();
      skipSpaces();
      if (at >= text.length() || text.charAt(at) == ',') {
        return new Requirement(key, Operator.EXISTS, List.of());
      }
      if (text.startsWith("==", at)) {
        at += 2;
        return new Requirement(key, Operator.EQUALS, List.of(value()));
      }
      if (text.startsWith("!=", at)) {
        at += 2;
        return new Requirement(key, Operator.NOT_EQUALS, List.of(value()));
      }
      if (text.charAt(at) == '=') {
        at++;
        return new Requirement(key, Operator.EQUALS, List.of(value()));
      }
      String word = word();
      if (word.equals("in") || word.equals("notin")) {
        return new Requirement(key, word.equals("in") ? Operator.IN : Operator.NOT_IN, valueList(key, word));
      }
      throw problem("expected '=', '==', '!=', 'in' or 'notin' after the key '" + key + "', found "
          + (word.isEmpty() ? rest() : "'" + word + "'"));
    }

    private List<String> valueList(String key, String operator) {
      skipSpaces();
      if (at >= text.length() || text.charAt(at) != '(') {
        throw problem("'" + operator + "' needs a list of values in parentheses, e.g. " + key + " " + operator + " (a,b)");
      }
      at++;
      List<String> values = new ArrayList<>();
      while (true) {
        values.add(value());
        skipSpaces();
        if (at >= text.length()) {
          throw problem("the list of values after '" + key + " " + operator + "' is not closed with ')'");
        }
        char c = text.charAt(at++);
        if (c == ')') {
          break;
        }
        if (c != ',') {
          throw problem("expected ',' or ')' in the list of values after '" + key + " " + operator + "'");
        }
      }
      if (values.stream().allMatch(String::isEmpty)) {
        throw problem("'" + key + " " + operator + "' needs at least one value");
      }
      return values.stream().distinct().toList();
    }

    /** A label key: a name, optionally after a DNS subdomain prefix and '/'. */
    private String key() {
      String key = word();
      if (key.isEmpty()) {
        throw problem("expected a label key, found " + rest());
      }
      String name = key;
      int slash = key.indexOf('/');
      if (slash >= 0) {
        String prefix = key.substring(0, slash);
        name = key.substring(slash + 1);
        boolean prefixOk = !prefix.isEmpty() && prefix.length() <= 253
            && java.util.Arrays.stream(prefix.split("\\.", -1)).allMatch(l -> DNS_LABEL.matcher(l).matches());
        if (!prefixOk) {
          throw problem("'" + key + "' is not a label key: its prefix '" + prefix + "' is not a DNS subdomain"
              + " (lower-case letters, digits, '-' and '.')");
        }
      }
      if (name.length() > 63 || !NAME.matcher(name).matches()) {
        throw problem("'" + key + "' is not a label key: " + KEY_RULE);
      }
      return key;
    }

    /** A label value, possibly empty. */
    private String value() {
      skipSpaces();
      String value = word();
      if (!value.isEmpty() && (value.length() > 63 || !NAME.matcher(value).matches())) {
        throw problem("'" + value + "' is not a label value: " + VALUE_RULE);
      }
      return value;
    }

    /** The characters up to the next space or character with a meaning of its own. */
    private String word() {
      int start = at;
      while (at < text.length() && " \t\n\r=!(),<>".indexOf(text.charAt(at)) < 0) {
        at++;
      }
      return text.substring(start, at);
    }

    private void skipSpaces() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    private String rest() {
      return at >= text.length() ? "the end" : "'" + text.substring(at, Math.min(text.length(), at + 20)) + "'";
    }

    private IllegalArgumentException problem(String what) {
      return new IllegalArgumentException("at character " + (Math.min(at, text.length()) + 1) + ": " + what);
    }
  }
}
