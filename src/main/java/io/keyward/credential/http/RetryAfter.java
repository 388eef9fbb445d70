package io.keyward.credential.http;

import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** A response's {@code Retry-After} (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, capped. */
public final class RetryAfter {
  /** The longest wait a provider can impose; a longer Retry-After is read as this. */
  public static final Duration MAX = Duration.ofHours(1);

  private RetryAfter() {}

  /** The wait the response asks for, from {@code now}; empty when it names none or cannot be read. */
  public static Optional<Duration> of(HTTPResponse response, Instant now) {
    String value = response.getHeaderValue("Retry-After");
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      try {
        d = Duration.between(now, ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
    if (d.isNegative()) {
      return Optional.of(Duration.ZERO);
    }
    return Optional.of(d.compareTo(MAX) > 0 ? MAX : d);
  }
}
