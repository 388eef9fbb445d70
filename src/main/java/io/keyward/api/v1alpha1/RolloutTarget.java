package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** One workload, or the workloads of one kind that a label selector matches, in the connector's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.name) != has(self.selector)", message = "exactly one of name and selector must be set")
public class RolloutTarget {
  /** The workload kinds a rollout restarts. */
  public enum Kind {
    Deployment, StatefulSet, DaemonSet,
    /** Argo Rollouts ({@code argoproj.io/v1alpha1}), where its CRD is installed. */
    Rollout
  }

  @Required
  @JsonPropertyDescription("Deployment, StatefulSet, DaemonSet or Rollout (Argo Rollouts).")
  public Kind kind;

  @Pattern(SchemaPatterns.DNS_SUBDOMAIN)
  @Size(max = SchemaPatterns.NAME_LENGTH)
  @JsonPropertyDescription("The workload's name.")
  public String name;

  @JsonPropertyDescription("The workloads of this kind whose labels match.")
  public Selector selector;

  /** A label selector (equality only). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Selector {
    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription("Labels a workload must carry, all of them.")
    public Map<String, String> matchLabels;
  }

  public static RolloutTarget named(Kind kind, String name) {
    RolloutTarget t = new RolloutTarget();
    t.kind = kind;
    t.name = name;
    return t;
  }

  public static RolloutTarget selected(Kind kind, Map<String, String> labels) {
    RolloutTarget t = new RolloutTarget();
    t.kind = kind;
    t.selector = new Selector();
    t.selector.matchLabels = labels;
    return t;
  }
}
