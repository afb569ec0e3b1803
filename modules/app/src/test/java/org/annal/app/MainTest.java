// SPDX-License-Identifier: Apache-2.0
package org.annal.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

  /** Exit code, stdout and stderr of one command line. */
  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEverySubcommand() {
    Run r = run("--help");
    assertEquals(0, r.exitCode());
    for (String sub : List.of("run", "store", "echo", "verify")) {
      assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(sub + " ") || l.strip().equals(sub)),
          sub + " missing from:\n" + r.out());
    }
  }

  @Test
  void everySubcommandHasHelpListingItsOptions() {
    assertHelp("run", "--data-dir", "--dicom-port", "--http-port", "--ae-title", "--cluster-port",
        "--cassandra", "--config");
    assertHelp("store", "--host", "--port", "--aec", "--aet", "--associations", "FILE_OR_DIR");
    assertHelp("echo", "--host", "--port", "--aec", "--aet");
    assertHelp("verify", "--data-dir", "--cassandra");
  }

  private static void assertHelp(String sub, String... options) {
    Run r = run(sub, "--help");
    assertEquals(0, r.exitCode(), r.err());
    for (String option : options) {
      assertTrue(r.out().contains(option), sub + " --help lacks " + option + ":\n" + r.out());
    }
  }

  @Test
  void versionPrintsTheName() {
    Run r = run("--version");
    assertEquals(0, r.exitCode());
    assertTrue(r.out().startsWith("annal "), r.out());
  }

  @Test
  void noSubcommandIsAUsageError() {
    Run r = run();
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("Missing required subcommand"), r.err());
  }

  @Test
  void unknownFlagIsAUsageErrorWithMessage() {
    Run r = run("run", "--no-such-flag");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("Unknown option: '--no-such-flag'"), r.err());
    assertTrue(r.err().contains("Usage: annal run"), r.err());
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    Run r = run("frobnicate");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("frobnicate"), r.err());
  }

  @Test
  void badValuesAreUsageErrors() {
    assertUsageError(List.of("run", "--dicom-port", "eleven"), "--dicom-port");
    assertUsageError(List.of("run", "--cassandra", "localhost"), "HOST:PORT");
    assertUsageError(List.of("run", "--cassandra", "localhost:99999"), "port out of range");
    assertUsageError(List.of("verify", "--cassandra", "host:"), "HOST:PORT");
    assertUsageError(List.of("store"), "FILE_OR_DIR");
    assertUsageError(List.of("store", "--associations", "x", "a.dcm"), "--associations");
    assertUsageError(List.of("store", "--associations", "0", "a.dcm"), "--associations");
    assertUsageError(List.of("echo", "--aec", "THIS_IS_MORE_THAN_16"), "--aec");
    assertUsageError(List.of("echo", "--aet", "A\\B"), "--aet");
    assertUsageError(List.of("echo", "--port", "0"), "--port");
  }

  private static void assertUsageError(List<String> args, String mentioned) {
    Run r = run(args.toArray(String[]::new));
    assertEquals(2, r.exitCode(), args + " -> " + r.err());
    assertTrue(r.err().contains(mentioned), args + " -> " + r.err());
  }
}
