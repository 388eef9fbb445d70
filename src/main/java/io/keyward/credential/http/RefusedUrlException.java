package io.keyward.credential.http;

import java.io.IOException;

/** A URL the sender does not call (a scheme other than http or https, no host): nothing was sent. */
public final class RefusedUrlException extends IOException {
  RefusedUrlException(String why) {
    super(why);
  }
}
