package io.keyward.credential.http;

import java.io.IOException;

/** The egress policy refuses the URL or every address its host resolves to: nothing was sent. */
public final class EgressDeniedException extends IOException {
  private final EgressPolicy.Refusal refusal;

  EgressDeniedException(EgressPolicy.Refusal refusal) {
    super(refusal.host() + " is refused by the egress policy: " + refusal.rule());
    this.refusal = refusal;
  }

  public EgressPolicy.Refusal refusal() {
    return refusal;
  }
}
