package io.keyward.api.v1alpha1.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.Map;

/** A static API key taken from a Secret, sent in a header (or, discouraged, a query parameter). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApiKeyAuth implements AuthMethod {
  public static final String DEFAULT_HEADER = "X-API-Key";
  public static final String DEFAULT_QUERY_PARAMETER = "api_key";

  /** Where the key travels. */
  public enum Location {
    header,
    query
  }

  @Required
  @JsonPropertyDescription("The Secret key holding the API key.")
  public SecretKeyRef keyRef;

  @Pattern("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
  @JsonPropertyDescription("The header that carries the key. Default X-API-Key.")
  public String header;

  @JsonPropertyDescription("Text put before the key in the header value, e.g. 'Bearer ' or 'ApiKey '.")
  public String prefix;

  @JsonPropertyDescription("header (default) or query. Keys in query strings end up in access logs.")
  public Location in;

  @JsonPropertyDescription("The query parameter that carries the key when in is query. Default api_key.")
  public String queryParameter;

  @Override
  public String type() {
    return "apiKey";
  }

  @Override
  public Map<String, SecretKeyRef> secretRefsByField() {
    return AuthMethod.byField(type(), "keyRef", keyRef);
  }
}
