package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.api.v1alpha1.auth.AuthMethod;
import io.keyward.api.v1alpha1.auth.BasicAuth;
import io.keyward.api.v1alpha1.auth.JwtAssertion;
import io.keyward.api.v1alpha1.auth.JwtAuth;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import io.keyward.credential.CredentialException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which Secrets a connector may read, and what the refusal says (never a value). */
class SecretInputsTest {
  static final String NS = "sales";
  static final String VALUE = "sv-0b5e1d-never-shown";

  final Map<String, Secret> cache = new HashMap<>();

  Secret put(String name, String type, Map<String, String> labels) {
    Secret s = new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withLabels(labels).build())
        .withType(type)
        .withData(Map.of("value", Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8))))
        .build();
    cache.put(name, s);
    return s;
  }

  static ApiConnector connector() {
    ApiConnector c = new ApiConnector();
    c.setMetadata(new ObjectMetaBuilder().withName("thief").withNamespace(NS).build());
    return c;
  }

  static ApiKeyAuth apiKey(String secret) {
    ApiKeyAuth a = new ApiKeyAuth();
    a.keyRef = new SecretKeyRef(secret, "value");
    return a;
  }

  Map<SecretKeyRef, String> resolve(boolean strict, AuthMethod auth) throws CredentialException {
    SecretInputs inputs = new SecretInputs((ns, name) -> NS.equals(ns) ? Optional.ofNullable(cache.get(name))
        : Optional.empty(), new SecretReferencePolicy(strict));
    return inputs.resolve(connector(), auth);
  }

  CredentialException refused(boolean strict, AuthMethod auth) {
    CredentialException e = catchThrowableOfType(CredentialException.class, () -> resolve(strict, auth));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.reason()).isEqualTo("ForbiddenSecretReference");
    assertThat(e.isTerminal()).isTrue();
    assertThat(e.getMessage()).doesNotContain(VALUE);
    return e;
  }

  static Map<String, String> labels(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void aSeedWithoutTheAuthorizationResponsesFieldIsReadWithoutItButAMissingSeedKeyIsNotFound() throws Exception {
    put("books-seed", "Opaque", Map.of()); // key "value" only: no realmId, written before the field was named
    var oauth2 = new io.keyward.api.v1alpha1.auth.OAuth2Auth();
    oauth2.refreshTokenRef = new SecretKeyRef("books-seed", "value");
    oauth2.authorizationResponseFields = java.util.List.of("realmId");
    assertThat(resolve(false, oauth2)).containsOnlyKeys(new SecretKeyRef("books-seed", "value"));
    oauth2.refreshTokenRef = new SecretKeyRef("books-seed", "refresh-token");
    CredentialException missing = catchThrowableOfType(CredentialException.class, () -> resolve(false, oauth2));
    assertThat(missing.reason()).isEqualTo("SecretNotFound");
  }

  @Test
  void anOrdinarySecretIsRead() throws Exception {
    put("erp", "Opaque", Map.of());
    assertThat(resolve(false, apiKey("erp"))).containsValue(VALUE);
  }

  @Test
  void anotherConnectorsStateSecretIsRefusedNamingTheFieldAndWhy() {
    put("crm-keyward-state", "Opaque", labels("app.kubernetes.io/managed-by", "keyward",
        "keyward.io/connector", "crm", "keyward.io/role", "state"));
    assertThat(refused(false, apiKey("crm-keyward-state")).getMessage())
        .startsWith("spec.auth.apiKey.keyRef: Secret sales/crm-keyward-state (key value)")
        .contains("Keyward's state");
  }

  @Test
  void aStateSecretWhoseLabelsWereStrippedIsRefusedByItsReservedName() {
    put("crm-keyward-state", "Opaque", Map.of());
    assertThat(refused(false, apiKey("crm-keyward-state")).getMessage()).contains("-keyward-state is reserved");
  }

  @Test
  void theReservedNameIsRefusedEvenBeforeTheSecretExists() {
    // otherwise the connector would start reading it the moment the other connector writes it
    assertThat(refused(false, apiKey("crm-keyward-state")).getMessage()).contains("reserved");
  }

  @Test
  void aSecretLabelledAsStateIsRefusedUnderAnyName() {
    put("renamed", "Opaque", labels("keyward.io/role", "state"));
    assertThat(refused(false, apiKey("renamed")).getMessage()).contains("keyward.io/role=state");
  }

  @Test
  void aKeywardManagedSecretThatIsNotAnOutputIsRefused() {
    put("internal", "Opaque", labels("app.kubernetes.io/managed-by", "keyward"));
    assertThat(refused(false, apiKey("internal")).getMessage()).contains("not an output Secret");
    put("future", "Opaque", labels("app.kubernetes.io/managed-by", "keyward", "keyward.io/role", "cache"));
    refused(false, apiKey("future"));
  }

  @Test
  void anotherConnectorsOutputSecretIsAllowed() throws Exception {
    put("crm-credentials", "Opaque", labels("app.kubernetes.io/managed-by", "keyward",
        "keyward.io/connector", "crm", "keyward.io/role", "output"));
    assertThat(resolve(false, apiKey("crm-credentials"))).containsValue(VALUE);
  }

  @Test
  void aServiceAccountTokenIsRefused() {
    put("builder-token", "kubernetes.io/service-account-token", Map.of());
    assertThat(refused(false, apiKey("builder-token")).getMessage())
        .startsWith("spec.auth.apiKey.keyRef: Secret sales/builder-token")
        .contains("service-account token");
  }

  @Test
  void strictModeRefusesAnUnlabelledSecretNamingTheLabelAndAcceptsALabelledOne() throws Exception {
    put("erp", "Opaque", Map.of());
    assertThat(refused(true, apiKey("erp")).getMessage())
        .contains("keyward.io/referenceable=true").contains("--require-secret-label");
    put("erp", "Opaque", labels("keyward.io/referenceable", "false"));
    refused(true, apiKey("erp"));
    put("erp", "Opaque", labels("keyward.io/referenceable", "true"));
    assertThat(resolve(true, apiKey("erp"))).containsValue(VALUE);
  }

  @Test
  void theOptInLabelDoesNotOpenStateOrServiceAccountTokens() {
    put("crm-keyward-state", "Opaque", labels("keyward.io/referenceable", "true"));
    refused(true, apiKey("crm-keyward-state"));
    refused(false, apiKey("crm-keyward-state"));
    put("builder-token", "kubernetes.io/service-account-token", labels("keyward.io/referenceable", "true"));
    refused(true, apiKey("builder-token"));
  }

  @Test
  void aMissingSecretIsStillSecretNotFoundInStrictMode() {
    CredentialException e = catchThrowableOfType(CredentialException.class, () -> resolve(true, apiKey("absent")));
    assertThat(e.reason()).isEqualTo("SecretNotFound");
  }

  @Test
  void theRefusalNamesTheFieldOfEachAuthType() {
    put("sa", "kubernetes.io/service-account-token", Map.of());
    put("ok", "Opaque", Map.of());
    BasicAuth basic = new BasicAuth();
    basic.usernameRef = new SecretKeyRef("ok", "value");
    basic.passwordRef = new SecretKeyRef("sa", "value");
    assertThat(refused(false, basic).getMessage()).startsWith("spec.auth.basic.passwordRef:");

    OAuth2Auth oauth2 = new OAuth2Auth();
    oauth2.clientAssertion = new JwtAssertion();
    oauth2.clientAssertion.keyRef = new SecretKeyRef("sa", "value");
    assertThat(refused(false, oauth2).getMessage()).startsWith("spec.auth.oauth2.clientAssertion.keyRef:");

    JwtAuth jwt = new JwtAuth();
    jwt.signingKey = new JwtAuth.SigningKey();
    jwt.signingKey.secretRef = new SecretKeyRef("ok", "value");
    jwt.signingKey.certificateRef = new SecretKeyRef("sa", "value");
    assertThat(refused(false, jwt).getMessage()).startsWith("spec.auth.jwt.signingKey.certificateRef:");
  }

  @Test
  void secretRefsFollowTheNamedFieldsInSpecOrder() {
    OAuth2Auth oauth2 = new OAuth2Auth();
    oauth2.clientSecretRef = new SecretKeyRef("a", "x");
    oauth2.caBundleRef = new SecretKeyRef("b", "y");
    oauth2.refreshTokenRef = new SecretKeyRef("c", "z");
    assertThat(oauth2.secretRefsByField().keySet()).containsExactly(
        "spec.auth.oauth2.clientSecretRef", "spec.auth.oauth2.refreshTokenRef", "spec.auth.oauth2.caBundleRef");
    assertThat(oauth2.secretRefs()).containsExactly(oauth2.clientSecretRef, oauth2.refreshTokenRef, oauth2.caBundleRef);
    assertThat(new JwtAuth().secretRefs()).isEmpty();
  }
}
