package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One workload a connector's rollout covers, as the last reconcile saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutTargetStatus {
  public String kind;
  public String name;
  /** Restarted, UpToDate, NotNeeded, Waiting, Queued, Missing or Failed. */
  public String state;
  /** When Keyward last restarted it for this connector. */
  public String lastRestart;
  /** Why, in words. */
  public String message;

  public RolloutTargetStatus() {}

  public RolloutTargetStatus(String kind, String name, String state, String lastRestart, String message) {
    this.kind = kind;
    this.name = name;
    this.state = state;
    this.lastRestart = lastRestart;
    this.message = message;
  }
}
