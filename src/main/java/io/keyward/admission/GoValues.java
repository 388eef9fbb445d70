package io.keyward.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Values printed the way kube-apiserver prints them. Its messages come from Go: a string as
 * {@code %q} ({@code strconv.Quote}), a number as {@code %v}, anything else as
 * {@code json.Marshal} (k8s.io/apimachinery {@code pkg/util/validation/field/errors.go},
 * {@code ErrorBody}).
 */
public final class GoValues {
  private static final ObjectMapper SORTED = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private GoValues() {}

  /** {@code strconv.Quote}: printable runes as they are, the rest escaped. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    s.codePoints().forEach(cp -> {
      switch (cp) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case 0x07 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0x0b -> out.append("\\v");
        default -> {
          if (printable(cp)) {
            out.appendCodePoint(cp);
          } else if (cp < 0x80) {
            out.append(String.format("\\x%02x", cp));
          } else if (cp < 0x10000) {
            out.append(String.format("\\u%04x", cp));
          } else {
            out.append(String.format("\\U%08x", cp));
          }
        }
      }
    });
    return out.append('"').toString();
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  private static boolean printable(int cp) {
    if (cp == ' ') {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
      default -> true;
    };
  }

  /** The reverse of {@link #quote} for the escapes it writes. */
  static String unquote(String quoted) {
    if (quoted.length() < 2 || quoted.charAt(0) != '"' || quoted.charAt(quoted.length() - 1) != '"') {
      return quoted;
    }
    String s = quoted.substring(1, quoted.length() - 1);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 == s.length()) {
        out.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'a' -> out.append((char) 0x07);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'v' -> out.append((char) 0x0b);
        case 'x' -> {
          out.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 3), 16));
          i += 2;
        }
        case 'u' -> {
          out.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        case 'U' -> {
          out.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 9), 16));
          i += 8;
        }
        default -> out.append(e);
      }
    }
    return out.toString();
  }

  /**
   * {@code %v} of a float64: the shortest representation, in exponent form when the exponent is
   * below -4 or at least 6 ({@code strconv.FormatFloat(f, 'g', -1, 64)}): 99, 1.5, 1e+06.
   */
  static String float64(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = shortest.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - shortest.scale();
    String sign = d < 0 ? "-" : "";
    if (exp < -4 || exp >= 6) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      String e = String.format("%s%02d", exp < 0 ? "-" : "+", Math.abs(exp));
      return sign + mantissa + "e" + e;
    }
    return sign + shortest.abs().toPlainString();
  }

  /** A JSON number as Go holds it after decoding: an int64 if it is one, else a float64. */
  static String number(JsonNode n) {
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return Long.toString(n.longValue());
    }
    return float64(n.doubleValue());
  }

  /**
   * A bad value as {@code ErrorBody} prints it: strings quoted, numbers and booleans plain, null
   * as {@code null}, objects and lists as Go's {@code json.Marshal} (keys sorted, HTML escaped).
   */
  static String value(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    if (v.isTextual()) {
      return quote(v.textValue());
    }
    if (v.isNumber()) {
      return number(v);
    }
    if (v.isBoolean()) {
      return Boolean.toString(v.booleanValue());
    }
    return marshal(v);
  }

  /** Go's {@code json.Marshal}: map keys sorted, {@code <}, {@code >} and {@code &} escaped. */
  public static String marshal(JsonNode v) {
    try {
      Object plain = SORTED.treeToValue(v, Object.class);
      return SORTED.writeValueAsString(plain).replace("<", "\\u003c").replace(">", "\\u003e")
          .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JSON type of a value as kube-openapi names it (its {@code schemaInfoForType}). */
  static String jsonType(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isArray()) {
      return "array";
    }
    return "object";
  }

  static List<String> quoteAll(List<String> values) {
    List<String> out = new ArrayList<>(values.size());
    values.forEach(v -> out.add(quote(v)));
    return out;
  }

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }
}
