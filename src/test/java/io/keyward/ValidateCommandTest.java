package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyward.admission.ConnectorValidator;
import io.keyward.validate.ManifestCheck;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyward validate} on a directory of valid, invalid and unparsable documents, as CI runs it. */
class ValidateCommandTest {
  @TempDir Path dir;

  static final String VALID = """
      apiVersion: keyward.io/v1alpha1
      kind: ApiConnector
      metadata: {name: crm, namespace: sales}
      spec:
        auth:
          oauth2:
            tokenUrl: https://login.example.com/oauth2/token
            clientId: my-client
            clientSecretRef: {name: crm-oauth, key: client-secret}
      """;

  void write(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  void writeMixedDirectory() throws Exception {
    write("a-connectors.yaml", VALID + """
        ---
        # only a comment: not a document
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: erp, namespace: sales}
        spec:
          refresh: {renewBeforePercentage: 150}
          auth:
            apiKey: {keyRef: {name: erp-key, key: api-key}}
            basic: {username: u, passwordRef: {name: erp-basic, key: password}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: sales}
        data: {a: b}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: broken
          namespace: sales
        """);
    write("b-more/list.json", """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "keyward.io/v1alpha1", "kind": "ApiConnector", "metadata": {"name": "ledger"},
           "spec": {"auth": {"basic": {"passwordRef": {"name": "ledger", "key": "password"}}}}},
          {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "ledger"}, "data": {"password": "c2VjcmV0"}}
        ]}
        """);
  }

  @Test
  void printsEachProblemAsFileDocumentConnectorFieldMessageAndExitsOne() throws Exception {
    writeMixedDirectory();
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", dir.toString());
    String a = dir.resolve("a-connectors.yaml").toString();
    String list = dir.resolve("b-more/list.json").toString();
    assertThat(r.out().lines().toList()).containsExactly(
        a + ":2: ApiConnector/erp: spec.refresh.renewBeforePercentage: Invalid value: 150:"
            + " spec.refresh.renewBeforePercentage in body should be less than or equal to 99",
        a + ":2: ApiConnector/erp: spec.auth: Invalid value: \"object\": exactly one of spec.auth.oauth2,"
            + " spec.auth.apiKey, spec.auth.basic, spec.auth.jwt must be set",
        a + ":4: cannot parse YAML at line 30, column 12: expected ',' or '}', but got :",
        list + ":1: ApiConnector/ledger: spec.auth.basic: Invalid value: \"object\": exactly one of username and"
            + " usernameRef must be set",
        "keyward validate: 3 ApiConnectors in 2 files: 3 invalid documents, 4 errors; 2 other documents skipped");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).doesNotContain("c2VjcmV0").doesNotContain("broken");
  }

  @Test
  void jsonReportNamesEveryDocumentAndWhySkippedOnesWereSkipped() throws Exception {
    writeMixedDirectory();
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-o", "json", "-f", dir.toString());
    assertThat(r.exit()).isEqualTo(1);
    JsonNode report = new ObjectMapper().readTree(r.out());
    assertThat(report.path("valid").asBoolean()).isFalse();
    assertThat(report.path("summary").path("documents").asInt()).isEqualTo(6);
    assertThat(report.path("summary").path("skipped").asInt()).isEqualTo(2);
    assertThat(report.path("summary").path("skippedKinds")).isEqualTo(new ObjectMapper().readTree(
        "{\"ConfigMap\": 1, \"Secret\": 1}"));
    JsonNode docs = report.path("documents");
    assertThat(docs.get(0).path("result").asText()).isEqualTo("valid");
    assertThat(docs.get(1).path("errors").get(0).path("reason").asText()).isEqualTo("FieldValueInvalid");
    assertThat(docs.get(1).path("errors").get(0).path("field").asText()).isEqualTo("spec.refresh.renewBeforePercentage");
    assertThat(docs.get(2).path("result").asText()).isEqualTo("skipped");
    assertThat(docs.get(2).path("reason").asText()).contains("not an ApiConnector");
    assertThat(docs.get(3).path("result").asText()).isEqualTo("unreadable");
    assertThat(docs.get(3).path("line").asInt()).isEqualTo(30);
    assertThat(docs.get(3).path("column").asInt()).isEqualTo(12);
    assertThat(docs.get(4).path("item").asInt()).isZero();
    assertThat(docs.get(5).path("kind").asText()).isEqualTo("Secret");
    assertThat(r.out()).doesNotContain("c2VjcmV0");
  }

