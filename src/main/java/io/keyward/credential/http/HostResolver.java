package io.keyward.credential.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Name resolution for outbound calls; the system resolver unless a test gives another. */
@FunctionalInterface
public interface HostResolver {
  HostResolver SYSTEM = InetAddress::getAllByName;

  InetAddress[] resolve(String host) throws UnknownHostException;
}
