package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A status condition in the Kubernetes convention. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
  public String type;
  public String status;
  public String reason;
  public String message;
  public String lastTransitionTime;
  public Long observedGeneration;

  public Condition() {}

  public Condition(String type, String status, String reason, String message) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message;
  }
}
