package io.keyward.provider;

import java.util.stream.Collectors;

/** The catalogue in words: the table {@code keyward providers} prints, and docs/providers.md. */
public final class ProviderListing {
  private ProviderListing() {}

  /** One line per profile: name, auth, required parameters, display name. */
  public static String table(ProviderCatalog catalog) {
    StringBuilder out = new StringBuilder(String.format("%-24s %-7s %-10s %-34s %s%n", "NAME", "AUTH", "SOURCE",
        "REQUIRED PARAMETERS", "PROVIDER"));
    for (ProviderProfile p : catalog.all()) {
      String required = p.parameters().stream().filter(ProviderProfile.Parameter::required)
          .map(ProviderProfile.Parameter::name).collect(Collectors.joining(","));
      out.append(String.format("%-24s %-7s %-10s %-34s %s%n", p.name(), p.authType(), p.source(),
          required.isEmpty() ? "-" : required, p.displayName()));
    }
    return out.toString();
  }

  /** One profile in full: parameters, what it sets, quirks with their sources. */
  public static String describe(ProviderProfile p) {
    StringBuilder out = new StringBuilder();
    out.append(p.name()).append(": ").append(p.displayName()).append(" (").append(p.source()).append(")\n");
    if (p.docs() != null) {
      out.append("docs: ").append(p.docs()).append('\n');
    }
    out.append("parameters:").append(p.parameters().isEmpty() ? " none\n" : "\n");
    for (ProviderProfile.Parameter param : p.parameters()) {
      out.append("  ").append(param.name()).append(param.required() ? " (required)" : " (default " + param.defaultValue()
          + ")").append(": ").append(param.description()).append('\n');
    }
    out.append("sets:\n").append(yaml(p).indent(2));
    out.append("quirks:\n");
    p.quirks().forEach(q -> out.append("  - ").append(q.text()).append(q.docs() == null ? "" : " (" + q.docs() + ")")
        .append('\n'));
    return out.toString();
  }

  /** docs/providers.md, generated from the data (ProviderDocsTest fails when the file is stale). */
  public static String markdown(ProviderCatalog catalog) {
    StringBuilder md = new StringBuilder();
    md.append("# Provider profiles\n\n")
        .append("<!-- generated from src/main/resources/io/keyward/providers by ProviderListing.markdown;"
            + " regenerate with `keyward providers --markdown > docs/providers.md` -->\n\n")
        .append("A connector that says `provider: <name>` gets the profile's settings; what its own spec sets"
            + " overrides them (objects merge field by field, a list or a value replaces the profile's). The"
            + " connector still names its own credentials (Secret references). `status.provider` and"
            + " `status.providerSource` show which profile was used. An unknown provider is condition"
            + " `UnknownProvider`; a missing, unknown or malformed parameter is `MissingParameter`,"
            + " `UnknownParameter` or `InvalidParameter`; a merged spec the CRD's rules refuse is"
            + " `InvalidConfiguration` with the API server's message. Examples: `examples/providers/`.\n\n")
        .append("| name | auth | required parameters | provider |\n|---|---|---|---|\n");
    for (ProviderProfile p : catalog.all()) {
      String required = p.parameters().stream().filter(ProviderProfile.Parameter::required)
          .map(x -> "`" + x.name() + "`").collect(Collectors.joining(", "));
      md.append("| [`").append(p.name()).append("`](#").append(p.name()).append(") | ").append(p.authType())
          .append(" | ").append(required.isEmpty() ? "-" : required).append(" | ").append(p.displayName())
          .append(" |\n");
    }
    for (ProviderProfile p : catalog.all()) {
      md.append("\n## ").append(p.name()).append("\n\n").append(p.displayName());
      if (p.docs() != null) {
        md.append(" ([documentation](").append(p.docs()).append("))");
      }
      md.append("\n\n");
      if (!p.parameters().isEmpty()) {
        md.append("Parameters:\n\n");
        for (ProviderProfile.Parameter param : p.parameters()) {
          md.append("- `").append(param.name()).append("`").append(param.required() ? "" : " (default `"
              + param.defaultValue() + "`)").append(": ").append(param.description()).append('\n');
        }
        md.append('\n');
      }
      md.append("Sets:\n\n```yaml\n").append(yaml(p)).append("```\n\nQuirks:\n\n");
      p.quirks().forEach(q -> md.append("- ").append(q.text()).append(q.docs() == null ? "" : " ([source](" + q.docs()
          + "))").append('\n'));
    }
    return md.toString();
  }

  private static String yaml(ProviderProfile p) {
    try {
      return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
          .disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .writeValueAsString(p.connector());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
