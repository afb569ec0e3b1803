// SPDX-License-Identifier: Apache-2.0
package org.annal.app;

import java.io.PrintWriter;
import org.annal.app.cli.AuditCommand;
import org.annal.app.cli.CassandraCommand;
import org.annal.app.cli.EchoCommand;
import org.annal.app.cli.FindCommand;
import org.annal.app.cli.GetCommand;
import org.annal.app.cli.HistoryCommand;
import org.annal.app.cli.MoveCommand;
import org.annal.app.cli.ReindexCommand;
import org.annal.app.cli.RunCommand;
import org.annal.app.cli.StoreCommand;
import org.annal.app.cli.VerifyCommand;
import org.annal.app.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code annal} command. Exit codes: 0 success, 1 failure (start-up failed, a C-STORE failed,
 * verify found damage), 2 usage error (picocli's convention).
 */
@Command(
    name = "annal",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Annal PACS archive node and tools.",
    subcommands = {
        RunCommand.class, StoreCommand.class, EchoCommand.class, FindCommand.class,
        MoveCommand.class, GetCommand.class, VerifyCommand.class, ReindexCommand.class,
        CassandraCommand.class, HistoryCommand.class, AuditCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // With fewer than 3 cores the JDK's common pool has parallelism 1, and CompletableFuture then
    // runs every *Async continuation on a NEW THREAD. Scala's future converters (behind every
    // Pekko ask and materialized value seen from Java) make even thenApply async: that was two
    // threads created per C-STORE. Must be set before anything touches ForkJoinPool.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  @Spec CommandSpec spec;

  /** {@code annal} alone prints its usage and fails: there is no default subcommand. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command line and returns its exit code, printing to the given writers. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      // One clear line, not a stack trace: the log (if any) has the details.
      commandLine.getErr().println("annal: " + oneLine(e));
      return 1;
    });
    return cli.execute(args);
  }

  static String oneLine(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return message.replaceAll("[\\r\\n]+", " ");
  }
}
