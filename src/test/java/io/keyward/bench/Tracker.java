package io.keyward.bench;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.Condition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the benchmark sees of the connectors from its own JVM, through two watches: when each
 * create was answered, when each output Secret ({@code <name>-credentials}, labelled
 * {@code app.kubernetes.io/managed-by: keyward}) arrived as ADDED, when each connector first reported
 * {@code Ready=True}.
 */
final class Tracker implements AutoCloseable {
  final Map<String, Long> created = new ConcurrentHashMap<>();
  final Map<String, Long> outputAdded = new ConcurrentHashMap<>();
  final Map<String, Long> ready = new ConcurrentHashMap<>();
  private final Watch secrets;
  private final Watch connectors;
  private volatile long lastReady;

  Tracker(KubernetesClient client) {
    secrets = client.secrets().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "keyward")
        .watch(new Watcher<Secret>() {
          @Override
          public void eventReceived(Action action, Secret s) {
            String name = s.getMetadata().getName();
            if (action == Action.ADDED && name.endsWith("-credentials")) {
              outputAdded.putIfAbsent(s.getMetadata().getNamespace() + "/"
                  + name.substring(0, name.length() - "-credentials".length()), System.nanoTime());
            }
          }

          @Override
          public void onClose(WatcherException cause) {
            System.out.println("  (the benchmark's Secret watch closed: " + cause.getMessage() + ")");
          }
        });
    connectors = client.resources(ApiConnector.class).inAnyNamespace().watch(new Watcher<ApiConnector>() {
      @Override
      public void eventReceived(Action action, ApiConnector c) {
        if ((action == Action.ADDED || action == Action.MODIFIED) && ready(c)) {
          long now = System.nanoTime();
          if (ready.putIfAbsent(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName(), now) == null) {
            lastReady = now;
          }
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        System.out.println("  (the benchmark's ApiConnector watch closed: " + cause.getMessage() + ")");
      }
    });
  }

  static boolean ready(ApiConnector c) {
    if (c.getStatus() == null || c.getStatus().conditions == null) {
      return false;
    }
    for (Condition condition : c.getStatus().conditions) {
      if ("Ready".equals(condition.type) && "True".equals(condition.status)) {
        return true;
      }
    }
    return false;
  }

  long lastReady() {
    return lastReady;
  }

  /** Create answered → output Secret ADDED, in milliseconds, for every connector that has both. */
  double[] latenciesMillis() {
    List<Double> out = new ArrayList<>();
    created.forEach((key, at) -> {
      Long added = outputAdded.get(key);
      if (added != null) {
        out.add(Math.max(0, added - at) / 1e6); // ADDED before the create's answer arrived counts as 0
      }
    });
    double[] a = out.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a;
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  @Override
  public void close() {
    secrets.close();
    connectors.close();
  }
}
