package io.keyward.admission;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A schema {@code pattern} matched the way the API server matches it: with Go's RE2 (RE2/J here,
 * the same syntax and semantics), unanchored ({@code regexp.MatchString}). Java's own regex would
 * differ where it matters: its {@code $} also matches before a final line break, so
 * {@code "X-Api-Key\n"} would pass {@code ^[...]+$}; RE2's {@code $} is the end of the text.
 */
final class GoPattern {
  private final String source;
  private final Pattern compiled;

  private GoPattern(String source, Pattern compiled) {
    this.source = source;
    this.compiled = compiled;
  }

  static GoPattern compile(String source) {
    try {
      return new GoPattern(source, Pattern.compile(source));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("pattern " + source + " is not valid RE2: " + e.getMessage(), e);
    }
  }

  boolean matches(String value) {
    return compiled.matcher(value).find();
  }

  /** The pattern as written in the CRD, as kube-openapi quotes it in its message. */
  String source() {
    return source;
  }
}
