package io.keyward.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.SpecProblem;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Whatever a stored ApiConnector holds, reading it never fails: the informer and the operator keep
 * running, and the one unreadable connector carries what is wrong with it, naming the field.
 */
class StoredSpecTest {
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  private ApiConnector read(String specJson) {
    return serialization.unmarshal("{\"apiVersion\":\"keyward.io/v1alpha1\",\"kind\":\"ApiConnector\","
        + "\"metadata\":{\"name\":\"x\",\"namespace\":\"sales\"},\"spec\":" + specJson + "}", ApiConnector.class);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"auth\":{\"oauth2\":{\"grant\":\"password\",\"tokenUrl\":\"https://a\"}}}"
          + "|spec.auth.oauth2.grant|is not a supported value; this version of Keyward knows clientCredentials,"
          + " refreshToken, jwtBearer",
      "{\"auth\":{\"jwt\":{\"algorithm\":\"XY999\"}}}|spec.auth.jwt.algorithm|is not a supported value",
      "{\"auth\":{\"jwt\":{\"algorithm\":\"RS256\",\"signingKey\":{\"generate\":{\"type\":\"RSA\","
          + "\"size\":99999999999999999999}}}}}|spec.auth.jwt.signingKey.generate.size|is out of range for integer",
      "{\"auth\":{\"apiKey\":{\"keyRef\":\"not-an-object\"}}}|spec.auth.apiKey.keyRef|has the wrong type: expected object",
      "{\"auth\":{\"oauth2\":{\"scopes\":{\"a\":1}}}}|spec.auth.oauth2.scopes|has the wrong type: expected list",
      "{\"refresh\":{\"renewBeforePercentage\":\"many\"}}|spec.refresh.renewBeforePercentage|is not a valid integer",
      "[1,2]|spec|must be an object",
  })
  void anUnreadableSpecIsReadAsItsProblemNamingTheField(String spec, String field, String problem) {
    ApiConnector connector = read(spec);
    SpecProblem found = connector.getSpec().problem().orElseThrow();
    assertThat(found.field()).isEqualTo(field);
    assertThat(found.problem()).startsWith(problem);
  }

  @Test
  void theProblemNeverCarriesTheValue() {
    ApiConnector connector = read("{\"auth\":{\"oauth2\":{\"clientAuthentication\":\"s3cr3t-value-pasted-here\"}}}");
    assertThat(connector.getSpec().problem().orElseThrow().message())
        .startsWith("spec.auth.oauth2.clientAuthentication: is not a supported value")
        .doesNotContain("s3cr3t");
  }

  @Test
  void aMapKeyInThePathIsShownOnlyWhenItIsAPlainIdentifier() {
    ApiConnector connector = read("{\"auth\":{\"oauth2\":{\"extraParams\":{\"pw=hunter2\\r\\nX\":{\"a\":1}}}}}");
    assertThat(connector.getSpec().problem().orElseThrow().message())
        .startsWith("spec.auth.oauth2.extraParams.[a key]: has the wrong type: expected string")
        .doesNotContain("hunter2").doesNotContain("\r");
    ApiConnector plain = read("{\"auth\":{\"oauth2\":{\"extraParams\":{\"resource\":[1]}}}}");
    assertThat(plain.getSpec().problem().orElseThrow().field()).isEqualTo("spec.auth.oauth2.extraParams.resource");
  }

  @Test
  void unknownFieldsAreDroppedAsAStructuralSchemaWouldPruneThem() {
    ApiConnector connector = read("{\"future\":true,\"auth\":{\"oauth2\":{\"tokenUrl\":\"https://a\",\"clientId\":\"c\","
        + "\"newKnob\":{\"x\":1}}}}");
    assertThat(connector.getSpec().problem()).isEmpty();
    assertThat(connector.getSpec().auth.oauth2.clientId).isEqualTo("c");
  }

  @Test
  void anUnreadableSpecIsWrittenBackAsStoredSoACopyIsAsUnreadable() {
    String spec = "{\"auth\":{\"oauth2\":{\"grant\":\"password\",\"tokenUrl\":\"https://a\"}}}";
    ApiConnector copy = serialization.clone(read(spec));
    assertThat(copy.getSpec().problem()).get().extracting(SpecProblem::field).isEqualTo("spec.auth.oauth2.grant");
    assertThat(serialization.asJson(copy)).contains("\"grant\":\"password\"");
  }

  @Test
  void aReadableSpecRoundTripsAsUsual() {
    ApiConnector connector = read("{\"auth\":{\"oauth2\":{\"grant\":\"refreshToken\",\"tokenUrl\":\"https://a\"}}}");
    assertThat(connector.getSpec().auth.oauth2.grant).isEqualTo(OAuth2Auth.Grant.refreshToken);
    ApiConnector copy = serialization.clone(connector);
    assertThat(copy.getSpec().auth.oauth2.grant).isEqualTo(OAuth2Auth.Grant.refreshToken);
    assertThat(serialization.asJson(copy)).contains("\"tokenUrl\":\"https://a\"").doesNotContain("problem");
  }

  @Test
  void aStatusThisVersionCannotReadIsReadAsNone() {
    ApiConnector connector = serialization.unmarshal("{\"apiVersion\":\"keyward.io/v1alpha1\",\"kind\":\"ApiConnector\","
        + "\"metadata\":{\"name\":\"x\"},\"spec\":{},\"status\":{\"consecutiveFailures\":\"lots\",\"newField\":1}}",
        ApiConnector.class);
    assertThat(connector.getStatus()).isNull();
    ApiConnector known = serialization.unmarshal("{\"apiVersion\":\"keyward.io/v1alpha1\",\"kind\":\"ApiConnector\","
        + "\"metadata\":{\"name\":\"x\"},\"spec\":{},\"status\":{\"consecutiveFailures\":2,\"newField\":1}}",
        ApiConnector.class);
    assertThat(known.getStatus().consecutiveFailures).isEqualTo(2);
  }
}
