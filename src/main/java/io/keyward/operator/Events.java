package io.keyward.operator;

import io.keyward.api.v1alpha1.ApiConnector;

/** Kubernetes Events about a connector. Messages never carry secret values. */
public interface Events {
  void normal(ApiConnector connector, String reason, String message);

  void warning(ApiConnector connector, String reason, String message);
}
