package io.keyward.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * crds/apiconnector_v1alpha1.json is the generated CRD's schema in kubeconform's layout (as its
 * openapi2jsonschema.py writes it), kept identical to the CRD the build generates.
 */
class PublishedJsonSchemaTest {
  static final Path PUBLISHED = Path.of("crds/apiconnector_v1alpha1.json");
  static JsonNode crd;

  @BeforeAll
  static void readGeneratedCrd() throws Exception {
    try (InputStream in = PublishedJsonSchemaTest.class.getResourceAsStream(ConnectorValidator.GENERATED_CRD)) {
      assertThat(in).as("generated CRD on the classpath").isNotNull();
      crd = new YAMLMapper().readTree(in);
    }
  }

  @Test
  void publishedSchemaIsTheGeneratedCrdsSchema() throws Exception {
    String rendered = PublishedJsonSchema.render(crd, "v1alpha1");
    Path fresh = Path.of("target", PUBLISHED.getFileName().toString());
    Files.createDirectories(fresh.getParent());
    Files.writeString(fresh, rendered);
    assertThat(PublishedJsonSchema.fileName(crd, "v1alpha1")).isEqualTo(PUBLISHED.getFileName().toString());
    assertThat(Files.readString(PUBLISHED))
        .as("%s is stale: cp %s %s", PUBLISHED, fresh, PUBLISHED)
        .isEqualTo(rendered);
  }

  @Test
  void everyObjectBelowTheRootRefusesUnknownPropertiesAndTheRootDoesNot() throws Exception {
    JsonNode schema = new ObjectMapper().readTree(Files.readString(PUBLISHED));
    assertThat(schema.has("additionalProperties")).isFalse();
    List<String> open = new ArrayList<>();
    schema.path("properties").fields().forEachRemaining(e -> walk(e.getKey(), e.getValue(), open));
    assertThat(open).as("objects with properties but without additionalProperties: false").isEmpty();
    JsonNode extraParams = schema.at("/properties/spec/properties/auth/properties/oauth2/properties/extraParams");
    assertThat(extraParams.path("additionalProperties").path("type").asText()).as("maps keep their value schema")
        .isEqualTo("string");
    assertThat(schema.at("/properties/spec/properties/auth/x-kubernetes-validations")).isNotEmpty();
    assertThat(schema.at("/properties/spec/properties/refresh/properties/renewBeforePercentage/maximum").isDouble())
        .isTrue();
  }

  private static void walk(String path, JsonNode s, List<String> open) {
    if (s.has("properties")) {
      if (!s.path("additionalProperties").isBoolean() || s.path("additionalProperties").booleanValue()) {
        open.add(path);
      }
      s.path("properties").fields().forEachRemaining(e -> walk(path + "." + e.getKey(), e.getValue(), open));
    }
    if (s.has("items")) {
      walk(path + "[]", s.get("items"), open);
    }
    if (s.path("additionalProperties").isObject()) {
      walk(path + "{}", s.get("additionalProperties"), open);
    }
  }
}
