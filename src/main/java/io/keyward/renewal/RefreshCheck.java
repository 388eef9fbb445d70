package io.keyward.renewal;

import java.util.Optional;

/**
 * One named rule of the "is a refresh due?" chain ({@link RefreshChecks}): a decision when it
 * fires, empty when it has nothing to say and the next check should be asked.
 */
@FunctionalInterface
public interface RefreshCheck {
  Optional<RefreshDecision> evaluate(RefreshInputs in);
}
