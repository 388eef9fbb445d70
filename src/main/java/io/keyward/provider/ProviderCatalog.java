package io.keyward.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The profiles a connector may name. The built-in ones are data files shipped in the jar
 * ({@code io/keyward/providers/<name>.yaml}, listed in {@code index.txt}); a catalogue may lay
 * others over them (an {@code ApiProvider} of a built-in's name replaces it).
 */
public final class ProviderCatalog implements ProviderSource {
  static final String DIRECTORY = "/io/keyward/providers/";
  private static volatile ProviderCatalog builtIn;

  private final Map<String, ProviderProfile> profiles;

  private ProviderCatalog(Map<String, ProviderProfile> profiles) {
    this.profiles = Collections.unmodifiableMap(new TreeMap<>(profiles));
  }

  /** The profiles shipped with Keyward; read once. A broken built-in file is a build defect and fails loudly. */
  public static ProviderCatalog builtIn() {
    ProviderCatalog c = builtIn;
    if (c == null) {
      synchronized (ProviderCatalog.class) {
        if (builtIn == null) {
          builtIn = new ProviderCatalog(readBuiltIns());
        }
        c = builtIn;
      }
    }
    return c;
  }

  /** This catalogue with {@code others} laid over it (same name: the other wins). */
  public ProviderCatalog with(Collection<ProviderProfile> others) {
    Map<String, ProviderProfile> all = new TreeMap<>(profiles);
    others.forEach(p -> all.put(p.name(), p));
    return new ProviderCatalog(all);
  }

  public Optional<ProviderProfile> find(String name) {
    return Optional.ofNullable(profiles.get(name));
  }

  /** Every profile, by name. */
  public Collection<ProviderProfile> all() {
    return profiles.values();
  }

  /** The profile {@code name}, or {@code UnknownProvider}. */
  @Override
  public ProviderProfile require(String name) throws ProfileException {
    return find(name).orElseThrow(() -> new ProfileException("UnknownProvider", "spec.provider: no provider profile"
        + " named " + name + " (built in or ApiProvider); `keyward providers` lists them"));
  }

  private static Map<String, ProviderProfile> readBuiltIns() {
    Map<String, ProviderProfile> read = new TreeMap<>();
    YAMLMapper yaml = new YAMLMapper();
    for (String name : resource("index.txt").split("\\R")) {
      name = name.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      try {
        JsonNode data = yaml.readTree(resource(name + ".yaml"));
        read.put(name, ProviderProfile.read(name, ProviderProfile.BUILT_IN, data));
      } catch (IOException | ProfileException e) {
        throw new IllegalStateException("built-in provider profile " + name + " cannot be read: " + e.getMessage(), e);
      }
    }
    return read;
  }

  static String resource(String file) {
    try (InputStream in = ProviderCatalog.class.getResourceAsStream(DIRECTORY + file)) {
      if (in == null) {
        throw new IllegalStateException(DIRECTORY + file + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
