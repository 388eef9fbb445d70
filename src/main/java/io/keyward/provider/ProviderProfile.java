package io.keyward.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One provider's profile: the part of an {@code ApiConnector} spec it supplies ({@code connector},
 * with {@code {parameter}} placeholders), the parameters that fill them, and its documented quirks.
 *
 * @param name the name a connector's {@code spec.provider} uses
 * @param source where the profile comes from: {@code built-in}, or {@code ApiProvider} for one read
 *     from the cluster
 */
public record ProviderProfile(String name, String displayName, String docs, String source,
    List<Parameter> parameters, ObjectNode connector, List<Quirk> quirks) {
  public static final String BUILT_IN = "built-in";
  public static final String API_PROVIDER = "ApiProvider";
  /**
   * What a parameter may hold unless its profile says otherwise: enough for a subdomain, a host, a
   * tenant or an account ID, and nothing that could move a URL elsewhere ({@code / @ : ? #}, spaces).
   */
  public static final String DEFAULT_PARAMETER_PATTERN = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$";
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern PARAMETER_NAME = Pattern.compile("^[A-Za-z][A-Za-z0-9_]{0,62}$");

  public ProviderProfile {
    parameters = List.copyOf(parameters);
    quirks = List.copyOf(quirks);
  }

  /** A parameter of the profile: required unless it has a default. */
  public record Parameter(String name, String description, String pattern, String defaultValue) {
    public boolean required() {
      return defaultValue == null;
    }

    public String patternOrDefault() {
      return pattern == null ? DEFAULT_PARAMETER_PATTERN : pattern;
    }
  }

  /** A documented behaviour of the provider that the profile accounts for, with where it is written. */
  public record Quirk(String text, String docs) {}

  /** The auth type the profile sets up ({@code oauth2}, {@code apiKey}, {@code basic}, {@code jwt}). */
  public String authType() {
    var names = connector.path("auth").fieldNames();
    return names.hasNext() ? names.next() : "";
  }

  /**
   * Reads a profile from its data ({@code spec} of an {@code ApiProvider}, or a built-in file),
   * failing with {@code InvalidProfile} naming the field.
   */
  public static ProviderProfile read(String name, String source, JsonNode data) throws ProfileException {
    if (name == null || !NAME.matcher(name).matches()) {
      throw invalid(name, source, "name", "must be lowercase letters, digits and dashes");
    }
    if (data == null || !data.isObject()) {
      throw invalid(name, source, "spec", "must be an object");
    }
    JsonNode connector = data.path("connector");
    if (!connector.isObject() || !connector.path("auth").isObject() || connector.path("auth").size() != 1) {
      throw invalid(name, source, "connector.auth", "must hold exactly one of oauth2, apiKey, basic, jwt");
    }
    if (connector.has("provider") || connector.has("parameters")) {
      throw invalid(name, source, "connector", "cannot name a provider or parameters itself");
    }
    String secretField = secretReference(connector, "connector");
    if (secretField != null) {
      // each connector names its own Secrets, in its own namespace (and the operator watches those it names)
      throw invalid(name, source, secretField, "names a Secret; a profile may not: each connector names its own");
    }
    List<Parameter> parameters = new ArrayList<>();
    for (JsonNode p : data.path("parameters")) {
      String pname = p.path("name").asText("");
      if (!PARAMETER_NAME.matcher(pname).matches()) {
        throw invalid(name, source, "parameters[" + parameters.size() + "].name", "must be an identifier");
      }
      String pattern = text(p, "pattern");
      if (pattern != null) {
        try {
          Pattern.compile(pattern);
        } catch (RuntimeException e) {
          throw invalid(name, source, "parameters[" + parameters.size() + "].pattern", "is not a regular expression");
        }
      }
      parameters.add(new Parameter(pname, p.path("description").asText(""), pattern, text(p, "default")));
    }
    List<Quirk> quirks = new ArrayList<>();
    for (JsonNode q : data.path("quirks")) {
      quirks.add(new Quirk(q.path("text").asText(""), text(q, "docs")));
    }
    return new ProviderProfile(name, data.path("displayName").asText(name), text(data, "docs"), source, parameters,
        connector.deepCopy(), quirks);
  }

  /** The path of the first Secret reference ({@code ...Ref}, {@code secretRef}) under {@code node}, or null. */
  private static String secretReference(JsonNode node, String path) {
    if (node.isObject()) {
      var fields = node.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        String at = path + "." + f.getKey();
        if (f.getKey().endsWith("Ref") && f.getValue().isObject()) {
          return at;
        }
        String inner = secretReference(f.getValue(), at);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** {@code provider salesforce: connector.auth ...}, or {@code ApiProvider zoom-eu: spec.connector.auth ...}. */
  private static ProfileException invalid(String name, String source, String field, String problem) {
    String what = API_PROVIDER.equals(source) ? "ApiProvider " : "provider ";
    String path = API_PROVIDER.equals(source) && !"name".equals(field) ? (field.equals("spec") ? "spec" : "spec." + field)
        : API_PROVIDER.equals(source) ? "metadata.name" : field;
    return new ProfileException("InvalidProfile", what + String.valueOf(name).toLowerCase(Locale.ROOT) + ": " + path
        + " " + problem);
  }
}
