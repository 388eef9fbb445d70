package io.keyward.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.http.MockResponse;
import java.lang.reflect.Field;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * The Fabric8 CRUD dispatcher with an index by object name, so that a request for one object costs
 * the same with 50,000 objects stored as with 50. The mock finds the object of every PUT, PATCH,
 * POST (the conflict check) and GET by name by testing each stored object in turn, which at ten
 * thousand connectors (some 60,000 objects with their Secrets and Events) makes each write cost
 * milliseconds under the one lock all writes share: a cost no real API server has, and one that
 * would grow with the run itself. Semantics are the mock's own: the index only narrows the stored
 * objects tested with the same {@code AttributeSet.matches} to those of that name; lists, watches,
 * label selectors and every write path are untouched.
 */
final class IndexedCrudDispatcher extends KubernetesCrudDispatcher {
  private static final String NAME = "name";
  private final IndexedMap indexed = new IndexedMap();
  private final Map<AttributeSet, String> synchronizedIndexed = Collections.synchronizedMap(indexed);
  private final Lock readLock;

  IndexedCrudDispatcher() {
    super();
    try {
      Field map = io.fabric8.mockwebserver.crud.CrudDispatcher.class.getDeclaredField("map");
      map.setAccessible(true);
      map.set(this, synchronizedIndexed);
      Field lock = KubernetesCrudDispatcher.class.getDeclaredField("lock");
      lock.setAccessible(true);
      readLock = ((ReadWriteLock) lock.get(this)).readLock();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this version of the Fabric8 mock server has no field to index: " + e, e);
    }
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    String name = exactName(attributes);
    if (name == null) {
      return super.findResource(attributes);
    }
    // called with the dispatcher's lock held, as the mock's own lookup is
    for (AttributeSet key : indexed.named(name)) {
      if (key.matches(attributes)) {
        return Map.entry(key, indexed.get(key));
      }
    }
    return null;
  }

  @Override
  public MockResponse handleGet(String path) {
    if (path.contains("watch=")) {
      return super.handleGet(path);
    }
    AttributeSet query = attributeExtractor.fromPath(path);
    String name = exactName(query);
    if (name == null) {
      return super.handleGet(path);
    }
    readLock.lock();
    try {
      Map.Entry<AttributeSet, String> found = findResource(query);
      return found == null ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
          : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(found.getValue());
    } finally {
      readLock.unlock();
    }
  }

  /** The name a query asks for exactly, or null (no name, or a set-based condition on it). */
  private static String exactName(AttributeSet query) {
    Attribute name = query.getAttribute(NAME);
    if (name == null || name.getType() != AttributeType.WITH || name.getValues().size() != 1) {
      return null;
    }
    return name.getValues().get(0).toString();
  }

  /** The mock's store, with the keys of each name kept apart. */
  private static final class IndexedMap extends LinkedHashMap<AttributeSet, String> {
    private final Map<String, List<AttributeSet>> byName = new HashMap<>();
    private final List<AttributeSet> unnamed = new ArrayList<>();

    @Override
    public String put(AttributeSet key, String value) {
      String previous = super.put(key, value);
      if (previous == null) {
        String name = exactName(key);
        (name == null ? unnamed : byName.computeIfAbsent(name, n -> new ArrayList<>(2))).add(key);
      }
      return previous;
    }

    @Override
    public String remove(Object key) {
      String previous = super.remove(key);
      if (previous != null && key instanceof AttributeSet set) {
        String name = exactName(set);
        if (name == null) {
          unnamed.remove(set);
        } else {
          List<AttributeSet> keys = byName.get(name);
          if (keys != null) {
            keys.remove(set);
            if (keys.isEmpty()) {
              byName.remove(name);
            }
          }
        }
      }
      return previous;
    }

    @Override
    public void clear() {
      super.clear();
      byName.clear();
      unnamed.clear();
    }

    /**
     * The stored keys of this name, and those without one (which the mock would test too). Called with the
     * dispatcher's read or write lock held: the store changes only under its write lock.
     */
    List<AttributeSet> named(String name) {
      List<AttributeSet> out = new ArrayList<>(byName.getOrDefault(name, List.of()));
      out.addAll(unnamed);
      return out;
    }
  }
}
