package io.keyward.provider;

/**
 * Where a connector's {@code spec.provider} is looked up: the built-in catalogue, or the cluster's
 * {@code ApiProvider}s laid over it.
 */
@FunctionalInterface
public interface ProviderSource {
  /**
   * The profile {@code name}; fails with {@code UnknownProvider}, or {@code InvalidProfile} when the
   * profile of that name cannot be used.
   */
  ProviderProfile require(String name) throws ProfileException;
}
