package io.keyward;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.keyward.api.v1alpha1.GoDuration;
import io.keyward.credential.CredentialIssuers;
import io.keyward.credential.keys.JwsSigners;
import io.keyward.credential.http.EgressPolicy;
import io.keyward.credential.http.HttpLimits;
import io.keyward.credential.http.HttpSender;
import io.keyward.local.LocalMode;
import io.keyward.local.LocalModeException;
import io.keyward.local.Logging;
import io.keyward.operator.ConnectorSelector;
import io.keyward.operator.KeywardOperator;
import io.keyward.operator.OperatorSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code keyward} command. */
@Command(
    name = "keyward",
    mixinStandardHelpOptions = true,
    versionProvider = Keyward.Version.class,
    description = "Keeps integration credentials fresh: ApiConnector resources in, one-shape Secrets out.",
    subcommands = {Keyward.Run.class, Keyward.Local.class, Keyward.Validate.class, Keyward.Providers.class,
        Keyward.Authorize.class, Keyward.Status.class, Keyward.Refresh.class, CommandLine.HelpCommand.class})
public final class Keyward implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    io.keyward.operator.OperatorHttpServer.limitSlowClients(); // before any HTTP server of the JVM starts
    System.exit(cli().execute(args));
  }

  /**
   * The command line, with one change to picocli's error reporting: an unknown option is named
   * even when a required one is missing too ({@code keyward local --verbos} says which word it did
   * not know, not only that {@code -f} is missing).
   */
  public static CommandLine cli() {
    CommandLine cli = new CommandLine(new Keyward());
    CommandLine.IParameterExceptionHandler standard = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler((ex, args) -> {
      var unmatched = ex.getCommandLine().getParseResult() == null ? java.util.List.<String>of()
          : ex.getCommandLine().getParseResult().unmatched();
      if (!(ex instanceof CommandLine.UnmatchedArgumentException) && !unmatched.isEmpty()) {
        ex = new CommandLine.UnmatchedArgumentException(ex.getCommandLine(), unmatched);
      }
      return standard.handleParseException(ex, args);
    });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code keyward run}: the operator against the cluster of the usual kubeconfig or in-cluster config. */
  @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Keyward.Version.class,
      description = "Run the operator against a cluster (kubeconfig or in-cluster configuration).")
  static final class Run implements Callable<Integer> {
    @Option(names = "--namespace", split = ",", paramLabel = "NS",
        description = "Namespaces to watch (repeatable or comma-separated). Default: all.")
    List<String> namespaces = List.of();

    @Option(names = "--default-token-lifetime", defaultValue = "1h", paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Lifetime assumed for tokens whose response tells none, e.g. 30m (default: ${DEFAULT-VALUE}).")
    Duration defaultLifetime;

    @Option(names = "--leader-election-namespace", paramLabel = "NS",
        description = "Elect one active replica through a Lease in this namespace (the Helm chart sets it)."
            + " Without it every replica works.")
    String leaderElectionNamespace;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT",
        description = "Port for /metrics, /healthz, /readyz and /jwks/<namespace>/<name> (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--probe-port", defaultValue = "8081", paramLabel = "PORT",
        description = "Port that serves only /healthz and /readyz, with workers of its own, for the kubelet's probes;"
            + " the same as --http-port to serve them there only (default: ${DEFAULT-VALUE}).")
    int probePort;

    @Option(names = "--lease-name", defaultValue = "keyward-operator", paramLabel = "NAME",
        description = "Name of the leader-election Lease (default: ${DEFAULT-VALUE}). Each deployment (each shard of"
            + " --connector-selector) needs a Lease of its own.")
    String leaseName;

    @Option(names = "--connector-selector", paramLabel = "SELECTOR", converter = ConnectorSelectorConverter.class,
        description = "Reconcile only the ApiConnectors whose labels match this label selector, e.g."
            + " keyward.io/shard=a, or keyward.io/shard!=b for a catch-all that also takes unlabelled ones;"
            + " equality (=, ==, !=) and set-based (in, notin, key, !key) requirements, comma-separated. For several"
            + " deployments (shards) with selectors that never overlap, each with its own --lease-name. Default: all.")
    ConnectorSelector connectorSelector;

    @Option(names = "--crypto-provider", defaultValue = "auto", paramLabel = "auto|accp|jdk",
        converter = CryptoProviderConverter.class,
        description = "What signs JWTs: auto (the native Amazon Corretto Crypto Provider where it loads, else the"
            + " JDK), accp (the native provider or refuse to start), jdk (no native code). Default: ${DEFAULT-VALUE}.")
    JwsSigners.Choice cryptoProvider;

    @Option(names = "--require-secret-label",
        description = "Strict mode: connectors may read only Secrets labelled keyward.io/referenceable=true"
            + " (others are refused with ForbiddenSecretReference). Keyward's state Secrets and service-account"
            + " tokens are refused in every mode.")
    boolean requireSecretLabel;
    @Option(names = "--http-timeout", defaultValue = "30s", paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Deadline of every call to a provider, the whole exchange: connect, headers and body"
            + " (default: ${DEFAULT-VALUE}).")
    Duration httpTimeout;

    @Option(names = "--max-issuances-per-namespace", defaultValue = "10", paramLabel = "N",
        description = "Credential requests in flight at once for the connectors of one namespace, whatever hosts"
            + " they name; a connector over its namespace's share waits its turn (NamespaceBusy) without holding a"
            + " thread (default: ${DEFAULT-VALUE}).")
    int maxIssuancesPerNamespace;

    @Option(names = "--reconcile-threads", defaultValue = "50", paramLabel = "N",
        description = "Connectors reconciled at once, and as many threads for their provider calls; a connector"
            + " waiting for its provider's or namespace's share holds none (default: ${DEFAULT-VALUE}; see"
            + " docs/benchmarks.md).")
    int reconcileThreads;

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
        description = "How log lines are written to standard error: text, or json (one object a line: time, level,"
            + " logger, thread, message, and namespace and name of the connector a line is about)"
            + " (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    @Option(names = "--max-concurrent-rollouts", defaultValue = "5", paramLabel = "N",
        description = "Workload rollouts (spec.rollout) in progress at once over all connectors; the restarts beyond"
            + " it wait in order (default: ${DEFAULT-VALUE}).")
    int maxConcurrentRollouts;

    @Option(names = "--revocation-timeout", defaultValue = "5m", converter = DurationConverter.class,
        paramLabel = "DURATION", description = "How long the deletion of a connector of deletionPolicy Revoke waits for"
            + " its provider to revoke its tokens before it goes ahead unrevoked (default: ${DEFAULT-VALUE}).")
    Duration revocationTimeout;

    @Option(names = "--max-calls-per-host", defaultValue = "4", paramLabel = "N",
        description = "Calls in flight at once to one provider scheme://host:port; a connector that finds its"
            + " provider's host busy waits its turn (ProviderBusy) without holding a thread (default: ${DEFAULT-VALUE}).")
    int maxCallsPerHost;

    @Option(names = "--host-requests-per-second", defaultValue = "10", paramLabel = "RATE",
        description = "Requests per second to one provider scheme://host:port, shared by every connector that uses it;"
            + " a connector over it waits its turn (ProviderThrottled), the soonest-expiring first (default:"
            + " ${DEFAULT-VALUE}).")
    double hostRequestsPerSecond;

    @Option(names = "--host-burst", defaultValue = "20", paramLabel = "N",
        description = "Requests to one provider host that may go at once before --host-requests-per-second applies"
            + " (default: ${DEFAULT-VALUE}).")
    int hostBurst;

    @Option(names = "--egress-allow", split = ",", paramLabel = "ENTRY",
        description = "Destinations providers may be called at although a built-in rule or --egress-deny refuses them:"
            + " a host (idp.auth.svc.cluster.local), a *.suffix, an IP address or a CIDR (10.0.5.0/24). A host entry"
            + " does not open cloud metadata addresses; an address entry does. Repeatable, or comma-separated.")
    List<String> egressAllow = new ArrayList<>();

    @Option(names = "--egress-deny", split = ",", paramLabel = "ENTRY",
        description = "Destinations providers are never called at, written like --egress-allow, e.g. the cluster's"
            + " pod and service CIDRs. Repeatable, or comma-separated.")
    List<String> egressDeny = new ArrayList<>();

    @Option(names = "--egress-allow-plain-http",
        description = "Allow http:// provider URLs (token, exchange and JWKS endpoints). By default only https is"
            + " called; credentials sent over plain http can be read on the way.")
    boolean egressAllowPlainHttp;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Beyond the HTTP deadline: the old shard's state write, output write and status patch after its provider call. */
    static final Duration HANDOVER_MARGIN = Duration.ofSeconds(15);

    private static String identity() {
      String pod = System.getenv("POD_NAME");
      if (pod != null && !pod.isBlank()) {
        return pod;
      }
      try {
        return java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
      } catch (java.net.UnknownHostException e) {
        return "keyward-" + ProcessHandle.current().pid();
      }
    }

    /** Why {@code value} of {@code option} is refused (below 1, or above {@code max}), or null. */
    private static String atLeastOne(String option, int value, int max) {
      if (value >= 1 && value <= max) {
        return null;
      }
      return option + (max == Integer.MAX_VALUE ? " must be at least 1" : " must be between 1 and " + max);
    }

    @Override
    public Integer call() throws Exception {
      logFormat.apply();
      String refused = atLeastOne("--max-issuances-per-namespace", maxIssuancesPerNamespace, Integer.MAX_VALUE);
      refused = refused != null ? refused : atLeastOne("--reconcile-threads", reconcileThreads, 1000);
      refused = refused != null ? refused : atLeastOne("--max-concurrent-rollouts", maxConcurrentRollouts, 1000);
      refused = refused != null ? refused : atLeastOne("--max-calls-per-host", maxCallsPerHost, Integer.MAX_VALUE);
      if (refused == null && (!(hostRequestsPerSecond > 0) || Double.isInfinite(hostRequestsPerSecond))) {
        refused = "--host-requests-per-second must be a positive number";
      }
      refused = refused != null ? refused : atLeastOne("--host-burst", hostBurst, Integer.MAX_VALUE);
      if (refused != null) {
        spec.commandLine().getErr().println("keyward run: " + refused);
        return 2;
      }
      var settings = OperatorSettings.defaults()
          .withNamespaces(new LinkedHashSet<>(namespaces))
          .withDefaultLifetime(defaultLifetime);
      if (leaderElectionNamespace != null) {
        settings = settings.withLeaderElection(new OperatorSettings.LeaderElection(leaseName, leaderElectionNamespace,
            identity(), Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), true));
      }
      settings = settings.withRequireSecretLabel(requireSecretLabel).withMaxIssuancesPerNamespace(maxIssuancesPerNamespace)
          .withReconcileThreads(reconcileThreads)
          .withMaxConcurrentRollouts(maxConcurrentRollouts)
          .withRevocationTimeout(revocationTimeout);
      if (connectorSelector != null) {
        // a refresh another shard had in flight when a connector moved here gets its deadline and some to land
        settings = settings.withConnectorSelector(connectorSelector, httpTimeout.plus(HANDOVER_MARGIN));
      }
      JwsSigners signers;
      try {
        signers = JwsSigners.select(cryptoProvider);
      } catch (IllegalStateException e) {
        spec.commandLine().getErr().println("keyward run: --crypto-provider=accp: " + e.getMessage());
        return 2;
      }
      var log = LoggerFactory.getLogger(Keyward.class);
      if (signers.isNative() || cryptoProvider == JwsSigners.Choice.JDK) {
        log.info("JWTs are signed by {}", signers.description());
      } else {
        log.warn("JWTs are signed by {}", signers.description()); // auto fell back: slower, worth a look
      }
      if (requireSecretLabel) {
        log.info("Strict mode: connectors read only Secrets labelled keyward.io/referenceable=true");
      }
      if (connectorSelector != null) {
        log.info("Reconciling only the ApiConnectors whose labels match {}", connectorSelector);
      }
      EgressPolicy egress;
      try {
        egress = EgressPolicy.cluster().withPlainHttp(egressAllowPlainHttp).allowing(egressAllow).denying(egressDeny);
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("keyward run: --egress-allow/--egress-deny: " + e.getMessage());
        return 2;
      }
      log.info("Egress policy: {}", egress.describe());
      var http = new HttpSender(HttpLimits.defaults().withDeadline(httpTimeout).withMaxCallsPerHost(maxCallsPerHost)
          .withHostRate(hostRequestsPerSecond, hostBurst), egress);
      var client = new KubernetesClientBuilder().build();
      var operator = new KeywardOperator(client, CredentialIssuers.standard(http, signers), settings);
      // the probes answer from the start: /readyz says 503 until the informers have synced
      var endpoints = probePort == httpPort ? io.keyward.operator.OperatorHttpServer.start(operator, httpPort)
          : io.keyward.operator.OperatorHttpServer.start(operator, httpPort, probePort);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        operator.close();
        endpoints.close();
        http.close();
        client.close();
        stopped.countDown();
      }, "keyward-shutdown"));
      operator.start();
      stopped.await();
      return 0;
    }
  }

  /** {@code keyward local}: everything in one process, for a first look and for end-to-end tests. */
  @Command(name = "local", mixinStandardHelpOptions = true, versionProvider = Keyward.Version.class,
      description = {"Run Keyward on an embedded Kubernetes API with a demo provider, apply manifests, "
          + "and show a live table of connectors. Documents the API server refuses are listed, the others applied. "
          + "Works with the real kubectl."})
  static final class Local implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "PATH",
        description = "Manifest file or directory to apply (repeatable), e.g. examples/local.")
    List<java.nio.file.Path> manifests;

    @Option(names = "--api-port", defaultValue = "0", paramLabel = "PORT",
        description = "Port of the embedded API server (default: any free port).")
    int apiPort;

    @Option(names = "--provider-port", defaultValue = "18080", paramLabel = "PORT",
        description = "Port of the demo provider; examples/local points at it (default: ${DEFAULT-VALUE}).")
    int providerPort;

    @Option(names = "--kubeconfig-out", defaultValue = ".keyward/kubeconfig", paramLabel = "FILE",
        description = "Where to write the kubeconfig (default: ${DEFAULT-VALUE}).")
    java.nio.file.Path kubeconfig;

    @Option(names = "--token-lifetime", defaultValue = "60s", converter = DurationConverter.class,
        paramLabel = "DURATION", description = "Lifetime of the demo provider's tokens (default: ${DEFAULT-VALUE}).")
    Duration tokenLifetime;

    @Option(names = "--exit-after", converter = DurationConverter.class, paramLabel = "DURATION",
        description = "Stop after this long (for scripts), e.g. 30s.")
    Duration exitAfter;

    @Option(names = "--verbose", description = "Show the operator's log.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
      if (!verbose) {
        Logging.quiet();
      }
      var clock = java.time.Clock.systemUTC();
      LocalMode local;
      try {
        local = new LocalMode(new LocalMode.Options(manifests, apiPort, providerPort, kubeconfig, tokenLifetime, clock));
      } catch (LocalModeException e) {
        spec.commandLine().getErr().println("keyward local: " + e.getMessage());
        return 2;
      }
      var stop = new CountDownLatch(1);
      var closed = new java.util.concurrent.atomic.AtomicBoolean();
      Runnable shutdown = () -> {
        if (closed.compareAndSet(false, true)) {
          local.close();
        }
      };
      Thread hook = new Thread(() -> {
        stop.countDown();
        shutdown.run();
      }, "keyward-local-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
      var printStream = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
          java.nio.charset.StandardCharsets.UTF_8);
      local.show(printStream, terminal, clock, exitAfter, stop);
      shutdown.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
      printStream.println("keyward local: stopped");
      return 0;
    }
  }

  /** {@code keyward providers}: the built-in provider profiles. */
  @Command(name = "providers", mixinStandardHelpOptions = true, versionProvider = Keyward.Version.class,
      description = {"List the built-in provider profiles a connector can name in spec.provider (name, auth type,"
          + " required parameters), or describe one: its parameters, the settings it supplies and the provider"
          + " quirks it accounts for, each with its documentation link."})
  static final class Providers implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(arity = "0..1", paramLabel = "NAME", description = "A profile to describe.")
    String name;

    @Option(names = "--markdown", description = "Print docs/providers.md (the catalogue as Markdown).")
    boolean markdown;

    @Override
    public Integer call() {
      var catalog = io.keyward.provider.ProviderCatalog.builtIn();
      var out = spec.commandLine().getOut();
      if (name != null) {
        var profile = catalog.find(name);
        if (profile.isEmpty()) {
          spec.commandLine().getErr().println("keyward providers: no provider profile named " + name
              + "; `keyward providers` lists them");
          spec.commandLine().getErr().flush();
          return 1;
        }
        out.print(io.keyward.provider.ProviderListing.describe(profile.get()));
      } else {
        out.print(markdown ? io.keyward.provider.ProviderListing.markdown(catalog)
            : io.keyward.provider.ProviderListing.table(catalog));
      }
      out.flush();
      return 0;
    }
  }

  /** {@code keyward validate}: connector manifests checked offline, as the API server would judge them. */
  @Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Keyward.Version.class,
      description = {"Check ApiConnector manifests offline (no cluster, no network) against the CRD's schema and CEL"
          + " rules, with the API server's fields and messages; other kinds are skipped.",
          "Prints file:document: ApiConnector/name: field: message for each problem and exits 1 on any error"
              + " (or, with --strict, any warning)."})
  static final class Validate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "PATH",
        description = "Manifest file or directory (walked for .yaml, .yml, .json), repeatable; - for standard input."
            + " Multi-document YAML, JSON and List kinds.")
    List<String> manifests;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json",
        description = "text (one line per problem and a summary) or json (a report per document). Default: ${DEFAULT-VALUE}.")
    String output;

    @Option(names = "--strict", description = "Exit 1 on warnings too: a Secret or key not among the manifests (when they"
        + " hold Secrets), a Secret in another namespace, a plain-http URL to a host that is not loopback, an API key in"
        + " the query string.")
    boolean strict;

    @Option(names = "--field-validation", defaultValue = "Strict", paramLabel = "Strict|Warn|Ignore",
        description = "Fields the CRD does not know: an error (Strict, what kubectl apply asks the API server for), a"
            + " warning (Warn), or nothing (Ignore). Default: ${DEFAULT-VALUE}.")
    String fieldValidation;

    @Override
    public Integer call() {
      var err = spec.commandLine().getErr();
      if (!output.equals("text") && !output.equals("json")) {
        err.println("keyward validate: --output must be text or json, not '" + output + "'");
        return 2;
      }
      io.keyward.validate.Report report;
      try {
        var check = new io.keyward.validate.ManifestCheck(io.keyward.admission.ConnectorValidator.fromGeneratedCrd(),
            io.keyward.validate.ManifestCheck.FieldValidation.parse(fieldValidation));
        report = check.check(manifests, System.in);
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        err.println("keyward validate: " + e.getMessage());
        err.flush();
        return 2;
      }
      var out = spec.commandLine().getOut();
      out.print(output.equals("json") ? report.json().toPrettyString() + "\n" : report.text());
      out.flush();
      return report.exitCode(strict);
    }
  }

  @Command(name = "authorize", mixinStandardHelpOptions = true, versionProvider = Keyward.Version.class,
      description = {"Obtain a connector's first refresh token in a browser (authorization code with PKCE, a redirect"
          + " to 127.0.0.1), or with --device by a code entered on any device, and write it into the Secret key its"
          + " spec.auth.oauth2.refreshTokenRef names; then ask the connector to refresh.",
          "Uses the kubeconfig as kubectl does. Prints the URL to open; never prints a token."})
  static final class Authorize implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "CONNECTOR", description = "The ApiConnector's name.")
    String name;

    @CommandLine.Mixin KubeOptions kube;

    @Option(names = "--timeout", defaultValue = "5m", converter = DurationConverter.class, paramLabel = "DURATION",
        description = "How long to wait for the browser's redirect. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
        description = "The redirect listener's port on 127.0.0.1, for providers that register an exact redirect URI"
            + " (http://127.0.0.1:PORT/callback). Default: a free port.")
    int port;

    @Option(names = "--no-browser", description = "Only print the URL (default: also open it where a browser is available).")
    boolean noBrowser;

    @Option(names = "--device", description = "Use the device authorization grant (RFC 8628) at"
        + " spec.auth.oauth2.deviceAuthorizationUrl instead: prints a URL and a code to enter on any device (no"
        + " browser on this machine, no redirect), then polls at the provider's interval.")
    boolean device;

    @Override
    public Integer call() throws Exception {
      var out = spec.commandLine().getOut();
      var err = spec.commandLine().getErr();
      if (port < 0 || port > 65535) {
        err.println("keyward authorize: --port must be between 0 and 65535, not " + port);
        return 2;
      }
      io.fabric8.kubernetes.client.Config config = kube.config(err, "authorize");
      if (config == null) {
        return 2;
      }
      String ns = kube.namespace(config);
      String user = config.getCurrentContext() == null || config.getCurrentContext().getContext() == null ? null
          : config.getCurrentContext().getContext().getUser();
      try (var client = new KubernetesClientBuilder().withConfig(config).build()) {
        new io.keyward.authorize.AuthorizeConnector(client, io.keyward.credential.http.HttpSender.local(),
            java.time.Clock.systemUTC(), out).run(new io.keyward.authorize.AuthorizeConnector.Options(ns, name, timeout,
                port, noBrowser ? url -> { } : io.keyward.authorize.Browser::open, user, device));
        return 0;
      } catch (io.keyward.authorize.AuthorizeConnector.AuthorizeException e) {
        out.flush();
        err.println("keyward authorize: " + e.getMessage());
        err.flush();
        return 1;
      }
    }
  }

  /** The kubeconfig options of the commands that talk to a cluster as kubectl does. */
  static final class KubeOptions {
    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
        description = "The namespace. Default: the kubeconfig context's, else default.")
    String namespace;

    @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig. Default: $KUBECONFIG, else ~/.kube/config.")
    java.nio.file.Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context. Default: the current one.")
    String context;

    /** The client configuration, or null after telling {@code err} why it cannot be read. */
    io.fabric8.kubernetes.client.Config config(java.io.PrintWriter err, String command) {
      try {
        return kubeconfig != null
            ? io.fabric8.kubernetes.client.Config.fromKubeconfig(context, java.nio.file.Files.readString(kubeconfig),
                kubeconfig.toString())
            : io.fabric8.kubernetes.client.Config.autoConfigure(context);
      } catch (java.io.IOException | RuntimeException e) {
        err.println("keyward " + command + ": cannot read the kubeconfig" + (kubeconfig == null ? "" : " " + kubeconfig)
            + (context == null ? "" : " (context " + context + ")") + ": " + e.getMessage());
        return null;
      }
    }

    String namespace(io.fabric8.kubernetes.client.Config config) {
      return namespace != null ? namespace : config.getNamespace() != null ? config.getNamespace() : "default";
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Keyward.Version.class,
      description = "The connectors of a namespace (or all, -A) as their status says: type, readiness, expiry, why the"
          + " credential was last issued, the last error. Uses the kubeconfig as kubectl does.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KubeOptions kube;

    @Option(names = {"-A", "--all-namespaces"}, description = "Every namespace.")
    boolean allNamespaces;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      var err = spec.commandLine().getErr();
      io.fabric8.kubernetes.client.Config config = kube.config(err, "status");
      if (config == null) {
        return 2;
      }
      try (var client = new KubernetesClientBuilder().withConfig(config).build()) {
        var connectors = client.resources(io.keyward.api.v1alpha1.ApiConnector.class);
        var items = allNamespaces ? connectors.inAnyNamespace().list().getItems()
            : connectors.inNamespace(kube.namespace(config)).list().getItems();
        if (items.isEmpty()) {
          err.println(allNamespaces ? "No ApiConnectors found." : "No ApiConnectors found in " + kube.namespace(config)
              + ".");
          return 0;
        }
        out.print(io.keyward.local.ConnectorTable.status(items, java.time.Instant.now(), allNamespaces));
        out.flush();
        return 0;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        err.println("keyward status: could not list ApiConnectors: " + (e.getCode() == 403 ? "forbidden"
            : e.getCode() == 404 ? "the ApiConnector CRD is not installed" : "HTTP " + e.getCode()));
        return 1;
      }
    }
  }

  @Command(name = "refresh", mixinStandardHelpOptions = true, versionProvider = Keyward.Version.class,
      description = "Ask a connector to refresh its credential now (the keyward.io/refresh-requested-at annotation).")
  static final class Refresh implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin KubeOptions kube;

    @CommandLine.Parameters(index = "0", paramLabel = "CONNECTOR", description = "The ApiConnector's name.")
    String name;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      var err = spec.commandLine().getErr();
      io.fabric8.kubernetes.client.Config config = kube.config(err, "refresh");
      if (config == null) {
        return 2;
      }
      String ns = kube.namespace(config);
      try (var client = new KubernetesClientBuilder().withConfig(config).build()) {
        var resource = client.resources(io.keyward.api.v1alpha1.ApiConnector.class).inNamespace(ns).withName(name);
        if (resource.get() == null) {
          err.println("keyward refresh: ApiConnector " + ns + "/" + name + " not found");
          return 1;
        }
        String at = java.time.Instant.now().toString();
        var patch = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        patch.putObject("metadata").putObject("annotations").put(io.keyward.api.v1alpha1.ApiConnector.REFRESH_REQUESTED_AT, at);
        resource.patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), patch.toString());
        out.println("Asked " + ns + "/" + name + " to refresh (" + io.keyward.api.v1alpha1.ApiConnector.REFRESH_REQUESTED_AT
            + "=" + at + "); its status says when it has: keyward status -n " + ns);
        out.flush();
        return 0;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        err.println("keyward refresh: could not annotate ApiConnector " + ns + "/" + name + ": "
            + (e.getCode() == 403 ? "forbidden" : "HTTP " + e.getCode()));
        return 1;
      }
    }
  }

  /** {@code auto}, {@code accp} or {@code jdk}. */
  static final class CryptoProviderConverter implements CommandLine.ITypeConverter<JwsSigners.Choice> {
    @Override
    public JwsSigners.Choice convert(String value) {
      try {
        return JwsSigners.Choice.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A label selector as the API server reads one; refused here with what is wrong, at start-up. */
  static final class ConnectorSelectorConverter implements CommandLine.ITypeConverter<ConnectorSelector> {
    @Override
    public ConnectorSelector convert(String value) {
      try {
        return ConnectorSelector.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a label selector: " + e.getMessage());
      }
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

  /** {@code --version}: the build (version, commit), the Java runtime, and what signs JWTs under {@code auto}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Build build = Build.read();
      String signer;
      try {
        signer = JwsSigners.select(JwsSigners.Choice.AUTO).description();
      } catch (RuntimeException e) {
        signer = "none available (" + e.getClass().getSimpleName() + ")";
      }
      return new String[] {
          "keyward " + build.version() + " (commit " + build.commit() + ")",
          "Java " + System.getProperty("java.runtime.version", System.getProperty("java.version")) + " ("
              + System.getProperty("java.vm.name", "?") + ", " + System.getProperty("java.vendor", "?") + ")",
          "JWT signer (--crypto-provider auto): " + signer};
    }
  }

  /** What the build wrote into {@code io/keyward/build.properties} (pom.xml filters it). */
  record Build(String version, String commit) {
    static Build read() {
      java.util.Properties p = new java.util.Properties();
      try (var in = Keyward.class.getResourceAsStream("build.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (java.io.IOException e) {
        // reported as unknown below
      }
      return new Build(filled(p.getProperty("version")), filled(p.getProperty("commit"))
          + ("true".equals(p.getProperty("dirty")) ? ", with uncommitted changes" : ""));
    }

    /** A value the build did not fill in (no Git checkout, or run from an IDE) is unknown. */
    private static String filled(String value) {
      return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }
  }
}
