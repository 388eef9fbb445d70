package io.keyward.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyward.api.v1alpha1.ApiProvider;
import io.keyward.provider.ProfileException;
import io.keyward.provider.ProviderCatalog;
import io.keyward.provider.ProviderProfile;
import io.keyward.provider.ProviderSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The profiles a connector may name in this cluster: an {@code ApiProvider} of the name (from the
 * informer's cache) if there is one, else the built-in profile. Each ApiProvider is read once per
 * resourceVersion; one that cannot be read is {@code InvalidProfile} for the connectors naming it
 * and for no other.
 */
public final class ClusterProviders implements ProviderSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Function<String, Optional<ApiProvider>> cluster;
  private final ProviderCatalog builtIn;
  private final Map<String, Read> read = new ConcurrentHashMap<>();

  /** What an ApiProvider's resourceVersion read as: a profile, or why not. */
  private record Read(String resourceVersion, ProviderProfile profile, ProfileException problem) {}

  /** @param cluster the ApiProvider of a name in the cache */
  public ClusterProviders(Function<String, Optional<ApiProvider>> cluster, ProviderCatalog builtIn) {
    this.cluster = cluster;
    this.builtIn = builtIn;
  }

  @Override
  public ProviderProfile require(String name) throws ProfileException {
    Optional<ApiProvider> provider = cluster.apply(name);
    if (provider.isEmpty()) {
      read.remove(name);
      return builtIn.require(name);
    }
    String version = provider.get().getMetadata().getResourceVersion();
    Read r = read.get(name);
    if (r == null || version == null || !version.equals(r.resourceVersion())) {
      r = read(name, version, provider.get());
      read.put(name, r);
    }
    if (r.problem() != null) {
      throw new ProfileException(r.problem().reason(), r.problem().getMessage());
    }
    return r.profile();
  }

  private static Read read(String name, String version, ApiProvider provider) {
    try {
      JsonNode spec = JSON.valueToTree(provider.getSpec());
      return new Read(version, ProviderProfile.read(name, ProviderProfile.API_PROVIDER, spec), null);
    } catch (ProfileException e) {
      return new Read(version, null, e);
    } catch (RuntimeException e) {
      return new Read(version, null, new ProfileException("InvalidProfile", "ApiProvider " + name
          + ": its spec cannot be read"));
    }
  }
}
