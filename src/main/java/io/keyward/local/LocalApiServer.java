package io.keyward.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * An embedded Kubernetes API on 127.0.0.1: the Fabric8 mock server in CRUD mode behind
 * {@link LocalApiDispatcher}, with the ApiConnector CRD installed from the generated file, and a
 * kubeconfig for kubectl.
 */
public final class LocalApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  /** Starts on {@code port} (0 for any free port), admitting every ApiConnector. */
  public LocalApiServer(int port) {
    this(port, LocalAdmission.admitAll());
  }

  /**
   * Starts on {@code port} (0 for any free port), with {@code admission} judging every ApiConnector
   * write; fails with a clear message when the port is taken.
   */
  public LocalApiServer(int port, LocalAdmission admission) {
    requireFree(port, "--api-port");
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new LocalApiDispatcher(new KubernetesCrudDispatcher(), admission), false);
    try {
      server.init(InetAddress.getLoopbackAddress(), port);
    } catch (RuntimeException e) {
      throw new LocalModeException("could not start the embedded API server on 127.0.0.1:" + port + " (--api-port)");
    }
    client = server.createClient();
    client.apiextensions().v1().customResourceDefinitions().resource(ConnectorTables.crd()).create();
    client.apiextensions().v1().customResourceDefinitions().resource(ConnectorTables.providerCrd()).create();
  }

  public KubernetesClient client() {
    return client;
  }

  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  /** Writes a kubeconfig for this server (no credentials: it listens on loopback only). */
  public Path writeKubeconfig(Path path) {
    String server = url().replaceAll("/$", "");
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: keyward-local
          cluster:
            server: %s
        users:
        - name: keyward-local
          user: {}
        contexts:
        - name: keyward-local
          context:
            cluster: keyward-local
            user: keyward-local
            namespace: default
        current-context: keyward-local
        """.formatted(server);
    try {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(path, yaml);
      return path.toAbsolutePath();
    } catch (IOException e) {
      throw new LocalModeException("could not write the kubeconfig to " + path + " (--kubeconfig-out): " + e.getMessage());
    }
  }

  /** Fails with a message naming the flag when the port is taken. */
  static void requireFree(int port, String flag) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (BindException e) {
      throw new LocalModeException("port " + port + " on 127.0.0.1 is already in use; choose another with " + flag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
