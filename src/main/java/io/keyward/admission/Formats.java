package io.keyward.admission;

import com.google.common.net.InetAddresses;
import com.google.re2j.Pattern;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Set;

/**
 * The string formats the API server checks (apiextensions-apiserver keeps the formats of its
 * {@code supportedFormats} list and strips the others, which then check nothing). The checks here
 * follow go-openapi/strfmt's; formats on that list that are not implemented here make reading the
 * schema fail, so that a CRD that starts using one is noticed.
 */
final class Formats {
  /** Formats the API server checks; the others are ignored, as it ignores them. */
  private static final Set<String> KUBE = Set.of("bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr",
      "mac", "uuid", "uuid3", "uuid4", "uuid5", "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor",
      "rgbcolor", "byte", "password", "date", "duration", "datetime", "date-time");
  private static final Set<String> NOT_IMPLEMENTED = Set.of("bsonobjectid", "isbn", "isbn10", "isbn13", "creditcard",
      "ssn", "rgbcolor", "duration");
  private static final Pattern UUID = Pattern.compile(
      "(?i)(^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)|(^[0-9a-f]{32}$)");
  private static final Pattern HOSTNAME = Pattern.compile(
      "^([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\\.)*[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?\\.?$");
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
  private static final Pattern MAC = Pattern.compile("^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$");
  private static final Pattern HEXCOLOR = Pattern.compile("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$");

  private Formats() {}

  /** True if the API server checks this format. */
  static boolean known(String format) {
    return KUBE.contains(format);
  }

  /** Fails for a format the API server checks and this validator does not. */
  static void requireImplemented(String format, String at) {
    if (NOT_IMPLEMENTED.contains(format)) {
      throw new IllegalArgumentException(at + ": format " + format + " is not implemented by this validator");
    }
  }

  static boolean valid(String format, String value) {
    return switch (format) {
      case "byte" -> base64(value);
      case "date" -> parses(() -> LocalDate.parse(value));
      case "date-time", "datetime" -> parses(() -> OffsetDateTime.parse(value)) || parses(() -> LocalDateTime.parse(value));
      case "uuid", "uuid3", "uuid4", "uuid5" -> UUID.matcher(value).find();
      case "ipv4" -> value.indexOf(':') < 0 && InetAddresses.isInetAddress(value);
      case "ipv6" -> value.indexOf(':') >= 0 && InetAddresses.isInetAddress(value);
      case "cidr" -> cidr(value);
      case "hostname" -> value.length() <= 255 && HOSTNAME.matcher(value).find();
      case "email" -> EMAIL.matcher(value).find();
      case "uri" -> uri(value);
      case "mac" -> MAC.matcher(value).find();
      case "hexcolor" -> HEXCOLOR.matcher(value).find();
      default -> true; // password, and formats the API server ignores
    };
  }

  private static boolean base64(String value) {
    try {
      Base64.getDecoder().decode(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean cidr(String value) {
    int slash = value.indexOf('/');
    if (slash < 0 || !InetAddresses.isInetAddress(value.substring(0, slash))) {
      return false;
    }
    try {
      int bits = Integer.parseInt(value.substring(slash + 1));
      return bits >= 0 && bits <= (value.indexOf(':') >= 0 ? 128 : 32);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean uri(String value) {
    try {
      URI u = new URI(value);
      return u.isAbsolute() || value.startsWith("/");
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean parses(Runnable parse) {
    try {
      parse.run();
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
