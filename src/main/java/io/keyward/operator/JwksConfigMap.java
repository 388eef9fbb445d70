package io.keyward.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.credential.CredentialException;
import io.keyward.credential.IssuedCredential;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Objects;

/**
 * The ConfigMap {@code <name>-jwks} with the public keys of generated signing keys, written before
 * the output Secret so that a provider can fetch a key before any token signed with it arrives.
 * Only ConfigMaps Keyward manages are cached.
 */
final class JwksConfigMap {
  static final String KEY = "jwks.json";
  private final KubernetesClient client;
  private final InformerEventSource<ConfigMap, ApiConnector> informer;

  JwksConfigMap(KubernetesClient client, InformerEventSource<ConfigMap, ApiConnector> informer) {
    this.client = client;
    this.informer = informer;
  }

  static InformerEventSource<ConfigMap, ApiConnector> informer(EventSourceContext<ApiConnector> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(ConfigMap.class, ApiConnector.class)
        .withName("jwks-configmaps")
        .withNamespacesInheritedFromController()
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.KEYWARD)
        .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ApiConnector.class, false))
        .withInformerListLimit(SecretWatch.LIST_PAGE)
        .withItemStore(new CachedObjects.TrimmedStore<>())
        .build(), context);
  }

  static String name(ApiConnector connector) {
    return name(connector.getMetadata().getName());
  }

  static String name(String connectorName) {
    return connectorName + "-jwks";
  }

  /** The JWKS published for connector {@code namespace/name}, from the cache. */
  java.util.Optional<String> published(String namespace, String name) {
    return informer.get(new ResourceID(name(name), namespace))
        .filter(cm -> cm.getMetadata().getLabels() != null
            && Labels.connectorLabel(name).equals(cm.getMetadata().getLabels().get(Labels.CONNECTOR)))
        .map(cm -> cm.getData() == null ? null : cm.getData().get(KEY));
  }

  /**
   * Writes the JWKS when it differs from what is published. A ConfigMap of that name that this
   * connector does not own is left alone and reported.
   */
  void publish(ApiConnector connector, IssuedCredential.KeyPublication publication) throws CredentialException {
    String namespace = connector.getMetadata().getNamespace();
    ConfigMap existing = informer.get(new ResourceID(name(connector), namespace)).orElse(null);
    if (existing != null && Objects.equals(existing.getData(), Map.of(KEY, publication.jwks()))) {
      return;
    }
    ConfigMap desired = new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name(connector))
        .withNamespace(namespace)
        .withLabels(Labels.owned(connector, "jwks"))
        .addToAnnotations(Labels.CONNECTOR, connector.getMetadata().getName())
        .withOwnerReferences(Labels.ownerReference(connector))
        .endMetadata()
        .withData(Map.of(KEY, publication.jwks()))
        .build();
    var ops = client.configMaps().inNamespace(namespace);
    ResourceID primary = ResourceID.fromResource(connector);
    if (existing == null) {
      // not in our cache (which holds only Keyward's ConfigMaps): create, and never write over someone else's
      try {
        informer.handleRecentResourceCreate(primary, ops.resource(desired).create());
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        existing = ops.withName(name(connector)).get();
        if (existing == null) {
          throw e;
        }
      }
    }
    if (!Labels.ownedBy(existing, connector)) {
      // retried with backoff (not terminal): deleting a foreign ConfigMap sends no event that reaches us
      throw CredentialException.transientFailure("ConfigMapConflict", "ConfigMap " + namespace + "/" + name(connector)
          + " exists and is not managed by this connector; Keyward will not overwrite it (rename or delete it)", null);
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    informer.handleRecentResourceUpdate(primary, ops.resource(desired).update(), existing);
  }
}
