package io.keyward.api.v1alpha1;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;

/** Durations written the Kubernetes way ({@code 90s}, {@code 5m}, {@code 1h30m}, {@code 250ms}). */
public final class GoDuration {
  public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private GoDuration() {}

  /**
   * Parses a duration; {@code null} or blank gives {@code null}.
   *
   * @param field the spec field, named in the error message
   */
  public static Duration parse(String text, String field) {
    if (text == null || text.isBlank()) {
      return null;
    }
    if (!text.matches(PATTERN)) {
      throw new IllegalArgumentException(
          field + ": '" + text + "' is not a duration (examples: 90s, 5m, 1h30m)");
    }
    Matcher m = PART.matcher(text);
    BigDecimal millis = BigDecimal.ZERO;
    while (m.find()) {
      BigDecimal n = new BigDecimal(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            default -> 3_600_000;
          };
      millis = millis.add(n.multiply(BigDecimal.valueOf(unit)));
    }
    return Duration.ofMillis(millis.longValue());
  }
}
