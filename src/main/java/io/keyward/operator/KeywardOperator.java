package io.keyward.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialIssuers;

/**
 * The operator as one object: JOSDK configured for Keyward, with the ApiConnector reconciler
 * registered. {@code keyward run} and the tests build it the same way.
 */
public final class KeywardOperator implements AutoCloseable {
  private final Operator operator;
  private final ApiConnectorReconciler reconciler;

  public KeywardOperator(KubernetesClient client, CredentialIssuers issuers, OperatorSettings settings) {
    this(client, issuers, settings, null);
  }

  /** @param events where Events go; {@code null} writes them to the API server */
  public KeywardOperator(KubernetesClient client, CredentialIssuers issuers, OperatorSettings settings, Events events) {
    this.operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          // let an in-flight issuance finish persisting its state before the executor stops
          .withReconciliationTerminationTimeout(Duration.ofSeconds(30))
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false);
      var election = settings.leaderElection();
      if (election != null) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(election.leaseName())
            .withLeaseNamespace(election.leaseNamespace())
            .withIdentity(election.identity())
            .withLeaseDuration(election.leaseDuration())
            .withRenewDeadline(election.renewDeadline())
            .withRetryPeriod(election.retryPeriod())
            .withExitOnStopLeading(election.exitOnStopLeading())
            .build());
      }
    });
    this.reconciler = new ApiConnectorReconciler(issuers, settings, events);
    operator.register(reconciler, overrider -> {
      // a spec change bumps the generation; the refresh annotation does not, so it is let through here
      overrider.withGenerationAware(false);
      overrider.withOnUpdateFilter(KeywardOperator::worthReconciling);
      if (!settings.namespaces().isEmpty()) {
        overrider.settingNamespaces(settings.namespaces());
      }
    });
  }

  /** Spec changes and refresh requests; not our own status patches. */
  static boolean worthReconciling(ApiConnector updated, ApiConnector old) {
    return !java.util.Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
        || !java.util.Objects.equals(ConnectorSchedule.refreshRequest(updated), ConnectorSchedule.refreshRequest(old))
        || updated.getMetadata().getDeletionTimestamp() != null;
  }

  public void start() {
    operator.start();
  }

  /** Stops, after letting any in-flight issuance persist what the provider answered. */
  @Override
  public void close() {
    operator.stop();
    reconciler.drain(Duration.ofSeconds(30));
  }
}
