package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Optional;

/**
 * Reads Secrets from the informer cache (never a GET in a reconcile) and writes them, telling the
 * cache about each write so that the next reconcile sees it even before the watch event arrives.
 */
final class Secrets {
  private final KubernetesClient client;
  private final InformerEventSource<Secret, ?> informer;

  Secrets(KubernetesClient client, InformerEventSource<Secret, ?> informer) {
    this.client = client;
    this.informer = informer;
  }

  Optional<Secret> get(String namespace, String name) {
    return informer.get(new ResourceID(name, namespace));
  }

  /**
   * Creates {@code desired}, or replaces {@code existing} with it under an optimistic-concurrency
   * precondition (its resourceVersion): a stale writer gets a 409 instead of overwriting.
   */
  Secret write(ResourceID primary, Secret desired, Secret existing) {
    var ops = client.secrets().inNamespace(desired.getMetadata().getNamespace());
    if (existing == null) {
      desired.getMetadata().setResourceVersion(null);
      Secret created = ops.resource(desired).create();
      informer.handleRecentResourceCreate(primary, created);
      return created;
    }
    desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
    Secret updated = ops.resource(desired).update();
    informer.handleRecentResourceUpdate(primary, updated, existing);
    return updated;
  }
}
