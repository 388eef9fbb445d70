package io.keyward.credential.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Resolves a provider's host for a new connection and keeps only the addresses the
 * {@link EgressPolicy} permits: the HTTP client connects to exactly those, so what was checked is
 * what is called (no second lookup, no DNS-rebinding window). When none remains the connection
 * fails with {@link EgressDeniedException} and no byte is sent.
 */
final class EgressResolver implements SocketAddressResolver {
  private final EgressPolicy policy;
  private final HostResolver dns;

  EgressResolver(EgressPolicy policy, HostResolver dns) {
    this.policy = policy;
    this.dns = dns;
  }

  @Override
  public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
    InetAddress[] addresses;
    try {
      addresses = dns.resolve(host);
    } catch (UnknownHostException e) {
      promise.failed(new UnknownHostException("the host name does not resolve"));
      return;
    } catch (RuntimeException e) {
      promise.failed(new UnknownHostException("the host name could not be resolved"));
      return;
    }
    List<InetSocketAddress> permitted = new ArrayList<>();
    Optional<EgressPolicy.Refusal> first = Optional.empty();
    for (InetAddress a : addresses) {
      Optional<EgressPolicy.Refusal> refusal = policy.checkAddress(host, a);
      if (refusal.isEmpty()) {
        permitted.add(new InetSocketAddress(a, port));
      } else if (first.isEmpty()) {
        first = refusal;
      }
    }
    if (permitted.isEmpty()) {
      promise.failed(first.<java.io.IOException>map(EgressDeniedException::new)
          .orElseGet(() -> new UnknownHostException("the host name resolves to no address")));
      return;
    }
    promise.succeeded(permitted);
  }
}
