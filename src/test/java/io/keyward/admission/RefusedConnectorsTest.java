package io.keyward.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid connectors, each refused with the causes kube-apiserver gives for the same CRD. Every
 * expected line is written from the CRD's rule (crds/apiconnectors.keyward.io-v1.yml) and kube's
 * wording, not taken from the validator:
 *
 * <ul>
 *   <li>{@code field.Required}: {@code "Required value"}; {@code field.NotSupported}:
 *       {@code Unsupported value: <value>: supported values: "a", "b"} in the CRD's enum order;
 *       {@code field.TooLong}: {@code Too long: may not be more than N bytes}; {@code field.TooMany}:
 *       {@code Too many: <n>: must have at most N items} (k8s.io/apimachinery field/errors.go);
 *   <li>kube-openapi's details: {@code <path> in body should match '<pattern>'},
 *       {@code should be less than or equal to}, {@code must be of type <t>: "<actual>"};
 *   <li>a CEL rule: {@code Invalid value: "<schema type>": <message>} at the node;
 *   <li>one of Required, NotSupported, TooLong, TooMany or TypeInvalid means the CEL rules were not
 *       run: {@code <nil>: Invalid value: null: some validation rules were not checked ...}.
 * </ul>
 */
public class RefusedConnectorsTest {
  static final String NOT_CHECKED = "<nil>: Invalid value: null: some validation rules were not checked because the"
      + " object was invalid; correct the existing errors to complete validation";
  static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
  static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  static final String TOKEN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
  static final String OAUTH2 = """
      tokenUrl: https://login.example.com/oauth2/token
      clientId: my-client
      clientSecretRef: {name: crm-oauth, key: client-secret}
      """;

