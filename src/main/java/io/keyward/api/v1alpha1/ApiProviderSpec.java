package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import java.util.List;

/**
 * A provider profile: the part of an {@code ApiConnector} spec it supplies ({@link #connector},
 * with {@code {parameter}} placeholders), the parameters that fill them, and the provider's
 * documented quirks. The same fields as a built-in profile file; what {@code connector} holds is
 * judged, merged with each connector that names the provider, by the ApiConnector CRD's schema.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApiProviderSpec {
  @Size(max = 200)
  @JsonPropertyDescription("A human name, e.g. 'Zoom server-to-server OAuth'.")
  public String displayName;

  @Size(max = 2048)
  @JsonPropertyDescription("The provider's documentation of the flow this profile sets up.")
  public String docs;

  @Size(max = 32)
  @JsonPropertyDescription("The values a connector gives in spec.parameters; each fills its {name} placeholders.")
  public List<Parameter> parameters;

  @Required
  @PreserveUnknownFields
  @JsonPropertyDescription("The ApiConnector spec fields this profile supplies (auth with exactly one of oauth2,"
      + " apiKey, basic, jwt; refresh; output; validation), with {parameter} placeholders in its strings. A"
      + " connector's own fields override these.")
  public JsonNode connector;

  @Size(max = 32)
  @JsonPropertyDescription("The provider's documented behaviours this profile accounts for.")
  public List<Quirk> quirks;

  /** A parameter: required unless it has a default. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Parameter {
    @Required
    @Pattern("^[A-Za-z][A-Za-z0-9_]{0,62}$")
    @JsonPropertyDescription("The name of spec.parameters' key and of its {name} placeholder.")
    public String name;

    @Size(max = 500)
    @JsonPropertyDescription("What the value is, shown in the condition when it is missing.")
    public String description;

    @Size(max = 500)
    @JsonPropertyDescription("A regular expression the whole value must match; by default letters, digits, '.',"
        + " '_' and '-' (nothing that could move a URL to another host).")
    public String pattern;

    @JsonProperty("default")
    @JsonPropertyDescription("The value when a connector gives none; without one the parameter is required.")
    public String defaultValue;
  }

  /** A documented behaviour of the provider, and where it is written. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Quirk {
    @Required
    @Size(max = 1000)
    public String text;

    @Size(max = 2048)
    public String docs;
  }
}
