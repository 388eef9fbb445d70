package io.keyward.api.v1alpha1.auth;

import io.keyward.api.v1alpha1.SchemaPatterns;
import io.fabric8.generator.annotation.Size;
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

  @Pattern(SchemaPatterns.TOKEN)
  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("The header that carries the key (an RFC 7230 token). Default X-API-Key.")
  public String header;

  @Pattern(SchemaPatterns.PRINTABLE)
  @Size(max = SchemaPatterns.SHORT_LENGTH)
  @JsonPropertyDescription("Printable ASCII text put before the key in the header value, e.g. 'Bearer ' or 'ApiKey '.")
  public String prefix;

  @JsonPropertyDescription("header (default) or query. Keys in query strings end up in access logs.")
  public Location in;

  @Pattern(SchemaPatterns.TOKEN)
  @Size(max = SchemaPatterns.SHORT_LENGTH)
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
