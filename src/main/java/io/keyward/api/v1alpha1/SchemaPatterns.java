package io.keyward.api.v1alpha1;

/**
 * The patterns and limits the CRD puts on names and on values that can reach an HTTP header. The
 * operator checks the same rules at runtime (objects stored under an older CRD, or in local mode,
 * never met these). Written so that Java's regex and the API server's RE2 read them alike.
 */
public final class SchemaPatterns {
  /** An RFC 7230 token ({@code 1*tchar}): HTTP header names, query parameter names, auth schemes. */
  public static final String TOKEN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
  /** Printable US-ASCII and space: no control character (CR, LF, NUL, TAB, DEL, …) and nothing beyond ASCII. */
  public static final String PRINTABLE = "^[ -~]*$";
  /** A Basic username: no control character (C0, DEL, C1) and no ':' (RFC 7617); Unicode allowed. */
  public static final String BASIC_USERNAME = "^[^:\\x00-\\x1f\\x7f-\\x9f]*$";
  /** A Secret data key. */
  public static final String SECRET_KEY = "^[-._a-zA-Z0-9]+$";
  /** A DNS-1123 subdomain: Secret and other object names. */
  public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  /** A provider profile's name: lowercase letters, digits and dashes (the name of its data file). */
  public static final String PROVIDER_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  /** A DNS-1123 label: namespaces. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  /** An OAuth 2.0 scope-token (RFC 6749 §3.3): visible ASCII except '"' and '\'. */
  public static final String SCOPE = "^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$";
  /** {@link #SCOPE} escaped for a JSON string (schema patches). */
  public static final String SCOPE_JSON = "^[\\\\x21\\\\x23-\\\\x5b\\\\x5d-\\\\x7e]+$";
  /** An absolute http(s) URL. */
  public static final String HTTP_URL = "^https?://.+";

  /** maxLength of URLs. */
  public static final long URL_LENGTH = 2048;
  /** maxLength of object names and Secret keys. */
  public static final long NAME_LENGTH = 253;
  /** maxLength of header names, prefixes, key ids and response field names. */
  public static final long SHORT_LENGTH = 256;
  /** maxLength of durations and auth schemes. */
  public static final long DURATION_LENGTH = 64;
  /** maxLength of claims, client ids, issuers and audiences. */
  public static final long TEXT_LENGTH = 2048;
  /** maxLength of free values (extra parameters, static claims, extra header values). */
  public static final long VALUE_LENGTH = 4096;

  private SchemaPatterns() {}
}
