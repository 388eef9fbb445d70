package io.keyward;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.oauth2.JdkHttpSender;
import io.keyward.operator.KeywardOperator;
import io.keyward.operator.OperatorSettings;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code keyward} command. */
@Command(
    name = "keyward",
    mixinStandardHelpOptions = true,
    versionProvider = Keyward.Version.class,
    description = "Keeps integration credentials fresh: ApiConnector resources in, one-shape Secrets out.",
    subcommands = {Keyward.Run.class})
public final class Keyward implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Keyward()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code keyward run}: the operator against the cluster of the usual kubeconfig or in-cluster config. */
  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Run the operator against a cluster (kubeconfig or in-cluster configuration).")
  static final class Run implements Callable<Integer> {
    @Option(names = "--namespace", split = ",", paramLabel = "NS",
        description = "Namespaces to watch (repeatable or comma-separated). Default: all.")
    List<String> namespaces = List.of();

    @Option(names = "--default-token-lifetime", defaultValue = "1h", paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Lifetime assumed for tokens whose response tells none, e.g. 30m (default: ${DEFAULT-VALUE}).")
    Duration defaultLifetime;

    @Override
    public Integer call() throws Exception {
      var defaults = OperatorSettings.defaults();
      var settings = new OperatorSettings(new LinkedHashSet<>(namespaces), defaultLifetime, defaults.backoff(), defaults.clock());
      var client = new KubernetesClientBuilder().build();
      var operator = new KeywardOperator(client, CredentialIssuers.standard(JdkHttpSender.withDefaults()), settings);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        operator.close();
        client.close();
        stopped.countDown();
      }, "keyward-shutdown"));
      operator.start();
      stopped.await();
      return 0;
    }
  }

  /** Durations written the Kubernetes way: 90s, 5m, 1h30m. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration d = GoDuration.parse(value, "duration");
        if (d == null || d.isZero()) {
          throw new CommandLine.TypeConversionException("'" + value + "' must be a positive duration such as 90s, 5m, 1h");
        }
        return d;
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (examples: 90s, 5m, 1h30m)");
      }
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Keyward.class.getPackage().getImplementationVersion();
      return new String[] {"keyward " + (v == null ? "dev" : v)};
    }
  }
}
