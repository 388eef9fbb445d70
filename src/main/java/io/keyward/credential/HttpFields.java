package io.keyward.credential;

/**
 * The one check on every value that can reach an HTTP header or query string (DESIGN §9: nothing
 * unchecked reaches a header). A value that fails is never echoed: {@link #flaw} describes what is
 * wrong with it (which kind of character, where) without quoting it.
 *
 * <p>Non-ASCII (RFC 7230's {@code obs-text}) is refused in header names and values: RFC 7230
 * §3.2.4 says new values SHOULD be US-ASCII, clients disagree on whether such octets are ISO-8859-1
 * or UTF-8 (and a Java char above U+00FF has no single octet at all), and U+0085 or U+2028 are
 * line breaks to some parsers. Credentials, auth schemes and header names are ASCII in practice. The
 * only free text allowed to be Unicode is what never travels raw in a header: a Basic username (it is
 * base64-encoded) and {@code outputFields} values (written to the Secret, not to a header), and
 * those still refuse control characters. The CRD states the same rules as patterns
 * ({@code api.v1alpha1.SchemaPatterns}; {@code HeaderInjectionTest} keeps the two in agreement).
 */
public final class HttpFields {
  /** RFC 7230 {@code tchar} besides letters and digits. */
  private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

  /** What a value may hold. */
  public enum Rule {
    /** An RFC 7230 token ({@code 1*tchar}): header names, query parameter names, auth schemes. */
    TOKEN,
    /** Visible US-ASCII, no space ({@code 1*VCHAR}): access tokens and other credentials in one piece. */
    VISIBLE,
    /** Visible US-ASCII and space, possibly empty: header values and their prefixes. */
    PRINTABLE,
    /** Any text without control characters (Unicode allowed): values that are not sent raw in a header. */
    TEXT,
    /** A Secret data key: letters, digits, '-', '_', '.', at most 253 characters. */
    SECRET_KEY
  }

  private HttpFields() {}

  public static boolean accepts(Rule rule, String value) {
    return value != null && flaw(rule, value) == null;
  }

  /**
   * What is wrong with {@code value} under {@code rule}, without quoting it (e.g. "contains a line
   * break (CR) at position 12"); {@code null} when it is fine.
   */
  public static String flaw(Rule rule, String value) {
    if (value == null) {
      return "is missing";
    }
    if (value.isEmpty() && rule != Rule.PRINTABLE && rule != Rule.TEXT) {
      return "is empty";
    }
    if (rule == Rule.SECRET_KEY && value.length() > 253) {
      return "is longer than 253 characters";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      String at = " at position " + (i + 1);
      if (c == '\r' || c == '\n') {
        return "contains a line break (" + (c == '\r' ? "CR" : "LF") + ")" + at;
      }
      if (c == 0) {
        return "contains a NUL character" + at;
      }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
        return "contains a control character (U+" + String.format("%04X", (int) c) + ")" + at;
      }
      if (c == '\u2028' || c == '\u2029') {
        return "contains a Unicode line separator" + at;
      }
      if (rule == Rule.TEXT) {
        continue;
      }
      if (c > 0x7e) {
        return "contains a non-ASCII character" + at;
      }
      switch (rule) {
        case PRINTABLE -> { }
        case VISIBLE -> {
          if (c == ' ') {
            return "contains a space" + at;
          }
        }
        case TOKEN -> {
          if (!isTchar(c)) {
            return (c == ' ' ? "contains a space" : "contains '" + c + "', which is not allowed in an HTTP token") + at;
          }
        }
        case SECRET_KEY -> {
          if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
            return (c == ' ' ? "contains a space" : "contains '" + c + "', which is not allowed in a Secret key") + at;
          }
        }
        default -> { }
      }
    }
    return null;
  }

  /**
   * Refuses a spec value: {@code InvalidConfiguration} naming {@code field} and the problem, never
   * the value. {@code what} says what the value is for ("an HTTP header name").
   */
  public static void requireSpec(Rule rule, String value, String field, String what) throws CredentialException {
    String flaw = flaw(rule, value);
    if (flaw != null) {
      throw CredentialException.invalidConfiguration(field, "is not a valid " + what + ": it " + flaw + hint(rule));
    }
  }

  /**
   * Refuses a value read from a Secret: {@code InvalidSecretValue} (terminal) naming the Secret and
   * key ({@code ref}) and the spec field that references it, never the value.
   */
  public static void requireSecret(Rule rule, String value, Object ref, String field, String what)
      throws CredentialException {
    String flaw = flaw(rule, value);
    if (flaw != null) {
      throw CredentialException.terminal("InvalidSecretValue",
          ref + " (" + field + ") is not a valid " + what + ": the value " + flaw + hint(rule));
    }
  }

  /**
   * Refuses a value a provider answered: {@code InvalidTokenResponse} (transient: the next answer may
   * be fine), classified {@code unsafe_response}, naming the response field, never the value.
   */
  public static void requireResponse(Rule rule, String value, String where, String responseField)
      throws CredentialException {
    String flaw = flaw(rule, value);
    if (flaw != null) {
      throw CredentialException.transientFailure("InvalidTokenResponse",
          where + " answered a " + responseField + " that " + flaw + "; it is not published", null)
          .classified("unsafe_response");
    }
  }

  private static String hint(Rule rule) {
    return switch (rule) {
      case TOKEN -> " (an RFC 7230 token: letters, digits and " + TCHAR_SYMBOLS + ")";
      case VISIBLE -> " (printable US-ASCII without spaces)";
      case PRINTABLE -> " (printable US-ASCII and spaces; no control characters)";
      case TEXT -> " (no control characters)";
      case SECRET_KEY -> " (letters, digits, '-', '_' and '.', at most 253 characters)";
    };
  }

  private static boolean isTchar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || TCHAR_SYMBOLS.indexOf(c) >= 0;
  }
}
