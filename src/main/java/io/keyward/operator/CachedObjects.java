package io.keyward.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.keyward.api.v1alpha1.ApiConnector;
import io.keyward.api.v1alpha1.ApiConnectorStatus;
import io.keyward.api.v1alpha1.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the operator keeps of an object in its informer caches (DESIGN §8: memory per connector).
 * Each cached object is read from its own JSON, so the strings that thousands of objects share (the
 * namespace, label and annotation keys, the keys of a Secret's data, the owner's kind) would each be
 * held once per object; here they are interned. Fields Keyward never reads and a real API server
 * sends with every object are dropped: {@code managedFields}, and kubectl's
 * {@code last-applied-configuration} annotation (a second copy of the whole object, for a Secret
 * applied with kubectl its values too).
 */
final class CachedObjects {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
  /** Longer strings are rarely shared (a token, a message): not worth a look-up in the JVM's string table. */
  private static final int MAX_INTERNED = 253;

  private CachedObjects() {}

  /** Trims {@code object} in place and returns it. */
  static <T extends HasMetadata> T trim(T object) {
    object.setApiVersion(intern(object.getApiVersion()));
    ObjectMeta m = object.getMetadata();
    if (m != null) {
      m.setManagedFields(null);
      m.setNamespace(intern(m.getNamespace()));
      m.setCreationTimestamp(intern(m.getCreationTimestamp()));
      m.setLabels(interned(m.getLabels(), true));
      Map<String, String> annotations = m.getAnnotations();
      if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
        annotations = new LinkedHashMap<>(annotations);
        annotations.remove(LAST_APPLIED);
      }
      m.setAnnotations(interned(annotations, false));
      if (m.getOwnerReferences() != null) {
        for (OwnerReference o : m.getOwnerReferences()) {
          o.setApiVersion(intern(o.getApiVersion()));
          o.setKind(intern(o.getKind()));
          o.setName(intern(o.getName()));
        }
      }
    }
    if (object instanceof ApiConnector connector && connector.getStatus() != null) {
      trim(connector.getStatus());
    }
    if (object instanceof Secret secret) {
      secret.setKind(intern(secret.getKind()));
      secret.setType(intern(secret.getType()));
      secret.setData(interned(secret.getData(), false));
    }
    return object;
  }

  /** The status of thousands of connectors repeats the same few reasons, messages and instants. */
  private static void trim(ApiConnectorStatus s) {
    s.authType = intern(s.authType);
    s.secretName = intern(s.secretName);
    s.issuedAt = intern(s.issuedAt);
    s.expiresAt = intern(s.expiresAt);
    s.renewalTime = intern(s.renewalTime);
    s.nextCheckTime = intern(s.nextCheckTime);
    s.lastFailureTime = intern(s.lastFailureTime);
    s.lastIssueReason = intern(s.lastIssueReason);
    s.lastIssueMessage = intern(s.lastIssueMessage);
    if (s.conditions != null) {
      for (Condition c : s.conditions) {
        c.type = intern(c.type);
        c.status = intern(c.status);
        c.reason = intern(c.reason);
        c.message = intern(c.message);
        c.lastTransitionTime = intern(c.lastTransitionTime);
      }
    }
  }

  private static Map<String, String> interned(Map<String, String> map, boolean values) {
    if (map == null || map.isEmpty()) {
      return map;
    }
    Map<String, String> copy = new LinkedHashMap<>(Math.max(2, (int) (map.size() / 0.75f) + 1));
    map.forEach((k, v) -> copy.put(intern(k), values ? intern(v) : v));
    return copy;
  }

  private static String intern(String s) {
    return s == null || s.length() > MAX_INTERNED ? s : s.intern();
  }

  /** An informer store that trims each object as it arrives (for the ApiConnector cache). */
  static final class TrimmedStore<T extends HasMetadata> extends BasicItemStore<T> {
    TrimmedStore() {
      super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T object) {
      return super.put(key, trim(object));
    }
  }
}
