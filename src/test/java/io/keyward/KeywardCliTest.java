package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KeywardCliTest {
  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Keyward.cli();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void everyCommandsHelpWorksAndUnknownCommandsAndOptionsAreErrorsNamingThem() {
    for (String[] help : new String[][] {{"--help"}, {"help"}, {"run", "--help"}, {"local", "--help"},
        {"validate", "--help"}, {"help", "validate"}}) {
      Result r = run(help);
      assertThat(r.exit()).as(String.join(" ", help)).isZero();
      assertThat(r.out()).as(String.join(" ", help)).contains("Usage: keyward");
    }
    Result unknown = run("rotate");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("'rotate'");
    Result misspelt = run("valdate", "-f", "x.yaml");
    assertThat(misspelt.exit()).isEqualTo(2);
    assertThat(misspelt.err()).contains("'valdate'").contains("Did you mean").contains("validate");
    for (String command : new String[] {"run", "local", "validate"}) {
      Result r = run(command, "--no-such-option");
      assertThat(r.exit()).as(command).isEqualTo(2);
      assertThat(r.err()).as(command).contains("--no-such-option");
    }
    Result close = run("run", "--namespaces", "x");
    assertThat(close.exit()).isEqualTo(2);
    assertThat(close.err()).contains("--namespaces").contains("--namespace");
    Result format = run("run", "--log-format", "xml");
    assertThat(format.exit()).isEqualTo(2);
    assertThat(format.err()).contains("--log-format").contains("text").contains("json");
  }

  @Test
  void helpListsTheRunCommand() {
    Result r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("run").contains("Run the operator against a cluster");
  }

  @Test
  void runHelpDescribesItsOptions() {
    Result r = run("run", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--namespace").contains("--default-token-lifetime")
        .contains("--crypto-provider=auto|accp|jdk").contains("Default: auto");
  }

  @Test
  void anUnknownCryptoProviderIsRefusedNamingTheOptionAndTheChoices() {
    Result r = run("run", "--crypto-provider", "openssl");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("--crypto-provider").contains("'openssl' is not one of auto, accp, jdk")
        .doesNotContain("Exception");
  }

  @Test
  void aBadDurationIsRefusedNamingTheOption() {
    Result r = run("run", "--default-token-lifetime", "soon");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("--default-token-lifetime").contains("soon").doesNotContain("Exception");
  }

  @Test
  void runHelpDescribesStrictSecretReferences() {
    Result r = run("run", "--help");
    assertThat(r.out()).contains("--require-secret-label").contains("keyward.io/referenceable=true");
  }

  @Test
  void runHelpShowsTheOutboundLimits() {
    Result r = run("run", "--help");
    assertThat(r.out()).contains("--http-timeout=DURATION").contains("(default: 30s)")
        .contains("--max-calls-per-host=N").contains("(ProviderBusy)");
  }

  @Test
  void reconcileThreadsOutsideTheirRangeAreRefusedNamingTheOption() {
    for (String n : new String[] {"0", "1001"}) {
      Result r = run("run", "--reconcile-threads", n);
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("--reconcile-threads must be between 1 and 1000");
    }
    assertThat(run("run", "--help").out()).contains("--reconcile-threads=N").contains("(default: 50;");
  }

  @Test
  void aRolloutCapOutsideItsRangeIsRefusedNamingTheOption() {
    for (String n : new String[] {"0", "1001"}) {
      Result r = run("run", "--max-concurrent-rollouts", n);
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("--max-concurrent-rollouts must be between 1 and 1000");
    }
  }

  @Test
  void noCallsPerHostIsRefusedNamingTheOption() {
    Result r = run("run", "--max-calls-per-host", "0");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--max-calls-per-host must be at least 1");
    assertThat(run("run", "--http-timeout", "never").err()).contains("--http-timeout").contains("never");
  }

  @Test
  void aBadEgressEntryIsRefusedNamingTheOptionAndTheEntry() {
    Result r = run("run", "--egress-allow", "idp.example.com", "--egress-deny", "10.0.0.0/8,10.0.0.0/33");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--egress-allow/--egress-deny").contains("'10.0.0.0/33'");
  }

  @Test
  void runHelpDescribesTheEgressPolicy() {
    Result r = run("run", "--help");
    assertThat(r.out()).contains("--egress-allow=ENTRY").contains("--egress-deny=ENTRY")
        .contains("--egress-allow-plain-http");
  }

  @Test
  void runHelpDescribesTheConnectorSelector() {
    Result r = run("run", "--help");
    assertThat(r.out()).contains("--connector-selector=SELECTOR").contains("keyward.io/shard=a")
        .contains("keyward.io/shard!=b").contains("--lease-name");
  }

  @Test
  void aMalformedConnectorSelectorIsRefusedAtStartUpNamingTheOptionAndTheProblem() {
    Result r = run("run", "--connector-selector", "keyward.io/shard=a b");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--connector-selector")
        .contains("'keyward.io/shard=a b' is not a label selector")
        .contains("expected ',' or the end after 'keyward.io/shard=a', found 'b'")
        .doesNotContain("Exception");
    assertThat(run("run", "--connector-selector", "keyward.io/shard in a").err()).contains("--connector-selector")
        .contains("'in' needs a list of values in parentheses");
    assertThat(run("run", "--connector-selector", "Keyward.io/shard=a").err())
        .contains("its prefix 'Keyward.io' is not a DNS subdomain");
  }

  @Test
  void anEmptyConnectorSelectorIsRefusedRatherThanTakingEveryConnector() {
    Result r = run("run", "--connector-selector=");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--connector-selector").contains("would match every connector")
        .contains("omit the option");
  }

  @Test
  void aValidConnectorSelectorParses() {
    var parsed = new CommandLine(new Keyward()).parseArgs("run", "--connector-selector", "keyward.io/shard notin (b, c)",
        "--lease-name", "keyward-a");
    io.keyward.operator.ConnectorSelector selector = parsed.subcommand().matchedOptionValue("--connector-selector", null);
    assertThat(selector).hasToString("keyward.io/shard notin (b,c)");
  }
}
