package io.keyward.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.SecretKeyRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The Secret informers, which cache only what Keyward needs (DESIGN §8):
 * <ul>
 *   <li><b>owned</b>: the output and state Secrets, selected by the label
 *       {@code app.kubernetes.io/managed-by=keyward} on the server, kept while their owner connector
 *       is one this operator reconciles (another shard's are dropped);
 *   <li><b>referenced</b>: every other Secret (in strict mode only those with the opt-in label, on the
 *       server), kept only while a connector references it.
 * </ul>
 * A Secret event reaches the connectors that own it and the connectors that reference it (found
 * through an index on the connector cache), so a rotated API key or client secret is picked up
 * within seconds, without polling. With several namespaces given, each has informers of its own
 * (a store serves one informer: a relist of one namespace would otherwise drop another's).
 */
final class SecretWatch {
  static final String REFERENCED_SECRETS = "keyward.io/referenced-secrets";
  /**
   * The initial LIST in pages, as client-go's reflector does: one answer holding every Secret of the
   * cluster (8 KiB each, say) is read into one array, and the JDK client's idle HTTP/1.1 connection
   * kept the last answer it read for as long as it stayed open (111 MB for 10,000 Secrets in
   * ScaleBenchmark, whose mock API server answers every LIST whole).
   */
  static final long LIST_PAGE = 500;

  /** The informers, by namespace ({@code null}: all namespaces), and their stores. */
  record Informers(Map<String, Pair> byNamespace) {
    List<EventSource<?, ApiConnector>> eventSources() {
      List<EventSource<?, ApiConnector>> sources = new ArrayList<>();
      byNamespace.values().forEach(p -> {
        sources.add(p.owned());
        sources.add(p.referenced());
      });
      return sources;
    }

    Pair of(String namespace) {
      Pair p = byNamespace.containsKey(null) ? byNamespace.get(null) : byNamespace.get(namespace);
      if (p == null) {
        throw new IllegalArgumentException("namespace " + namespace + " is not watched");
      }
      return p;
    }
  }

  /** The two informers of a namespace and their stores. */
  record Pair(InformerEventSource<Secret, ApiConnector> owned, WantedSecrets ownedStore,
      InformerEventSource<Secret, ApiConnector> referenced, WantedSecrets referencedStore) {}

  private SecretWatch() {}

  /**
   * A Secret is wanted while a connector in the cache owns it or references it.
   *
   * @param namespaces the watched namespaces; empty: all
   * @param requireLabel strict mode: only Secrets with the opt-in label may be read, so only they are watched
   * @param seen told the key of every Secret an informer delivers
   */
  static Informers create(EventSourceContext<ApiConnector> context, Set<String> namespaces, boolean requireLabel,
      Consumer<String> seen) {
    IndexerResourceCache<ApiConnector> connectors = context.getPrimaryCache();
    connectors.addIndexer(REFERENCED_SECRETS, SecretWatch::referencedSecrets);
    Map<String, Pair> pairs = new LinkedHashMap<>();
    if (namespaces.isEmpty()) {
      pairs.put(null, pair(context, connectors, null, requireLabel, seen));
    } else {
      namespaces.forEach(ns -> pairs.put(ns, pair(context, connectors, ns, requireLabel, seen)));
    }
    return new Informers(pairs);
  }

  private static Pair pair(EventSourceContext<ApiConnector> context, IndexerResourceCache<ApiConnector> connectors,
      String namespace, boolean requireLabel, Consumer<String> seen) {
    String suffix = namespace == null ? "" : "-" + namespace;
    java.util.function.Predicate<Secret> wanted = s -> owners(s).stream().anyMatch(id -> connectors.get(id).isPresent())
        || !connectors.byIndex(REFERENCED_SECRETS, WantedSecrets.key(s.getMetadata().getNamespace(),
            s.getMetadata().getName())).isEmpty();
    WantedSecrets ownedStore = new WantedSecrets(wanted, seen);
    WantedSecrets referencedStore = new WantedSecrets(wanted, seen);
    var owned = InformerEventSourceConfiguration.from(Secret.class, ApiConnector.class)
        .withName("secrets-owned" + suffix)
        .withInformerListLimit(LIST_PAGE)
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.KEYWARD)
        .withItemStore(ownedStore)
        .withSecondaryToPrimaryMapper((Secret secret) -> referencing(connectors, secret));
    var referenced = InformerEventSourceConfiguration.from(Secret.class, ApiConnector.class)
        .withName("secrets-referenced" + suffix)
        .withInformerListLimit(LIST_PAGE)
        .withLabelSelector(requireLabel ? SecretReferencePolicy.REFERENCEABLE + "=true,"
            + Labels.MANAGED_BY + "!=" + Labels.KEYWARD : Labels.MANAGED_BY + "!=" + Labels.KEYWARD)
        .withItemStore(referencedStore)
        .withSecondaryToPrimaryMapper((Secret secret) -> referencing(connectors, secret));
    if (namespace == null) {
      owned.withNamespacesInheritedFromController();
      referenced.withNamespacesInheritedFromController();
    } else {
      owned.withNamespaces(Set.of(namespace));
      referenced.withNamespaces(Set.of(namespace));
    }
    return new Pair(new InformerEventSource<>(owned.build(), context), ownedStore,
        new InformerEventSource<>(referenced.build(), context), referencedStore);
  }

  /** The connectors that own {@code secret} and those that reference it (a connector may read another's output). */
  private static Set<ResourceID> referencing(IndexerResourceCache<ApiConnector> connectors, Secret secret) {
    Set<ResourceID> ids = new HashSet<>(owners(secret));
    connectors.byIndex(REFERENCED_SECRETS, WantedSecrets.key(secret.getMetadata().getNamespace(),
            secret.getMetadata().getName()))
        .forEach(c -> ids.add(ResourceID.fromResource(c)));
    return ids;
  }

  /** Index keys {@code namespace/name} of the Secrets a connector reads; an invalid spec reads none. */
  static List<String> referencedSecrets(ApiConnector connector) {
    try {
      String namespace = connector.getMetadata().getNamespace();
      return connector.getSpec().auth.active().secretRefs().stream()
          .filter(ref -> ref.name != null)
          .map((SecretKeyRef ref) -> WantedSecrets.key(namespace, ref.name))
          .distinct()
          .collect(Collectors.toList());
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  static Set<ResourceID> owners(HasMetadata secret) {
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
}
