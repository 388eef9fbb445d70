package io.keyward.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.Keyward;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `keyward providers` and docs/providers.md, both from the data files. */
class ProviderListingTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Keyward.cli();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void docsProvidersMdIsTheGeneratedCatalogue() throws Exception {
    assertThat(Files.readString(Path.of("docs/providers.md")))
        .as("docs/providers.md is stale: regenerate it with `keyward providers --markdown > docs/providers.md`")
        .isEqualTo(ProviderListing.markdown(ProviderCatalog.builtIn()));
  }

  @Test
  void theListNamesEveryProfileWithItsAuthAndRequiredParameters() {
    Run r = run("providers");
    assertThat(r.code()).isZero();
    assertThat(r.out().lines()).hasSize(ProviderCatalog.builtIn().all().size() + 1);
    assertThat(r.out()).containsPattern("(?m)^zendesk +oauth2 +built-in +subdomain +Zendesk OAuth$")
        .containsPattern("(?m)^stripe +apiKey +built-in +- +Stripe secret key$")
        .containsPattern("(?m)^microsoft-entra-id +oauth2 +built-in +tenant +");
  }

  @Test
  void oneProfileIsDescribedWithItsParametersSettingsAndQuirks() {
    Run r = run("providers", "zendesk");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("subdomain (required): acme in acme.zendesk.com")
        .contains("      tokenUrl: \"https://{subdomain}.zendesk.com/oauth/tokens\"\n")
        .contains("deletes the previous access and refresh tokens. (https://support.zendesk.com/");
  }

  @Test
  void everyProfileHasAnExampleThatValidatesAndMergesIntoAValidSpec() throws Exception {
    Run validate = run("validate", "-f", "examples/providers");
    assertThat(validate.code()).as(validate.out()).isZero();
    var yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
    for (ProviderProfile p : ProviderCatalog.builtIn().all()) {
      Path example = Path.of("examples/providers/" + p.name() + ".yaml");
      assertThat(example).as(p.name()).exists();
      var connector = yaml.readTree(example.toFile());
      assertThat(connector.path("spec").path("provider").asText()).isEqualTo(p.name());
      EffectiveSpec merged = EffectiveSpec.resolve(io.keyward.api.v1alpha1.StoredSpec.read(connector.path("spec")),
          connector.path("metadata").path("name").asText(), "integrations", ProviderCatalog.builtIn());
      assertThat(merged.spec().auth.active().type()).as(p.name()).isEqualTo(p.authType());
    }
  }

  @Test
  void anUnknownProfileIsNamedAndExitsOne() {
    Run r = run("providers", "zendsk");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("keyward providers: no provider profile named zendsk");
  }
}
