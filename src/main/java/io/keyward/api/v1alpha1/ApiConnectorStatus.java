package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What Keyward last did. Written by one writer only (the status builder); never holds secret values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApiConnectorStatus {
  public Long observedGeneration;
  public String authType;
  public String secretName;
  /** The provider profile the spec was merged with (spec.provider), and where it came from: built-in or ApiProvider. */
  public String provider;
  public String providerSource;
  public List<Condition> conditions = new ArrayList<>();
  public String issuedAt;
  public String expiresAt;
  public String renewalTime;
  public String lastFailureTime;
  public Integer consecutiveFailures;
  /** kid of the generated key that signs now (jwt with signingKey.generate). */
  public String currentKeyId;
  /** When the next generated key is created or takes over. */
  public String nextKeyRotation;
  /** Why the credential last issued was issued: the refresh check that decided, e.g. RenewalDue, InputsChanged. */
  public String lastIssueReason;
  /** The same, in words, e.g. "Renewal time 2026-12-01T22:00:00Z reached". */
  public String lastIssueMessage;
  /** When Keyward looks at this connector again by itself (a retry, the renewal, or the expiry); none: on a change. */
  public String nextCheckTime;
  /** The value of the keyward.io/refresh-requested-at annotation last acted on. */
  public String lastRefreshRequest;
  /** The workloads spec.rollout covers: what was done to each and why. */
  public List<RolloutTargetStatus> rolloutTargets;

  public Optional<Condition> condition(String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.type)).findFirst();
  }
}