  public static Stream<Arguments> refused() {
    return Stream.of(
        // spec.auth: exactly one block (CEL on spec.auth)
        refused("two auth blocks", spec("""
            auth:
              oauth2: {tokenUrl: "https://login.example.com/t", clientId: c, clientSecretRef: {name: s, key: k}}
              apiKey: {keyRef: {name: s, key: k}}
            """), "spec.auth: Invalid value: \"object\": exactly one of spec.auth.oauth2, spec.auth.apiKey,"
            + " spec.auth.basic, spec.auth.jwt must be set"),
        refused("no auth block", spec("auth: {}"), "spec.auth: Invalid value: \"object\": exactly one of"
            + " spec.auth.oauth2, spec.auth.apiKey, spec.auth.basic, spec.auth.jwt must be set"),
        refused("no spec.auth", spec("refresh: {renewBefore: 5m}"), "spec.auth: Required value: required unless spec.provider names a provider profile"),
        refused("parameters without a provider", spec("""
            parameters: {subdomain: acme}
            auth:
              apiKey: {keyRef: {name: s, key: k}}
            """), "spec.parameters: Invalid value: \"object\": parameters are read only with spec.provider"),
        refused("provider name with an upper-case letter", spec("""
            provider: Zendesk
            auth:
              apiKey: {keyRef: {name: s, key: k}}
            """), "spec.provider: Invalid value: \"Zendesk\": spec.provider in body should match"
            + " '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'"),
        refused("spec.auth.oauth2 is a string", spec("auth: {oauth2: yes-please}"),
            "spec.auth.oauth2: Invalid value: \"string\": spec.auth.oauth2 in body must be of type object: \"string\"",
            NOT_CHECKED),

        // spec.refresh
        refused("renewBeforePercentage above the maximum", oauth2("", "refresh: {renewBeforePercentage: 150}"),
            "spec.refresh.renewBeforePercentage: Invalid value: 150: spec.refresh.renewBeforePercentage in body"
                + " should be less than or equal to 99"),
        refused("renewBeforePercentage below the minimum", oauth2("", "refresh: {renewBeforePercentage: 0}"),
            "spec.refresh.renewBeforePercentage: Invalid value: 0: spec.refresh.renewBeforePercentage in body"
                + " should be greater than or equal to 1"),
        refused("renewBeforePercentage as a string", oauth2("", "refresh: {renewBeforePercentage: \"33\"}"),
            "spec.refresh.renewBeforePercentage: Invalid value: \"string\": spec.refresh.renewBeforePercentage in"
                + " body must be of type integer: \"string\"", NOT_CHECKED),
        refused("renewBeforePercentage as a fraction", oauth2("", "refresh: {renewBeforePercentage: 33.5}"),
            "spec.refresh.renewBeforePercentage: Invalid value: \"number\": spec.refresh.renewBeforePercentage in"
                + " body must be of type integer: \"number\"", NOT_CHECKED),
        refused("negative duration", oauth2("", "refresh: {renewBefore: -5m}"),
            "spec.refresh.renewBefore: Invalid value: \"-5m\": spec.refresh.renewBefore in body should match '"
                + DURATION + "'"),
        refused("duration with a line break after it (RE2's $ is the end of the text)",
            oauth2("", "refresh: {defaultLifetime: \"1h\\n\"}"),
            "spec.refresh.defaultLifetime: Invalid value: \"1h\\n\": spec.refresh.defaultLifetime in body should"
                + " match '" + DURATION + "'"),
        refused("duration longer than 64", oauth2("", "refresh: {renewBefore: " + "1s".repeat(33) + "}"),
            "spec.refresh.renewBefore: Too long: may not be more than 64 bytes", NOT_CHECKED),

        // spec.output
        refused("output Secret name not a DNS subdomain", oauth2("", "output: {secretName: Bad_Name}"),
            "spec.output.secretName: Invalid value: \"Bad_Name\": spec.output.secretName in body should match '"
                + DNS_SUBDOMAIN + "'"),
        refused("output Secret name longer than 253", oauth2("", "output: {secretName: " + "a".repeat(254) + "}"),
            "spec.output.secretName: Too long: may not be more than 253 bytes", NOT_CHECKED),

        // spec.auth.oauth2: schema
        refused("unknown grant", oauth2("grant: password", ""),
            "spec.auth.oauth2.grant: Unsupported value: \"password\": supported values: \"accountCredentials\","
                + " \"clientCredentials\", \"deviceCode\", \"jwtBearer\", \"refreshToken\"", NOT_CHECKED),
        refused("token header that is no header name", oauth2("header: \"X Shopify\"", ""),
            "spec.auth.oauth2.header: Invalid value: \"X Shopify\": spec.auth.oauth2.header in body should match '"
                + TOKEN + "'"),
        refused("unknown client authentication", oauth2("clientAuthentication: basic", ""),
            "spec.auth.oauth2.clientAuthentication: Unsupported value: \"basic\": supported values:"
                + " \"clientSecretBasic\", \"clientSecretPost\", \"none\", \"privateKeyJwt\", \"tlsClientAuth\"",
            NOT_CHECKED),
        refused("unknown expiresInUnit", oauth2("expiresInUnit: minutes", ""),
            "spec.auth.oauth2.expiresInUnit: Unsupported value: \"minutes\": supported values: \"milliseconds\","
                + " \"seconds\"", NOT_CHECKED),
        refused("no token URL", spec("""
            auth:
              oauth2: {clientId: c, clientSecretRef: {name: s, key: k}}
            """), "spec.auth.oauth2.tokenUrl: Required value: required unless spec.provider names a provider profile or"
                + " spec.auth.oauth2.issuerUrl an issuer"),
        refused("token URL not http(s)", spec("""
            auth:
              oauth2: {tokenUrl: "ftp://login.example.com/t", clientId: c, clientSecretRef: {name: s, key: k}}
            """), "spec.auth.oauth2.tokenUrl: Invalid value: \"ftp://login.example.com/t\": spec.auth.oauth2.tokenUrl"
            + " in body should match '^https?://.+'"),
        refused("scope with a space", oauth2("scopes: [crm.read, \"crm write\"]", ""),
            "spec.auth.oauth2.scopes[1]: Invalid value: \"crm write\": spec.auth.oauth2.scopes[1] in body should"
                + " match '^[\\x21\\x23-\\x5b\\x5d-\\x7e]+$'"),
        refused("scopes as one string", oauth2("scopes: crm.read", ""),
            "spec.auth.oauth2.scopes: Invalid value: \"string\": spec.auth.oauth2.scopes in body must be of type"
                + " array: \"string\"", NOT_CHECKED),
        refused("more than 64 scopes", oauth2("scopes: [" + String.join(", ", java.util.Collections.nCopies(65, "s"))
            + "]", ""), "spec.auth.oauth2.scopes: Too many: 65: must have at most 64 items", NOT_CHECKED),
        refused("extra parameter longer than 4096 (map values are named with a dot)",
            oauth2("extraParams: {resource: " + "r".repeat(4097) + "}", ""),
            "spec.auth.oauth2.extraParams.resource: Too long: may not be more than 4096 bytes", NOT_CHECKED),
        refused("more than 32 extra parameters", oauth2("extraParams: {" + manyEntries(33) + "}", ""),
            "spec.auth.oauth2.extraParams: Too many: 33: must have at most 32 items", NOT_CHECKED),
        refused("output field that is not a Secret key", oauth2("outputFields: [instance_url, a/b]", ""),
            "spec.auth.oauth2.outputFields[1]: Invalid value: \"a/b\": spec.auth.oauth2.outputFields[1] in body"
                + " should match '^[-._a-zA-Z0-9]+$'"),
        refused("Secret reference without a key", spec("""
            auth:
              oauth2: {tokenUrl: "https://login.example.com/t", clientId: c, clientSecretRef: {name: s}}
            """), "spec.auth.oauth2.clientSecretRef.key: Required value", NOT_CHECKED),

        // spec.auth.oauth2: CEL rules
        refused("client ID given twice", oauth2("clientIdRef: {name: ids, key: id}", ""),
            "spec.auth.oauth2: Invalid value: \"object\": exactly one of clientId and clientIdRef must be set"
                + " (optional only for grant jwtBearer)"),
        refused("refresh token grant without a seed", oauth2("grant: refreshToken", ""),
            "spec.auth.oauth2: Invalid value: \"object\": grant refreshToken needs refreshTokenRef (the seed"
                + " refresh token)"),
        refused("account credentials grant without an account", oauth2("grant: accountCredentials", ""),
            "spec.auth.oauth2: Invalid value: \"object\": grant accountCredentials needs extraParams.account_id"),
        refused("JWT bearer grant without an assertion", spec("""
            auth:
              oauth2: {grant: jwtBearer, tokenUrl: "https://oauth2.googleapis.com/token"}
            """), "spec.auth.oauth2: Invalid value: \"object\": grant jwtBearer needs assertion"),
        refused("no client secret", spec("""
            auth:
              oauth2: {tokenUrl: "https://login.example.com/t", clientId: c}
            """), "spec.auth.oauth2: Invalid value: \"object\": clientSecretRef is required unless"
            + " clientAuthentication is privateKeyJwt, tlsClientAuth or none"),
        refused("mutual TLS without certificate and key", spec("""
            auth:
              oauth2: {tokenUrl: "https://login.example.com/t", clientId: c, clientAuthentication: tlsClientAuth}
            """), "spec.auth.oauth2: Invalid value: \"object\": clientAuthentication tlsClientAuth needs"
            + " clientCertificateRef and clientKeyRef"),
        refused("private key JWT without the assertion's key", spec("""
            auth:
              oauth2: {tokenUrl: "https://login.example.com/t", clientId: c, clientAuthentication: privateKeyJwt}
            """), "spec.auth.oauth2: Invalid value: \"object\": clientAuthentication privateKeyJwt needs"
            + " clientAssertion"),

        // spec.auth.apiKey
        refused("API key without keyRef", spec("auth: {apiKey: {header: X-API-Key}}"),
            "spec.auth.apiKey.keyRef: Required value", NOT_CHECKED),
        refused("API key in a cookie", spec("auth: {apiKey: {keyRef: {name: s, key: k}, in: cookie}}"),
            "spec.auth.apiKey.in: Unsupported value: \"cookie\": supported values: \"header\", \"query\"",
            NOT_CHECKED),
        refused("header name with a space", spec("auth: {apiKey: {keyRef: {name: s, key: k}, header: X API Key}}"),
            "spec.auth.apiKey.header: Invalid value: \"X API Key\": spec.auth.apiKey.header in body should match '"
                + TOKEN + "'"),
        refused("header name with a trailing line break",
            spec("auth: {apiKey: {keyRef: {name: s, key: k}, header: \"X-Api-Key\\n\"}}"),
            "spec.auth.apiKey.header: Invalid value: \"X-Api-Key\\n\": spec.auth.apiKey.header in body should match '"
                + TOKEN + "'"),
        refused("prefix with a control character", spec("auth: {apiKey: {keyRef: {name: s, key: k}, prefix: \"Bearer\\t\"}}"),
            "spec.auth.apiKey.prefix: Invalid value: \"Bearer\\t\": spec.auth.apiKey.prefix in body should match"
                + " '^[ -~]*$'"),
        refused("Secret key with a slash", spec("auth: {apiKey: {keyRef: {name: s, key: a/b}}}"),
            "spec.auth.apiKey.keyRef.key: Invalid value: \"a/b\": spec.auth.apiKey.keyRef.key in body should match"
                + " '^[-._a-zA-Z0-9]+$'"),
        refused("Secret namespace that is not a DNS label",
            spec("auth: {apiKey: {keyRef: {name: s, key: k, namespace: Sales}}}"),
            "spec.auth.apiKey.keyRef.namespace: Invalid value: \"Sales\": spec.auth.apiKey.keyRef.namespace in body"
                + " should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'"),

        // spec.auth.basic
        refused("username and usernameRef", spec("""
            auth:
              basic: {username: ann, usernameRef: {name: s, key: u}, passwordRef: {name: s, key: p}}
            """), "spec.auth.basic: Invalid value: \"object\": exactly one of username and usernameRef must be set"),
        refused("no password", spec("auth: {basic: {username: ann}}"),
            "spec.auth.basic.passwordRef: Required value", NOT_CHECKED),
        refused("username with a colon", spec("auth: {basic: {username: \"ann:x\", passwordRef: {name: s, key: p}}}"),
            "spec.auth.basic.username: Invalid value: \"ann:x\": spec.auth.basic.username in body should match"
                + " '^[^:\\x00-\\x1f\\x7f-\\x9f]*$'"),

        // spec.auth.jwt
        refused("JWT without an algorithm", spec("auth: {jwt: {signingKey: {generate: {type: EC}}}}"),
            "spec.auth.jwt.algorithm: Required value: required unless spec.provider names a provider profile"),
        refused("HMAC algorithm", spec("auth: {jwt: {algorithm: HS256, signingKey: {generate: {type: EC}}}}"),
            "spec.auth.jwt.algorithm: Unsupported value: \"HS256\": supported values: \"ES256\", \"ES384\","
                + " \"EdDSA\", \"PS256\", \"RS256\", \"RS384\", \"RS512\"", NOT_CHECKED),
        refused("signing key from a Secret and generated", spec("""
            auth:
              jwt:
                algorithm: ES256
                signingKey: {secretRef: {name: s, key: k}, generate: {type: EC}}
            """), "spec.auth.jwt.signingKey: Invalid value: \"object\": exactly one of secretRef and generate must"
            + " be set"),
        refused("RSA size between the allowed ones (CEL on an integer)",
            spec("auth: {jwt: {algorithm: RS256, signingKey: {generate: {type: RSA, size: 3000}}}}"),
            "spec.auth.jwt.signingKey.generate.size: Invalid value: \"integer\": size must be 2048, 3072 or 4096"),
        refused("RSA size below the minimum (not blocking: the CEL rule runs too)",
            spec("auth: {jwt: {algorithm: RS256, signingKey: {generate: {type: RSA, size: 1024}}}}"),
            "spec.auth.jwt.signingKey.generate.size: Invalid value: 1024: spec.auth.jwt.signingKey.generate.size in"
                + " body should be greater than or equal to 2048",
            "spec.auth.jwt.signingKey.generate.size: Invalid value: \"integer\": size must be 2048, 3072 or 4096"),
        refused("unknown curve", spec("auth: {jwt: {algorithm: ES256, signingKey: {generate: {type: EC, curve: P-521}}}}"),
            "spec.auth.jwt.signingKey.generate.curve: Invalid value: \"P-521\": spec.auth.jwt.signingKey.generate.curve"
                + " in body should match '^(P-256|P-384)$'"),
        refused("exchange header value with a line break", spec("""
            auth:
              jwt:
                algorithm: ES256
                signingKey: {generate: {type: EC}}
                exchange: {url: "https://api.example.com/x", headers: {Accept: "a\\r\\nX-Evil: 1"}}
            """), "spec.auth.jwt.exchange.headers.Accept: Invalid value: \"a\\r\\nX-Evil: 1\":"
            + " spec.auth.jwt.exchange.headers.Accept in body should match '^[ -~]*$'"),

        // spec.validation
        refused("token validation without a JWKS URL", oauth2("", "validation: {issuer: \"https://login.example.com\"}"),
            "spec.validation.jwksUrl: Required value", NOT_CHECKED),

        // metadata and type meta
        refused("name that is not a DNS subdomain", connector("{name: Bad, namespace: sales}", OAUTH2_SPEC),
            "metadata.name: Invalid value: \"Bad\": a lowercase RFC 1123 subdomain must consist of lower case"
                + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g."
                + " 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
                + "[a-z0-9])?)*')"),
        refused("no name", connector("{namespace: sales}", OAUTH2_SPEC),
            "metadata.name: Required value: name or generateName is required", NOT_CHECKED),
        refused("generateName that makes no DNS subdomain", connector("{generateName: Crm-, namespace: sales}",
            OAUTH2_SPEC), "metadata.generateName: Invalid value: \"Crm-\": a lowercase RFC 1123 subdomain must consist"
            + " of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            + " (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
            + "([-a-z0-9]*[a-z0-9])?)*')"),
        refused("namespace with dots", connector("{name: crm, namespace: sales.eu}", OAUTH2_SPEC),
            "metadata.namespace: Invalid value: \"sales.eu\": must not contain dots"),
        refused("label value with a space", connector("{name: crm, labels: {team: \"sales ops\"}}", OAUTH2_SPEC),
            "metadata.labels: Invalid value: \"sales ops\": a valid label must be an empty string or consist of"
                + " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
                + " (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is"
                + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        refused("another version", """
            apiVersion: keyward.io/v1
            kind: ApiConnector
            metadata: {name: crm}
            """ + OAUTH2_SPEC, "apiVersion: Invalid value: \"keyward.io/v1\": must be keyward.io/v1alpha1"));
  }

  static final String OAUTH2_SPEC = "spec:\n  auth:\n    oauth2:\n" + OAUTH2.indent(6);

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void isRefusedWithKubeApiserversCauses(String name, String manifest, List<String> expected) throws Exception {
    Admission admission = ConnectorValidator.fromGeneratedCrd().admit(read(manifest), Optional.empty());
    assertThat(admission.errors()).extracting(Cause::toString).containsExactlyElementsOf(expected);
    assertThat(admission.allowed()).isFalse();
  }

  @org.junit.jupiter.api.Test
  void aConnectorNamingAProviderMayLeaveOutWhatTheProfileSupplies() throws Exception {
    // no tokenUrl, no client secret (the profile's client authentication may need none), no auth at all
    for (String body : List.of("""
        provider: okta
        parameters: {oktaDomain: acme.okta.com}
        auth:
          oauth2: {clientId: c, clientAssertion: {keyRef: {name: s, key: k}}}
        """, "provider: demo\n", """
        provider: github-app
        parameters: {installationId: "42"}
        auth:
          jwt: {signingKey: {secretRef: {name: s, key: k}}}
        """)) {
      Admission admission = ConnectorValidator.fromGeneratedCrd().admit(read(spec(body)), Optional.empty());
      assertThat(admission.errors()).as(body).isEmpty();
    }
  }

  @org.junit.jupiter.api.Test
  void theTableHasAtLeastThirtyCases() {
    assertThat(refused().count()).isGreaterThanOrEqualTo(30);
  }

  static Arguments refused(String name, String manifest, String... expected) {
    return Arguments.of(name, manifest, List.of(expected));
  }

  static String connector(String metadata, String spec) {
    return "apiVersion: keyward.io/v1alpha1\nkind: ApiConnector\nmetadata: " + metadata + "\n" + spec;
  }

  static String spec(String body) {
    return connector("{name: crm, namespace: sales}", "spec:\n" + body.indent(2));
  }

  /** A valid oauth2 connector with more fields in the oauth2 block and beside auth. */
  static String oauth2(String oauth2Fields, String specFields) {
    return spec("auth:\n  oauth2:\n" + (OAUTH2 + oauth2Fields).indent(4) + specFields);
  }

  static String manyEntries(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ", ").append("p").append(i).append(": v");
    }
    return s.toString();
  }

  static JsonNode read(String yaml) throws Exception {
    return new YAMLMapper().readTree(yaml);
  }
}
