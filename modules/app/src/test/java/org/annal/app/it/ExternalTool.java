// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command-line tool (DCMTK, or the Annal CLI in its own JVM) run as a child process, its stdout
 * and stderr merged into a log file that stays under target/it for the post-mortem.
 */
final class ExternalTool {
  private ExternalTool() {}

  /** A finished run. */
  record Run(List<String> command, int exitCode, String output, Path log) {
    /** The command and its output, for assertion messages. */
    String describe() {
      StringBuilder line = new StringBuilder("$");
      for (String arg : command) {
        // A classpath of a hundred jars says nothing in a failure message.
        line.append(' ').append(arg.length() > 200 ? arg.substring(0, 80) + "…(" + arg.length() + " chars)" : arg);
      }
      return line + "\n(exit " + exitCode + ", log " + log + ")\n" + tail(output, 60);
    }
  }

  /** A started run; {@link #await} waits for it. */
  static final class Started {
    private final List<String> command;
    private final Process process;
    private final Path log;

    private Started(List<String> command, Process process, Path log) {
      this.command = command;
      this.process = process;
      this.log = log;
    }

    Process process() {
      return process;
    }

    Path log() {
      return log;
    }

    /** What the tool has written so far. */
    String outputSoFar() {
      return read(log);
    }

    Run await(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          // An annal CLI JVM may have started an embedded Cassandra: it must not outlive us.
          process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError(
              "did not finish within " + timeout.toSeconds() + " s: " + String.join(" ", command)
                  + "\n" + tail(read(log), 40));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new AssertionError("interrupted", e);
      }
      return new Run(command, process.exitValue(), read(log), log);
    }
  }

  /** Skips the test (only) when a DCMTK binary is not installed. */
  static void assumeInstalled(String binary) {
    boolean found = false;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, binary))) {
        found = true;
        break;
      }
    }
    assumeTrue(found, binary + " (DCMTK) is not installed");
  }

  static Started start(Path log, List<String> command) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
      // DCMTK 3.6.7 leaves Nagle on unless told: every response would wait for a delayed ACK.
      builder.environment().put("TCP_NODELAY", "1");
      builder.redirectErrorStream(true);
      builder.redirectOutput(log.toFile());
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      return new Started(List.copyOf(command), builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  static Run run(Path log, Duration timeout, List<String> command) {
    return start(log, command).await(timeout);
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  static String tail(String text, int lines) {
    String[] all = text.split("\n", -1);
    int from = Math.max(0, all.length - lines);
    StringBuilder out = new StringBuilder();
    if (from > 0) {
      out.append("... (").append(from).append(" lines before)\n");
    }
    for (int i = from; i < all.length; i++) {
      out.append(all[i]).append('\n');
    }
    return out.toString();
  }
}
