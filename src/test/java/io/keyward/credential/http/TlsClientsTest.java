package io.keyward.credential.http;

import io.keyward.testing.Loopback;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import io.keyward.credential.CredentialException;
import io.keyward.testing.TestPki;
import io.keyward.testing.TokenServer;
import java.net.URI;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A TLS client per distinct material, told apart by all of it, and closed when the cache lets it go. */
class TlsClientsTest {
  static TestPki one;
  static TestPki two;
  TokenServer server;
  HttpSender sender;

  @BeforeAll
  static void pki() throws Exception {
    one = new TestPki();
    two = new TestPki();
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (sender != null) {
      sender.close();
    }
  }

  int status(TlsMaterial material) throws CredentialException {
    return sender.call(new HTTPRequest(HTTPRequest.Method.GET, URI.create(server.tokenUrl())), material,
        "token endpoint").getStatusCode();
  }

  /** A line of text (ignored by the PEM reader) that makes {@code prefix + pem} hash like {@code target}. */
  static String collidingPrefix(String pem, int target) {
    int power = 1; // 31^pem.length() mod 2^32
    for (int i = 0; i < pem.length(); i++) {
      power *= 31;
    }
    int inverse = power; // Newton's iteration for the inverse of an odd number mod 2^32
    for (int i = 0; i < 5; i++) {
      inverse *= 2 - power * inverse;
    }
    int prefixHash = (target - pem.hashCode()) * inverse; // the hash "<7 chars>\n" must have
    int sevenChars = (prefixHash - '\n') * inverseOf31();
    long digits = Integer.toUnsignedLong(sevenChars - "AAAAAAA".hashCode()); // < 31^7: seven base-31 digits
    char[] chars = new char[7];
    for (int i = 6; i >= 0; i--) {
      chars[i] = (char) ('A' + digits % 31);
      digits /= 31;
    }
    return new String(chars) + "\n";
  }

  static int inverseOf31() {
    int inverse = 31;
    for (int i = 0; i < 5; i++) {
      inverse *= 2 - 31 * inverse;
    }
    return inverse;
  }

  @Test
  void materialsWhoseOldHashCollidesGetTheirOwnClientAndTheirOwnTrust() throws Exception {
    server = new TokenServer(one.serverContext(), false);
    sender = Loopback.sender();
    String caOne = "issued by CA one\n" + one.ca.certificatePem();
    String caTwo = two.ca.certificatePem();
    caTwo = collidingPrefix(caTwo, caOne.hashCode()) + caTwo;
    TlsMaterial trustsOne = new TlsMaterial(caOne, null, null);
    TlsMaterial trustsTwo = new TlsMaterial(caTwo, null, null);
    assertThat(caTwo).isNotEqualTo(caOne);
    assertThat(Objects.hash(caTwo, null, null)).as("the old cache key").isEqualTo(Objects.hash(caOne, null, null));

    assertThat(status(trustsOne)).as("a client trusting CA one reaches a server of CA one").isGreaterThan(0);
    CredentialException e = HttpSenderTest.failure(() -> status(trustsTwo));
    assertThat(e.reason()).as("a client trusting only CA two does not").isEqualTo("TlsHandshakeFailed");
    assertThat(sender.tlsClients()).isEqualTo(2);
    assertThat(status(trustsOne)).isGreaterThan(0);
  }

  @Test
  void theLeastRecentlyUsedClientIsEvictedAndClosed() throws Exception {
    server = new TokenServer(one.serverContext(), false);
    sender = new HttpSender(HttpLimits.defaults(), Loopback.only(), HostResolver.SYSTEM, 2);
    TlsMaterial first = new TlsMaterial("first\n" + one.ca.certificatePem(), null, null);
    TlsMaterial second = new TlsMaterial("second\n" + one.ca.certificatePem(), null, null);
    TlsMaterial third = new TlsMaterial("third\n" + one.ca.certificatePem(), null, null);

    status(first);
    Client evicted = sender.tlsClient(first);
    status(second);
    status(first); // first is used again: second is now the least recently used
    status(third);

    assertThat(sender.tlsClients()).isEqualTo(2);
    assertThat(evicted.isClosed()).isFalse();
    Client secondClient = sender.tlsClient(second);
    assertThat(secondClient).isNull();
    status(second); // back, on a new client; first goes now
    assertThat(evicted.isClosed()).isTrue();
    assertThat(evicted.http.isStopped()).as("the evicted client, its threads and connections").isTrue();
    assertThat(sender.tlsClient(first)).isNull();
    assertThat(status(first)).as("an evicted material works again, on a new client").isGreaterThan(0);
    assertThat(sender.tlsClient(first)).isNotSameAs(evicted);
  }
}
