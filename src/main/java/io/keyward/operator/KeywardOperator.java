package io.keyward.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.keyward.credential.CredentialIssuers;

/**
 * The operator as one object: JOSDK configured for Keyward, with the ApiConnector reconciler
 * registered. {@code keyward run} and the tests build it the same way.
 */
public final class KeywardOperator implements AutoCloseable {
  private final Operator operator;

  public KeywardOperator(KubernetesClient client, CredentialIssuers issuers, OperatorSettings settings) {
    this(client, issuers, settings, null);
  }

  /** @param events where Events go; {@code null} writes them to the API server */
  public KeywardOperator(KubernetesClient client, CredentialIssuers issuers, OperatorSettings settings, Events events) {
    this.operator = new Operator(o -> o
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(new ApiConnectorReconciler(issuers, settings, events), overrider -> {
      if (!settings.namespaces().isEmpty()) {
        overrider.settingNamespaces(settings.namespaces());
      }
    });
  }

  public void start() {
    operator.start();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
