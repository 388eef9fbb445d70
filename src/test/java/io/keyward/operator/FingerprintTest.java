package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.OAuth2Auth;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What re-issues a credential: the token request and its inputs, not where users grant access. */
class FingerprintTest {
  static final SecretKeyRef SECRET = new SecretKeyRef("crm", "client-secret");

  static OAuth2Auth auth() {
    OAuth2Auth a = new OAuth2Auth();
    a.tokenUrl = "https://login.example.com/oauth2/token";
    a.clientId = "crm";
    a.clientSecretRef = SECRET;
    return a;
  }

  static String of(OAuth2Auth a, String secret) {
    return Fingerprint.of(a, Map.of(SECRET, secret), Duration.ofHours(1), null);
  }

  @Test
  void anAuthorizationUrlDoesNotChangeIt() {
    OAuth2Auth withUrl = auth();
    withUrl.authorizationUrl = "https://login.example.com/oauth2/authorize";
    assertThat(of(withUrl, "s")).isEqualTo(of(auth(), "s"));
  }

  @Test
  void theTokenRequestAndTheSecretValuesDo() {
    OAuth2Auth other = auth();
    other.tokenUrl = "https://login.example.com/oauth2/v2/token";
    assertThat(of(other, "s")).isNotEqualTo(of(auth(), "s"));
    OAuth2Auth header = auth();
    header.header = "X-Token";
    assertThat(of(header, "s")).isNotEqualTo(of(auth(), "s"));
    assertThat(of(auth(), "t")).isNotEqualTo(of(auth(), "s"));
  }
}
