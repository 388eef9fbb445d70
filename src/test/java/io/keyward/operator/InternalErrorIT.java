package io.keyward.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.keyward.api.v1alpha1.Condition;
import io.keyward.api.v1alpha1.SecretKeyRef;
import io.keyward.api.v1alpha1.auth.ApiKeyAuth;
import io.keyward.credential.CredentialIssuer;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.IssueContext;
import io.keyward.credential.IssuedCredential;
import io.keyward.credential.apikey.ApiKeyIssuer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An exception no issuer classified becomes InternalError on its connector, retried, its message withheld. */
class InternalErrorIT extends OperatorHarness {
  static final String QUOTED_INPUT = "hdr-value-quoted-by-a-jdk-message";

  @Test
  void anUnexpectedExceptionIsAConditionRetriedWithBackoffAndItsMessageIsNeverShown() throws Exception {
    secretValues.add(QUOTED_INPUT);
    AtomicInteger calls = new AtomicInteger();
    CredentialIssuer<ApiKeyAuth> broken = new CredentialIssuer<>() {
      @Override
      public Class<ApiKeyAuth> authClass() {
        return ApiKeyAuth.class;
      }

      @Override
      public IssuedCredential issue(ApiKeyAuth auth, IssueContext context) {
        calls.incrementAndGet();
        throw new IllegalArgumentException("invalid header value: " + QUOTED_INPUT);
      }
    };
    operator.close();
    operator = new KeywardOperator(client, new CredentialIssuers(List.of(broken)), testSettings());
    operator.start();
    cluster.putSecret(NS, "erp", Map.of("api-key", "k"));
    create(connector("erp", auth -> {
      auth.apiKey = new ApiKeyAuth();
      auth.apiKey.keyRef = new SecretKeyRef("erp", "api-key");
    }));

    Condition degraded = awaitCondition("erp", "Degraded", "True", "InternalError");
    assertThat(degraded.message).startsWith("unexpected IllegalArgumentException while issuing the credential")
        .doesNotContain(QUOTED_INPUT);
    awaitCondition("erp", "Ready", "False", "InternalError");
    // transient: retried with backoff (0.5 s doubling to 2 s in tests), not given up on, not a hot loop
    await().atMost(Duration.ofSeconds(20)).until(() -> calls.get() >= 3);
    assertThat(connector("erp").getStatus().consecutiveFailures).isGreaterThanOrEqualTo(2);
    assertThat(eventReasons("erp")).contains("InternalError");
    assertThat(logs.text()).contains("unexpected java.lang.IllegalArgumentException")
        .contains("InternalErrorIT");
    assertNoSecretValueLeaked();

    // the issuer is fixed (an operator upgrade): the connector recovers
    operator.close();
    operator = new KeywardOperator(client, new CredentialIssuers(List.of(new ApiKeyIssuer())), testSettings());
    operator.start();
    awaitCondition("erp", "Ready", "True", "CredentialIssued");
  }
}
