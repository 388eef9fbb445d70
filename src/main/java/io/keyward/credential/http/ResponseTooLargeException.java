package io.keyward.credential.http;

import java.io.IOException;

/** A response body over the configured limit; the rest was not read. */
public class ResponseTooLargeException extends IOException {
  private final long limitBytes;

  public ResponseTooLargeException(long limitBytes) {
    super("response body exceeds " + limitBytes + " bytes");
    this.limitBytes = limitBytes;
  }

  public long limitBytes() {
    return limitBytes;
  }
}
