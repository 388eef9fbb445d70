package io.keyward.operator;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
   * precondition (its resourceVersion). On a conflict the latest version is read once (the only GET,
   * and only then: our cache was behind, or emptied by a stop) and written over if this connector
   * owns it and {@code mayReplace} accepts it; otherwise the conflict is thrown.
   */
  Secret write(ResourceID primary, Secret desired, Secret existing, java.util.function.Predicate<Secret> mayReplace) {
    try {
      return writeOnce(primary, desired, existing);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      Secret latest = client.secrets().inNamespace(desired.getMetadata().getNamespace())
          .withName(desired.getMetadata().getName()).get();
      if (latest != null && !(sameOwner(latest, desired) && mayReplace.test(latest))) {
        throw e;
      }
      return writeOnce(primary, desired, latest);
    }
  }

  private static boolean sameOwner(Secret latest, Secret desired) {
    var owners = latest.getMetadata().getOwnerReferences();
    String uid = desired.getMetadata().getOwnerReferences().get(0).getUid();
    return owners != null && owners.stream().anyMatch(o -> uid.equals(o.getUid()));
  }

  private Secret writeOnce(ResourceID primary, Secret desired, Secret existing) {
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
