package io.keyward.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiProvider;
import io.keyward.provider.ProviderCatalog;
import io.keyward.provider.ProviderSource;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ApiProvider informer: a created, changed or deleted ApiProvider reaches the connectors whose
 * {@code spec.provider} names it (found through an index on the connector cache), so they are
 * merged with the new profile and re-issued when it changed what they send; nothing is polled.
 * Without the ApiProvider CRD (a cluster upgraded without it: Helm installs CRDs only on install)
 * or the permission to list them, the operator runs on the built-in profiles and says so once.
 */
final class ProviderWatch {
  static final String PROVIDER_INDEX = "keyward.io/provider";
  private static final Logger LOG = LoggerFactory.getLogger(ProviderWatch.class);

  /** The informer (empty when ApiProviders cannot be read) and the profiles connectors resolve against. */
  record Watch(Optional<InformerEventSource<ApiProvider, ApiConnector>> informer, ProviderSource providers) {}

  private ProviderWatch() {}

  static Watch create(EventSourceContext<ApiConnector> context) {
    if (!served(context)) {
      return new Watch(Optional.empty(), ProviderCatalog.builtIn());
    }
    IndexerResourceCache<ApiConnector> connectors = context.getPrimaryCache();
    connectors.addIndexer(PROVIDER_INDEX, ProviderWatch::providerOf);
    var config = InformerEventSourceConfiguration.from(ApiProvider.class, ApiConnector.class)
        .withName("apiproviders")
        .withWatchAllNamespaces() // cluster-scoped
        .withSecondaryToPrimaryMapper((ApiProvider p) -> connectors.byIndex(PROVIDER_INDEX, p.getMetadata().getName())
            .stream().map(ResourceID::fromResource).collect(Collectors.toSet()));
    var informer = new InformerEventSource<>(config.build(), context);
    return new Watch(Optional.of(informer),
        new ClusterProviders(name -> informer.get(new ResourceID(name)), ProviderCatalog.builtIn()));
  }

  /** The provider a connector names, as an index key; none for a connector naming none or unreadable. */
  static List<String> providerOf(ApiConnector connector) {
    var spec = connector.getSpec();
    return spec == null || spec.provider == null ? List.of() : List.of(spec.provider);
  }

  /**
   * Whether ApiProviders can be listed: not when the CRD is absent (404) or the role lacks the
   * permission (403); any other failure is the API server's, and the informer retries it.
   */
  private static boolean served(EventSourceContext<ApiConnector> context) {
    try {
      context.getClient().resources(ApiProvider.class).list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 403) {
        LOG.warn("ApiProviders cannot be {} ({}): connectors resolve against the built-in provider profiles only;"
            + " install crds/apiproviders.keyward.io-v1.yml (and the chart's role) and restart the operator to"
            + " use them", e.getCode() == 404 ? "found" : "listed", e.getCode() == 404
            ? "the CRD apiproviders.keyward.io is not installed" : "forbidden");
        return false;
      }
      return true;
    }
  }
}
