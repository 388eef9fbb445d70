package io.keyward.renewal;

import java.util.Optional;

/** One named rule of the "is a refresh due?" chain; empty when it has nothing to say. */
@FunctionalInterface
public interface RefreshCheck {
  Optional<RefreshDecision> evaluate(RefreshInputs in);
}