  @Test
  void validManifestsPassWithWarningsThatFailOnlyWithStrict() throws Exception {
    write("deploy/connectors.yaml", VALID + """
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: erp, namespace: sales}
        spec:
          auth:
            apiKey: {keyRef: {name: erp-key, key: api-key}, in: query}
        ---
        apiVersion: keyward.io/v1alpha1
        kind: ApiConnector
        metadata: {name: legacy, namespace: sales}
        spec:
          auth:
            oauth2:
              tokenUrl: http://login.example.com/token
              clientId: c
              clientSecretRef: {name: crm-oauth, key: client-secret}
        """);
    write("deploy/secrets.yaml", """
        apiVersion: v1
        kind: Secret
        metadata: {name: crm-oauth, namespace: sales}
        stringData: {client-secret: s3cr3t-value}
        """);
    String file = dir.resolve("deploy/connectors.yaml").toString();
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", dir.resolve("deploy").toString());
    assertThat(r.out().lines().toList()).containsExactly(
        file + ":2: ApiConnector/erp: spec.auth.apiKey.in: warning: the API key is sent in the query string; URLs end up"
            + " in access logs and proxies, prefer a header where the API allows it",
        file + ":2: ApiConnector/erp: spec.auth.apiKey.keyRef.name: warning: Secret \"erp-key\" is not in the given"
            + " manifests (namespace sales)",
        file + ":3: ApiConnector/legacy: spec.auth.oauth2.tokenUrl: warning: the token endpoint uses plain http to a"
            + " host that is not loopback: the client secret and tokens cross the network unencrypted",
        "keyward validate: 3 ApiConnectors in 2 files, all valid, 3 warnings; 1 other document skipped");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).doesNotContain("s3cr3t-value");
    assertThat(KeywardCliTest.run("validate", "--strict", "-f", dir.resolve("deploy").toString()).exit()).isEqualTo(1);
  }

  @Test
  void unknownFieldsAreErrorsAsKubectlApplyMakesThemUnlessWarnOrIgnore() throws Exception {
    write("c.yaml", VALID.replace("spec:\n", "spec:\n  colour: blue\n"));
    String file = dir.resolve("c.yaml").toString();
    KeywardCliTest.Result strict = KeywardCliTest.run("validate", "-f", file);
    assertThat(strict.out()).startsWith(file + ":1: ApiConnector/crm: spec.colour: unknown field \"spec.colour\"\n");
    assertThat(strict.exit()).isEqualTo(1);
    KeywardCliTest.Result warn = KeywardCliTest.run("validate", "--field-validation", "Warn", "-f", file);
    assertThat(warn.out()).startsWith(file + ":1: ApiConnector/crm: spec.colour: warning: unknown field \"spec.colour\"\n");
    assertThat(warn.exit()).isZero();
    assertThat(KeywardCliTest.run("validate", "--field-validation", "Ignore", "-f", file).out())
        .isEqualTo("keyward validate: 1 ApiConnector in 1 file, all valid\n");
  }

  @Test
  void everyExampleManifestIsValid() {
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", "examples");
    assertThat(r.out()).endsWith("all valid; 4 other documents skipped\n");
    assertThat(r.exit()).isZero();
  }

  @Test
  void aMissingPathIsAUsageErrorAndStandardInputIsRead() {
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "-f", dir.resolve("nope").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("does not exist");
    var check = new ManifestCheck(ConnectorValidator.fromGeneratedCrd(), ManifestCheck.FieldValidation.STRICT);
    var report = check.check(List.of("-"), new ByteArrayInputStream(VALID.getBytes(StandardCharsets.UTF_8)));
    assertThat(report.text()).isEqualTo("keyward validate: 1 ApiConnector in 1 file, all valid\n");
  }

  @Test
  void helpDescribesTheCommand() {
    KeywardCliTest.Result r = KeywardCliTest.run("validate", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--filename=PATH").contains("--output=text|json").contains("--strict")
        .contains("--field-validation=Strict|Warn|Ignore");
    assertThat(KeywardCliTest.run("--help").out()).contains("validate");
  }
}
