package io.keyward.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Secret informer. A Secret event reaches the connectors that own it (output and state
 * Secrets) and the connectors that reference it (found through an index on the connector cache),
 * so a rotated API key or client secret is picked up within seconds, without polling.
 */
final class SecretWatch {
  static final String REFERENCED_SECRETS = "keyward.io/referenced-secrets";

  private SecretWatch() {}

  static InformerEventSource<Secret, ApiConnector> create(EventSourceContext<ApiConnector> context) {
    var connectors = context.getPrimaryCache();
    connectors.addIndexer(REFERENCED_SECRETS, SecretWatch::referencedSecrets);
    var config = InformerEventSourceConfiguration.from(Secret.class, ApiConnector.class)
        .withName("secrets")
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper((Secret secret) -> {
          Set<ResourceID> ids = new HashSet<>(owners(secret));
          connectors.byIndex(REFERENCED_SECRETS, key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()))
              .forEach(c -> ids.add(ResourceID.fromResource(c)));
          return ids;
        })
        .build();
    return new InformerEventSource<>(config, context);
  }

  /** Index keys {@code namespace/name} of the Secrets a connector reads; an invalid spec reads none. */
  static List<String> referencedSecrets(ApiConnector connector) {
    try {
      String namespace = connector.getMetadata().getNamespace();
      return connector.getSpec().auth.active().secretRefs().stream()
          .filter(ref -> ref.name != null)
          .map((SecretKeyRef ref) -> key(namespace, ref.name))
          .distinct()
          .collect(Collectors.toList());
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private static Set<ResourceID> owners(HasMetadata secret) {
    var refs = secret.getMetadata().getOwnerReferences();
    if (refs == null) {
      return Set.of();
    }
    return refs.stream()
        .filter(o -> "ApiConnector".equals(o.getKind()) && o.getApiVersion() != null
            && o.getApiVersion().startsWith(ApiConnector.GROUP + "/"))
        .map(o -> new ResourceID(o.getName(), secret.getMetadata().getNamespace()))
        .collect(Collectors.toSet());
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
