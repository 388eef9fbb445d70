package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.OutputSpec;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.credential.CredentialException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Names Keyward derives from a connector stay valid Kubernetes names and label values. */
class NamesTest {
  static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

  static ApiConnector apiKey(String name, String secretName) {
    ApiConnector c = OperatorHarness.connector(name, auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp", "api-key");
    });
    if (secretName != null) {
      c.getSpec().output = new OutputSpec();
      c.getSpec().output.secretName = secretName;
    }
    return c;
  }

  @Test
  void aShortNameIsItsOwnLabelValue() {
    assertThat(Labels.connectorLabel("crm")).isEqualTo("crm");
    assertThat(Labels.connectorLabel("a".repeat(63))).isEqualTo("a".repeat(63));
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 100, 239, 253})
  void aLongNameGetsAValidDistinctLabelValue(int length) {
    String name = "a".repeat(length);
    String label = Labels.connectorLabel(name);
    assertThat(label).hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE).startsWith("aaaa");
    assertThat(Labels.connectorLabel(name)).as("stable").isEqualTo(label);
    assertThat(Labels.connectorLabel("a".repeat(length - 1) + "b")).as("distinct").isNotEqualTo(label);
  }

  @Test
  void aTruncationThatWouldEndOnAPunctuationMarkStillEndsAlphanumeric() {
    String name = "a".repeat(51) + "-.-" + "b".repeat(40); // the cut falls inside "-.-"
    String label = Labels.connectorLabel(name);
    assertThat(label).hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE).doesNotContain("--").doesNotContain(".-");
  }

  @Test
  void theSecretsCarryTheDerivedLabelAndTheFullNameInTheAnnotation() {
    String name = "x".repeat(100);
    ApiConnector c = apiKey(name, null);
    var owned = Labels.owned(c, "output");
    assertThat(owned.get(Labels.CONNECTOR)).isEqualTo(Labels.connectorLabel(name)).hasSizeLessThanOrEqualTo(63);
    var secret = OutputSecret.desired(c, name + "-credentials", new StoredCredential(
        new io.keyward.credential.IssuedCredential("X-Key", "k", "k", "ApiKey", java.time.Instant.EPOCH, null,
            java.util.Map.of(), java.util.List.of()), "fp"));
    assertThat(secret.getMetadata().getAnnotations()).containsEntry(Labels.CONNECTOR, name);
    assertThat(secret.getMetadata().getLabels().values()).allMatch(v -> v.length() <= 63 && LABEL_VALUE.matcher(v).matches());
  }

  @ParameterizedTest
  @ValueSource(strings = {"Not_A_Valid/Name", "UPPER", "-leading", "trailing-", "a..b", "sp ace", "evil\r\nx"})
  void anInvalidOutputSecretNameIsInvalidConfigurationNamingTheField(String secretName) {
    assertThatThrownBy(() -> ConnectorSettings.of(apiKey("erp", secretName), Duration.ofHours(1)))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).startsWith("spec.output.secretName: is not a valid Secret name")
              .doesNotContain(secretName);
        });
  }

  @Test
  void aValidOutputSecretNameIsAccepted() throws Exception {
    assertThat(ConnectorSettings.of(apiKey("erp", "erp.keys-v2"), Duration.ofHours(1)).outputSecretName())
        .isEqualTo("erp.keys-v2");
    assertThatThrownBy(() -> ConnectorSettings.of(apiKey("erp", "a".repeat(254)), Duration.ofHours(1)))
        .hasMessageStartingWith("spec.output.secretName");
  }

  @Test
  void aNameTooLongForTheStateSecretIsInvalidConfiguration() throws Exception {
    String longest = "a".repeat(253 - ConnectorSettings.STATE_SUFFIX.length());
    assertThat(ConnectorSettings.of(apiKey(longest, null), Duration.ofHours(1)).stateSecretName()).hasSize(253);
    assertThatThrownBy(() -> ConnectorSettings.of(apiKey(longest + "a", null), Duration.ofHours(1)))
        .isInstanceOfSatisfying(CredentialException.class, e -> {
          assertThat(e.reason()).isEqualTo("InvalidConfiguration");
          assertThat(e.getMessage()).startsWith("metadata.name: is longer than 239 characters");
        });
  }
}
