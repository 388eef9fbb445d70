package io.keyward.credential.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import io.keyward.credential.CredentialException;
import io.keyward.testing.FaultCase;
import io.keyward.testing.CountingListener;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The egress guard with real listeners, on loopback only (DESIGN §9): the refused destination is a
 * loopback address (127.0.0.2) put on the deny list, with a listener there that must receive
 * nothing, not even a TCP connection.
 */
class EgressGuardTest {
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  static HTTPRequest post(String url) {
    HTTPRequest r = new HTTPRequest(HTTPRequest.Method.POST, URI.create(url));
    r.setHeader("Content-Type", "application/x-www-form-urlencoded");
    r.setBody("grant_type=client_credentials&client_secret=cs-egress-secret");
    return r;
  }

  static CredentialException refused(HttpSender sender, String url) {
    try {
      sender.call(post(url), "token endpoint");
    } catch (CredentialException e) {
      return e;
    }
    throw new AssertionError("the call to " + url + " went through");
  }

  HttpSender sender(EgressPolicy policy, HostResolver dns) {
    return closeLater(new HttpSender(HttpLimits.defaults(), policy, dns));
  }

  @Test
  void aDeniedAddressReceivesNothingAndTheConnectorIsToldWhichRuleRefusedIt() throws Exception {
    CountingListener denied = closeLater(new CountingListener("127.0.0.2"));
    HttpSender sender = sender(EgressPolicy.local().denying(List.of("127.0.0.2")), HostResolver.SYSTEM);

    CredentialException e = refused(sender, denied.url("http", "/token"));

    assertThat(e.reason()).isEqualTo("EgressDenied");
    assertThat(e.isTerminal()).isTrue();
    assertThat(e.getMessage()).isEqualTo("token endpoint http://127.0.0.2:" + denied.port()
        + " is refused by the egress policy: deny list entry 127.0.0.2; nothing was sent")
        .doesNotContain("cs-egress-secret");
    assertThat(denied.accepted()).as("connections at the denied address").isZero();
  }

  @Test
  void aHostNameIsJudgedByTheAddressItResolvesTo() throws Exception {
    CountingListener denied = closeLater(new CountingListener("127.0.0.2"));
    InetAddress there = InetAddress.getByName("127.0.0.2");
    HttpSender sender = sender(EgressPolicy.local().denying(List.of("127.0.0.0/30")), host -> new InetAddress[] {there});

    CredentialException e = refused(sender, "http://idp.example.test:" + denied.port() + "/token");

    assertThat(e.reason()).isEqualTo("EgressDenied");
    assertThat(e.getMessage()).contains("http://idp.example.test:" + denied.port())
        .contains("deny list entry 127.0.0.0/30");
    assertThat(denied.accepted()).isZero();
  }

  @Test
  @FaultCase("egress-resolved-address")
  void theConnectionGoesOnlyToAnAddressThatPassedEvenWhenTheAnswerChangesEveryTime() throws Exception {
    // both listeners on one port would need two binds; a resolver that names the denied address first
    // and the permitted one second shows that the denied one is skipped, not tried
    CountingListener permitted = closeLater(new CountingListener("127.0.0.1"));
    CountingListener denied = closeLater(new CountingListener("127.0.0.2"));
    InetAddress deniedAddress = InetAddress.getByName("127.0.0.2");
    InetAddress permittedAddress = InetAddress.getByName("127.0.0.1");
    AtomicInteger lookups = new AtomicInteger();
    // a rebinding resolver: every other answer is the denied address alone
    HostResolver rebinding = host -> lookups.incrementAndGet() % 2 == 0
        ? new InetAddress[] {deniedAddress}
        : new InetAddress[] {deniedAddress, permittedAddress};
    HttpSender sender = sender(EgressPolicy.local().denying(List.of("127.0.0.2")), rebinding);

    int through = 0;
    int refusedCalls = 0;
    int passedToPermittedPort = 0; // not refused by the guard (answered, or failed later on a loaded machine)
    for (int i = 0; i < 6; i++) {
      String url = "http://rebind.example.test:" + (i % 2 == 0 ? permitted.port() : denied.port()) + "/token";
      try {
        sender.call(post(url), "token endpoint");
        through++;
        passedToPermittedPort += i % 2 == 0 ? 1 : 0;
      } catch (CredentialException e) {
        if ("EgressDenied".equals(e.reason())) {
          refusedCalls++;
        } else if (i % 2 == 0) {
          passedToPermittedPort++;
        }
      }
    }

    assertThat(denied.accepted()).as("connections at the denied address, whatever the resolver said").isZero();
    // counted by Host: a stray connection from an earlier test's client to a reused port is not this test's
    assertThat(permitted.requestsFor("rebind.example.test:" + permitted.port()))
        .as("only calls the guard let through reach the permitted address")
        .isBetween(through, passedToPermittedPort).isPositive();
    assertThat(refusedCalls).isPositive();
  }

  @Test
  void clusterModeCallsHttpsOnlyAndNeverLoopback() throws Exception {
    CountingListener local = closeLater(new CountingListener("127.0.0.1"));
    HttpSender cluster = sender(EgressPolicy.cluster(), HostResolver.SYSTEM);

    CredentialException http = refused(cluster, local.url("http", "/token"));
    CredentialException https = refused(cluster, local.url("https", "/token"));

    assertThat(http.reason()).isEqualTo("EgressDenied");
    assertThat(http.getMessage()).endsWith("is refused by the egress policy: only https is allowed; nothing was sent");
    assertThat(https.reason()).isEqualTo("EgressDenied");
    assertThat(https.getMessage()).contains("loopback address");
    assertThat(local.accepted()).isZero();

    // the same listener with https required but loopback allowed: refused for the scheme alone
    HttpSender httpsOnly = sender(EgressPolicy.cluster().withLoopback(true), HostResolver.SYSTEM);
    assertThat(refused(httpsOnly, local.url("http", "/token")).getMessage()).contains("only https is allowed");
    assertThat(local.accepted()).isZero();
  }

  @Test
  void aRedirectToAnotherListenerIsNotFollowed() throws Exception {
    CountingListener target = closeLater(new CountingListener("127.0.0.2"));
    com.sun.net.httpserver.HttpServer redirecting =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    redirecting.createContext("/", exchange -> {
      exchange.getResponseHeaders().add("Location", target.url("http", "/token"));
      exchange.sendResponseHeaders(307, -1);
      exchange.close();
    });
    redirecting.start();
    closeLater(() -> redirecting.stop(0));
    HttpSender sender = sender(EgressPolicy.local(), HostResolver.SYSTEM);

    var response = sender.call(post("http://127.0.0.1:" + redirecting.getAddress().getPort() + "/token"),
        "token endpoint");

    assertThat(response.getStatusCode()).isEqualTo(307);
    assertThat(target.accepted()).as("connections at the redirect's target").isZero();
  }

  @Test
  void anUnknownHostIsUnreachableLikeAnyOther() {
    HttpSender sender = sender(EgressPolicy.local(), host -> {
      throw new java.net.UnknownHostException(host);
    });

    CredentialException e = refused(sender, "http://nowhere.example.test:9/token");

    assertThat(e.reason()).isEqualTo("TokenEndpointUnreachable");
    assertThat(e.getMessage()).isEqualTo("token endpoint http://nowhere.example.test:9 could not be reached or gave no"
        + " complete answer within 30s");
  }
}
