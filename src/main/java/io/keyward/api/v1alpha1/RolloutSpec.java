package io.keyward.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Workloads to restart when the published value changes: for consumers that read the credential
 * once (environment variables, a client built at start-up). Consumers that read the mounted files
 * need none (docs/rollouts.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
  /** When a restart happens. */
  public enum When {
    /** Only when the published value changes: never for a re-projection of the same value, a resync or an operator restart. */
    OnValueChange
  }

  @Required
  @Size(min = 1, max = 16)
  @JsonPropertyDescription("The workloads of this connector's namespace to restart, by name or by label selector.")
  public List<RolloutTarget> targets;

  @Pattern(GoDuration.PATTERN)
  @Size(max = SchemaPatterns.DURATION_LENGTH)
  @JsonPropertyDescription("Changes within this long of each other give one restart, after the last (Go duration)."
      + " Default 30s.")
  public String debounce;

  @JsonPropertyDescription("When to restart: OnValueChange (the default and only value).")
  public When when;

  @JsonPropertyDescription("Restart also for a credential renewed more often than every 6 hours (every refresh would"
      + " restart the targets). Default false: such a connector restarts nothing and says so in a Warning condition.")
  public Boolean allowFrequent;
}
