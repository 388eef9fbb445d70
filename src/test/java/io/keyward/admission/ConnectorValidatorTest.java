package io.keyward.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConnectorValidatorTest {
  static final YAMLMapper YAML = new YAMLMapper();
  final ConnectorValidator validator = ConnectorValidator.fromGeneratedCrd();

  static Stream<Path> examples() throws Exception {
    return Files.walk(Path.of("examples")).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleConnectorIsAdmittedWithoutWarnings(Path file) throws Exception {
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (!"ApiConnector".equals(doc.path("kind").asText())) {
          continue;
        }
        Admission a = validator.admit(doc, Optional.empty());
        assertThat(a.errors()).as(file + " " + doc.path("metadata").path("name")).isEmpty();
        assertThat(a.warnings()).as(file.toString()).isEmpty();
        assertThat(a.pruned()).isEqualTo(doc);
      }
    }
  }

  @Test
  void unknownFieldsArePrunedWithKubeApiserversWarningSorted() throws Exception {
    Admission a = validator.admit(read("""
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: crm, colour: blue}
        spec:
          zeta: 1
          auth:
            apiKey: {keyRef: {name: s, key: k, extra: x}}
          alpha: {nested: true}
        extra: top
        """), Optional.empty());
    assertThat(a.errors()).isEmpty();
    assertThat(a.warnings()).containsExactly("unknown field \"extra\"", "unknown field \"metadata.colour\"",
        "unknown field \"spec.alpha\"", "unknown field \"spec.auth.apiKey.keyRef.extra\"", "unknown field \"spec.zeta\"");
    assertThat(a.unknownFields()).containsExactly("extra", "metadata.colour", "spec.alpha",
        "spec.auth.apiKey.keyRef.extra", "spec.zeta");
    assertThat(a.pruned()).isEqualTo(read("""
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: crm}
        spec:
          auth:
            apiKey: {keyRef: {name: s, key: k}}
        """));
  }

  @Test
  void nullsOfFieldsThatAreNotNullableAreDroppedBeforeValidation() throws Exception {
    Admission a = validator.admit(read("""
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: crm}
        spec:
          output: null
          auth:
            apiKey: {keyRef: {name: s, key: k}, header: null}
        """), Optional.empty());
    assertThat(a.errors()).isEmpty();
    assertThat(a.warnings()).isEmpty();
    assertThat(a.pruned().path("spec").has("output")).isFalse();
    assertThat(a.pruned().path("spec").path("auth").path("apiKey").has("header")).isFalse();

    Admission required = validator.admit(read("""
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: crm}
        spec: {auth: {apiKey: {keyRef: null}}}
        """), Optional.empty());
    assertThat(required.errors()).extracting(Cause::toString)
        .containsExactly("spec.auth.apiKey.keyRef: Required value", RefusedConnectorsTest.NOT_CHECKED);
    assertThat(required.errors().get(0).type()).isEqualTo("FieldValueRequired");
  }

  @Test
  void aGenerateNameStandsInForTheNameAsOnACreate() throws Exception {
    Admission a = validator.admit(read("""
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {generateName: crm-}
        spec: {auth: {apiKey: {keyRef: {name: s, key: k}}}}
        """), Optional.empty());
    assertThat(a.errors()).isEmpty();
  }

  @Test
  void aRefusalIsKubeApiserversStatusBody() throws Exception {
    List<Cause> causes = List.of(
        new Cause("spec.auth", "FieldValueInvalid", "Invalid value: \"object\": exactly one of a, b must be set"),
        new Cause("spec.refresh.renewBeforePercentage", "FieldValueInvalid", "Invalid value: 150: x"));
    JsonNode status = ConnectorValidator.invalidStatus("crm", causes);
    assertThat(status).isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
         "message": "ApiConnector.keyward.io \\"crm\\" is invalid: [spec.auth: Invalid value: \\"object\\": exactly one of a, b must be set, spec.refresh.renewBeforePercentage: Invalid value: 150: x]",
         "reason": "Invalid",
         "details": {"name": "crm", "group": "keyward.io", "kind": "ApiConnector", "causes": [
           {"reason": "FieldValueInvalid", "message": "Invalid value: \\"object\\": exactly one of a, b must be set", "field": "spec.auth"},
           {"reason": "FieldValueInvalid", "message": "Invalid value: 150: x", "field": "spec.refresh.renewBeforePercentage"}]},
         "code": 422}
        """));
    assertThat(status.fieldNames()).toIterable()
        .containsExactly("kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code");
  }

  @Test
  void theStatusMessageNamesOneCauseWithoutBracketsAndDropsRepeatedOnes() {
    Cause c = new Cause("spec.auth", "FieldValueRequired", "Required value");
    assertThat(KubeStatus.invalidMessage("keyward.io", "ApiConnector", "crm", List.of(c)))
        .isEqualTo("ApiConnector.keyward.io \"crm\" is invalid: spec.auth: Required value");
    assertThat(KubeStatus.invalidMessage("keyward.io", "ApiConnector", "crm", List.of(c, c)))
        .isEqualTo("ApiConnector.keyward.io \"crm\" is invalid: spec.auth: Required value");
    assertThat(KubeStatus.invalid("keyward.io", "ApiConnector", "crm", List.of(c, c)).path("details").path("causes"))
        .hasSize(2);
  }

  @Test
  void valuesArePrintedAsGoPrintsThem() {
    assertThat(GoValues.quote("a\"b\\c\n\t\u0000\u007f é\u00a0\u200b")).isEqualTo("\"a\\\"b\\\\c\\n\\t\\x00\\x7f é\\u00a0\\u200b\"");
    assertThat(GoValues.float64(99.0)).isEqualTo("99");
    assertThat(GoValues.float64(1.5)).isEqualTo("1.5");
    assertThat(GoValues.float64(123456.0)).isEqualTo("123456");
    assertThat(GoValues.float64(1e6)).isEqualTo("1e+06");
    assertThat(GoValues.float64(1234567.0)).isEqualTo("1.234567e+06");
    assertThat(GoValues.float64(0.0001)).isEqualTo("0.0001");
    assertThat(GoValues.float64(0.00001)).isEqualTo("1e-05");
    assertThat(GoValues.value(YAML.createObjectNode().put("b", "<x>").put("a", 1))).isEqualTo("{\"a\":1,\"b\":\"\\u003cx\\u003e\"}");
    assertThat(GoValues.unquote(GoValues.quote("spec.a\n[b]\u00a0"))).isEqualTo("spec.a\n[b]\u00a0");
  }

  /** A small CRD with the schema features the generated one does not use (yet). */
  static ConnectorValidator synthetic() throws Exception {
    return ConnectorValidator.fromCrd(read("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.example.com}
        spec:
          group: example.com
          names: {kind: Widget, plural: widgets}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      immutable:
                        type: string
                        x-kubernetes-validations:
                        - {rule: "self == oldSelf", message: immutable once set}
                      note: {type: string, nullable: true}
                      port: {x-kubernetes-int-or-string: true}
                      free: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {known: {type: integer}}}
                      ratio: {type: number, minimum: 0, maximum: 1, exclusiveMaximum: true}
                      tags: {type: array, minItems: 1, items: {type: string, minLength: 2}}
                      when: {type: string, format: date-time}
                      limits:
                        type: object
                        additionalProperties:
                          type: integer
                          x-kubernetes-validations: [{rule: "self >= 0", reason: FieldValueForbidden, message: no negative limits}]
                      quota:
                        type: object
                        properties: {cpu: {type: integer}}
                        x-kubernetes-validations: [{rule: "self.cpu > 0"}]
        """));
  }

  static JsonNode widget(String spec) throws Exception {
    return read("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: " + spec);
  }

  @Test
  void transitionRulesRunOnlyOnUpdateAndCompareWithTheOldValue() throws Exception {
    ConnectorValidator v = synthetic();
    assertThat(v.admit(widget("{immutable: a}"), Optional.empty()).errors()).isEmpty();
    assertThat(v.admit(widget("{immutable: a}"), Optional.of(widget("{immutable: a}"))).errors()).isEmpty();
    assertThat(v.admit(widget("{immutable: b}"), Optional.of(widget("{immutable: a}"))).errors())
        .extracting(Cause::toString).containsExactly("spec.immutable: Invalid value: \"string\": immutable once set");
    assertThat(v.admit(widget("{immutable: b}"), Optional.of(widget("{}"))).errors()).isEmpty();
  }

  @Test
  void nullableIntOrStringPreserveUnknownNumbersListsAndFormats() throws Exception {
    ConnectorValidator v = synthetic();
    Admission ok = v.admit(widget("{note: null, port: 8080, free: {anything: [1], known: 2}, ratio: 0.5, tags: [ab],"
        + " when: \"2026-01-02T03:04:05Z\"}"), Optional.empty());
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.warnings()).isEmpty();
    assertThat(ok.pruned().path("spec").has("note")).isTrue();
    assertThat(v.admit(widget("{port: http}"), Optional.empty()).errors()).isEmpty();

    assertThat(v.admit(widget("{port: true, free: {known: x}, ratio: 1, tags: [], when: yesterday}"), Optional.empty())
        .errors()).extracting(Cause::toString).containsExactly(
            "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
            "spec.free.known: Invalid value: \"string\": spec.free.known in body must be of type integer: \"string\"",
            "spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1",
            "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items",
            "spec.when: Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\"",
            RefusedConnectorsTest.NOT_CHECKED);
    assertThat(v.admit(widget("{tags: [a]}"), Optional.empty()).errors()).extracting(Cause::toString)
        .containsExactly("spec.tags[0]: Invalid value: \"a\": spec.tags[0] in body should be at least 2 chars long");
  }

  @Test
  void ruleReasonsMapKeysAndEvaluationErrorsAreReportedAsTheApiServerDoes() throws Exception {
    ConnectorValidator v = synthetic();
    assertThat(v.admit(widget("{limits: {cpu: -1}}"), Optional.empty()).errors()).extracting(Cause::toString)
        .containsExactly("spec.limits[cpu]: Forbidden: no negative limits");
    assertThat(v.admit(widget("{quota: {}}"), Optional.empty()).errors()).extracting(Cause::toString)
        .containsExactly("spec.quota: Invalid value: \"object\": no such key: cpu evaluating rule: self.cpu > 0");
  }

  @Test
  void schemaKeywordsItDoesNotImplementFailLoudly() {
    assertThatThrownBy(() -> ConnectorValidator.fromCrd(read("""
        spec:
          group: example.com
          names: {kind: Widget}
          versions:
          - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, anyOf: [{required: [a]}]}}}
        """))).hasMessageContaining("anyOf");
  }

  @Test
  void theGeneratedCrdIsReadOnce() {
    assertThat(ConnectorValidator.fromGeneratedCrd()).isSameAs(validator);
    assertThat(validator.group()).isEqualTo("keyward.io");
    assertThat(validator.kind()).isEqualTo("ApiConnector");
  }

  static JsonNode read(String yaml) throws Exception {
    return YAML.readTree(yaml);
  }
}
