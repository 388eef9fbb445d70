package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** One version everywhere (issue #20): pom.xml's is the jar's, the chart's and the image tag's the chart uses. */
class VersionTest {
  static String pomVersion() throws Exception {
    Matcher m = Pattern.compile("<artifactId>keyward</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(m.find()).as("the project's version in pom.xml").isTrue();
    return m.group(1);
  }

  @Test
  void theChartTheImageTagAndTheJarCarryThePomsVersion() throws Exception {
    String version = pomVersion();
    JsonNode chart = new YAMLMapper().readTree(Path.of("charts/keyward/Chart.yaml").toFile());
    assertThat(chart.path("version").asText()).as("Chart.yaml version").isEqualTo(version);
    assertThat(chart.path("appVersion").asText()).as("Chart.yaml appVersion").isEqualTo(version);
    JsonNode values = new YAMLMapper().readTree(Path.of("charts/keyward/values.yaml").toFile());
    assertThat(values.path("image").path("tag").asText())
        .as("values.yaml image.tag: empty, so the image is the chart's appVersion").isEmpty();
    assertThat(Files.readString(Path.of("charts/keyward/templates/_helpers.tpl")))
        .contains("(default .Chart.AppVersion .Values.image.tag)");
    assertThat(Keyward.Build.read().version()).as("what the build wrote into build.properties").isEqualTo(version);
  }

  @Test
  void versionSaysTheVersionTheCommitTheJavaRuntimeAndTheJwtSigner() throws Exception {
    var r = KeywardCliTest.run("--version");
    assertThat(r.exit()).isZero();
    String[] lines = r.out().split("\\R");
    assertThat(lines[0]).startsWith("keyward " + pomVersion() + " (commit ").doesNotContain("${");
    assertThat(lines[1]).startsWith("Java " + System.getProperty("java.version").split("[+-]")[0]);
    assertThat(lines[2]).startsWith("JWT signer (--crypto-provider auto): ");
    for (String command : new String[] {"run", "local", "validate"}) {
      assertThat(KeywardCliTest.run(command, "--version").out()).as(command + " --version").isEqualTo(r.out());
    }
  }
}
