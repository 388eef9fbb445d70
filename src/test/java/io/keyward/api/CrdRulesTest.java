package io.keyward.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated CRD carries the names, limits and header rules (DESIGN §9, §10), and its patterns,
 * evaluated as written, refuse what the operator refuses at runtime.
 */
class CrdRulesTest {
  static JSONSchemaProps spec;

  @BeforeAll
  static void read() throws Exception {
    var crd = new KubernetesSerialization().unmarshal(Files.readString(CrdTest.CHECKED_IN), CustomResourceDefinition.class);
    spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
  }

  static JSONSchemaProps at(String path) {
    JSONSchemaProps s = spec;
    for (String part : path.split("\\.")) {
      s = switch (part) {
        case "[]" -> s.getItems().getSchema();
        case "{}" -> s.getAdditionalProperties().getSchema();
        default -> s.getProperties().get(part);
      };
      assertThat(s).as(path + " at " + part).isNotNull();
    }
    return s;
  }

  /**
   * The pattern as the API server reads it. Its RE2 takes {@code $} as the end of the text; Java's
   * {@code $} also matches before a final line terminator (so "X-Api-Key\n" would pass), hence
   * {@code \z} here. A Java-side validator of this CRD must read it the same way.
   */
  static Pattern pattern(String path) {
    String p = at(path).getPattern();
    assertThat(p).as(path + " pattern").isNotNull();
    return Pattern.compile(p.endsWith("$") ? p.substring(0, p.length() - 1) + "\\z" : p);
  }

  static void refuses(String path, String... bad) {
    Pattern p = pattern(path);
    for (String value : bad) {
      assertThat(p.matcher(value).find()).as("%s accepts %s", path, value.replace("\r", "\\r").replace("\n", "\\n"))
          .isFalse();
    }
  }

  static void accepts(String path, String... good) {
    Pattern p = pattern(path);
    for (String value : good) {
      assertThat(p.matcher(value).find()).as("%s refuses %s", path, value).isTrue();
    }
  }

  @Test
  void theOutputSecretNameIsADnsSubdomainOfAtMost253Characters() {
    assertThat(at("output.secretName").getMaxLength()).isEqualTo(253L);
    refuses("output.secretName", "Not_A_Valid/Name", "UPPER", "-x", "x-", "a..b", "a b", "x\n");
    accepts("output.secretName", "crm-credentials", "crm.credentials.v2", "a");
  }

  @Test
  void headerAndQueryNamesAreRfc7230Tokens() {
    for (String path : List.of("auth.apiKey.header", "auth.apiKey.queryParameter", "auth.jwt.exchange.tokenType")) {
      assertThat(at(path).getMaxLength()).as(path).isNotNull();
      refuses(path, "X-Api Key: evil\r\nInjected", "X-Api-Key\n", "X:Y", "", "Ü", "X\tY");
      accepts(path, "X-API-Key", "api_key", "Bearer", "!#$%&'*+-.^_`|~");
    }
  }

  @Test
  void prefixesAndExchangeHeaderValuesArePrintable() {
    for (String path : List.of("auth.apiKey.prefix", "auth.jwt.exchange.headers.{}")) {
      assertThat(at(path).getMaxLength()).as(path).isNotNull();
      refuses(path, "Bearer\r\nX-Injected: 1", "a\u0000", "a\tb", "\u007f", "é", "\u0085");
      accepts(path, "Bearer ", "application/vnd.github+json", "");
    }
    assertThat(at("auth.jwt.exchange.headers").getMaxProperties()).isNotNull();
    refuses("auth.basic.username", "ann:x", "ann\r\n", "a\u0000");
    accepts("auth.basic.username", "ann", "Zoë");
  }

  @Test
  void outputFieldsAreSecretKeysAndListsAndMapsAreBounded() {
    assertThat(at("auth.oauth2.outputFields").getMaxItems()).isNotNull();
    assertThat(at("auth.oauth2.outputFields.[]").getMaxLength()).isEqualTo(253L);
    refuses("auth.oauth2.outputFields.[]", "../x", "a b", "a/b", "", "a\n");
    accepts("auth.oauth2.outputFields.[]", "instance_url", "a.b-c");
    assertThat(at("auth.oauth2.scopes").getMaxItems()).isNotNull();
    refuses("auth.oauth2.scopes.[]", "a b", "a\"b", "a\\b", "a\r\n");
    accepts("auth.oauth2.scopes.[]", "crm.read", "https://graph.microsoft.com/.default");
    assertThat(at("auth.jwt.claims.audience").getMaxItems()).isNotNull();
    assertThat(at("auth.jwt.claims.audience.[]").getMaxLength()).isNotNull();
    assertThat(at("auth.oauth2.extraParams").getMaxProperties()).isNotNull();
    assertThat(at("auth.oauth2.extraParams.{}").getMaxLength()).isNotNull();
    assertThat(at("auth.jwt.claims.extra").getMaxProperties()).isNotNull();
    assertThat(at("auth.jwt.claims.extra.{}").getMaxLength()).isNotNull();
  }

  @Test
  void generatedKeysAreLimitedToSizesAndCurvesThatMakeSense() {
    JSONSchemaProps size = at("auth.jwt.signingKey.generate.size");
    assertThat(size.getMinimum()).isEqualTo(2048.0);
    assertThat(size.getMaximum()).isEqualTo(4096.0);
    assertThat(size.getXKubernetesValidations()).singleElement()
        .satisfies(rule -> assertThat(rule.getRule()).isEqualTo("self in [2048, 3072, 4096]"));
    refuses("auth.jwt.signingKey.generate.curve", "P-521", "secp256k1", "p-256");
    accepts("auth.jwt.signingKey.generate.curve", "P-256", "P-384");
  }

  @Test
  void everyFreeStringHasAMaxLengthAndEveryListAndMapAMaximum() {
    List<String> unbounded = new java.util.ArrayList<>();
    walk("spec", spec, unbounded);
    assertThat(unbounded).as("fields without maxLength / maxItems / maxProperties").isEmpty();
  }

  private static void walk(String path, JSONSchemaProps s, List<String> unbounded) {
    switch (s.getType() == null ? "" : s.getType()) {
      case "string" -> {
        if (s.getMaxLength() == null && s.getEnum() == null) {
          unbounded.add(path);
        }
      }
      case "array" -> {
        if (s.getMaxItems() == null) {
          unbounded.add(path);
        }
        walk(path + "[]", s.getItems().getSchema(), unbounded);
      }
      case "object" -> {
        if (s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null) {
          if (s.getMaxProperties() == null) {
            unbounded.add(path);
          }
          walk(path + "{}", s.getAdditionalProperties().getSchema(), unbounded);
        }
        if (s.getProperties() != null) {
          s.getProperties().forEach((name, child) -> walk(path + "." + name, child, unbounded));
        }
      }
      default -> { }
    }
  }
}
