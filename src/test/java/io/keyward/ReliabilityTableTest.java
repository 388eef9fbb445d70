package io.keyward;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fault matrix in {@code docs/reliability.md} and the tests that prove it name each other: every
 * row's id (the first column, in backticks) is carried by a test as {@code @FaultCase("<id>")}, and
 * every such test names a row. Fails naming the rows without a case and the cases without a row.
 */
class ReliabilityTableTest {
  static final Path TABLE = Path.of("docs/reliability.md");
  static final Path TESTS = Path.of("src/test/java");
  static final String HEADER = "| id | fault | what the user sees (condition/reason, Events) | what Keyward does |";
  static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\|");
  static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  /** {@code @FaultCase("id")}, {@code @FaultCase(value = "id")}, qualified or not. */
  static final Pattern CASE = Pattern.compile("@(?:io\\.keyward\\.testing\\.)?FaultCase\\s*\\(\\s*(?:value\\s*=\\s*)?"
      + "\"([^\"]*)\"\\s*\\)");
  static final Pattern ANY_CASE = Pattern.compile("@(?:io\\.keyward\\.testing\\.)?FaultCase\\b");

  /** A test's claim to prove a row. */
  record Case(String id, String where) {}

  static List<String> rows() throws IOException {
    List<String> ids = new ArrayList<>();
    for (String line : Files.readAllLines(TABLE)) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        ids.add(m.group(1));
      }
    }
    return ids;
  }

  static List<Case> cases() throws IOException {
    List<Case> cases = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(TESTS)) {
      sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path source : sources) {
      if (source.endsWith(Path.of("io/keyward/testing/FaultCase.java"))
          || source.endsWith(Path.of("io/keyward/ReliabilityTableTest.java"))) {
        continue; // the annotation and this test only talk about it
      }
      String text = Files.readString(source);
      Matcher any = ANY_CASE.matcher(text);
      while (any.find()) {
        String where = source + ":" + line(text, any.start());
        Matcher literal = CASE.matcher(text).region(any.start(), text.length());
        assertThat(literal.lookingAt()).as("%s: @FaultCase takes the row id as a string literal", where).isTrue();
        assertThat(testMethodHeader(text, any.start())).as("%s: @FaultCase marks a @Test method", where)
            .containsPattern("@(Test|ParameterizedTest)\\b");
        cases.add(new Case(literal.group(1), where));
      }
    }
    return cases;
  }

  @Test
  void everyRowHasATestAndEveryTestARow() throws IOException {
    List<String> rows = rows();
    List<Case> cases = cases();
    Set<String> proven = new LinkedHashSet<>();
    cases.forEach(c -> proven.add(c.id()));

    List<String> unmatched = new ArrayList<>();
    rows.stream().filter(id -> !proven.contains(id)).forEach(id -> unmatched.add("row `" + id + "` of " + TABLE
        + " has no test: put @FaultCase(\"" + id + "\") on the test that proves it"));
    cases.stream().filter(c -> !rows.contains(c.id())).forEach(c -> unmatched.add("@FaultCase(\"" + c.id()
        + "\") at " + c.where() + " names no row of " + TABLE));
    assertThat(unmatched).as("rows and tests that do not name each other").isEmpty();
  }

  @Test
  void theTableIsWellFormed() throws IOException {
    List<String> rows = rows();
    assertThat(rows).as("rows in %s", TABLE).isNotEmpty();
    Map<String, Integer> seen = new LinkedHashMap<>();
    rows.forEach(id -> seen.merge(id, 1, Integer::sum));
    assertThat(seen).as("row ids used more than once").allSatisfy((id, n) -> assertThat(n).as(id).isOne());
    assertThat(rows).as("row ids: lower case words joined by '-'").allMatch(id -> ID.matcher(id).matches());

    List<String> lines = Files.readAllLines(TABLE);
    String header = null;
    for (String line : lines) {
      if (line.startsWith("| id |")) {
        header = line;
        assertThat(line).as("a table header of %s", TABLE).isEqualTo(HEADER);
      } else if (ROW.matcher(line).find()) {
        assertThat(header).as("%s: a row under a table header", line).isNotNull();
        assertThat(cells(line)).as("cells of row %s", line).isEqualTo(4);
      }
    }
  }

  @Test
  void theCasesAreFound() throws IOException {
    assertThat(cases()).extracting(Case::id).as("the scan finds the annotated tests")
        .contains("api-409-state", "api-watch-dropped");
  }

  private static int cells(String row) {
    String inner = row.strip();
    return inner.substring(1, inner.length() - 1).split("\\|", -1).length;
  }

  /** From the end of the member before the annotation to the method's opening brace. */
  private static String testMethodHeader(String text, int at) {
    int start = Math.max(Math.max(text.lastIndexOf(';', at), text.lastIndexOf('}', at)), text.lastIndexOf('{', at));
    int end = text.indexOf('{', at);
    return text.substring(start + 1, end < 0 ? text.length() : end);
  }

  private static int line(String text, int offset) {
    int n = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
