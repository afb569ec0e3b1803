// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.annal.app.impl.Progress;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.Dataset;
import org.annal.dicom.net.MoveScu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code annal move}: C-MOVE (Query/Retrieve Service Class, PS3.4 C.4.2; PS3.7 §9.1.4). The SCP
 * sends the selected instances to the Move Destination, an AE title it must know (its own
 * configuration maps titles to host and port); we only watch the Pending responses.
 */
@Command(name = "move", mixinStandardHelpOptions = true,
    description = {"Ask a Q/R SCP to send instances to another AE with C-MOVE.",
        "Exit 0 if every sub-operation completed (warnings allowed), 1 otherwise."})
public final class MoveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DicomPeerOptions peer;
  @Mixin QueryModelOptions query;

  @Option(names = "--dest", paramLabel = "AE", required = true,
      description = "Move Destination AE title (known to the SCP).")
  String destination;

  @Option(names = "--json", description = "Print the summary as a JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    peer.validate(spec.commandLine());
    query.validate(spec.commandLine());
    RetrieveAssociation.requireKeys(spec.commandLine(), query);
    String dest = destination.strip();
    if (dest.isEmpty() || dest.length() > 16 || dest.contains("\\")
        || !dest.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--dest': '"
          + destination + "' is not an AE title (1-16 characters, no backslash)");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Dataset identifier = QueryModelOptions.identifier(query.level, query.keys);
    String sopClass = query.sopClass(QueryModelOptions.Service.MOVE);
    RetrieveBar bar = new RetrieveBar(err, Progress.stderrIsTerminal(), System::nanoTime);
    RetrieveAssociation.Outcome outcome;
    try (ToolSystem tool = new ToolSystem("annal-move")) {
      outcome = RetrieveAssociation.run(tool, "C-MOVE", peer, query, sopClass, List.of(),
          List.of(), bar, err, (association, onPending) ->
              MoveScu.move(association, sopClass, dest, identifier, onPending));
    }
    return new RetrieveSummary("C-MOVE", dest, outcome.last(), outcome.seconds(), null, 0, 0, 0)
        .report(json, out, err);
  }
}
