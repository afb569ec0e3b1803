// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.annal.app.impl.Progress;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.Dataset;
import org.annal.dicom.Uid;
import org.annal.dicom.net.MoveScu;
import org.annal.dicom.net.ProposedContext;
import org.annal.dicom.net.RetrieveProgress;
import org.annal.dicom.net.ScuAssociation;
import picocli.CommandLine;
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
    requireKeys(spec.commandLine(), query);
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
    String target = peer.calledAeTitle + "@" + peer.host + ":" + peer.port;
    RetrieveBar bar = new RetrieveBar(err, Progress.stderrIsTerminal(), System::nanoTime);
    RetrieveProgress last;
    double seconds;
    try (ToolSystem tool = new ToolSystem("annal-move")) {
      long start = System.nanoTime();
      ScuAssociation association = ScuAssociation.open(tool.system(), tool.scuSettings(),
          peer.host, peer.port, peer.callingAeTitle, peer.calledAeTitle,
          List.of(ProposedContext.of(sopClass, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
                  Uid.IMPLICIT_VR_LITTLE_ENDIAN),
              findContext(query))).toCompletableFuture().get();
      try {
        last = MoveScu.move(association, sopClass, dest, identifier, p -> {
          bar.pending(p);
          return true;
        }).toCompletableFuture().get();
      } catch (ExecutionException e) {
        association.abort();
        throw e;
      } finally {
        bar.finish();
      }
      release(association, err);
      seconds = (System.nanoTime() - start) / 1e9;
    } catch (ExecutionException e) {
      throw new IllegalStateException("C-MOVE " + target + " failed: " + RunCommand.oneLine(e),
          e);
    }
    return new RetrieveSummary("C-MOVE", dest, last, seconds, null, 0, 0, 0)
        .report(json, out, err);
  }

  /**
   * The C-FIND context of the same model, proposed alongside C-MOVE / C-GET as DCMTK's movescu
   * and getscu do: some SCPs expect it (dcmqrscp logs "Move Presentation Context but no Find").
   */
  static ProposedContext findContext(QueryModelOptions query) {
    return ProposedContext.of(query.sopClass(QueryModelOptions.Service.FIND),
        Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.IMPLICIT_VR_LITTLE_ENDIAN);
  }

  /** A-RELEASE; if that fails the retrieve is still done, so only say so. */
  static void release(ScuAssociation association, PrintWriter err) throws InterruptedException {
    try {
      association.release().toCompletableFuture().get();
    } catch (ExecutionException e) {
      association.abort();
      err.println("A-RELEASE failed: " + RunCommand.oneLine(e));
      err.flush();
    }
  }

  /** A retrieve must say what to retrieve (PS3.4 C.4.2.1.4: the unique keys of the level). */
  static void requireKeys(CommandLine commandLine, QueryModelOptions query) {
    if (query.keys.stream().noneMatch(k -> !k.isReturnKey())) {
      throw new ParameterException(commandLine, "Name what to retrieve with -k, e.g. -k "
          + switch (query.level) {
            case PATIENT -> "PatientID=12345";
            case STUDY -> "StudyInstanceUID=1.2.3";
            case SERIES -> "SeriesInstanceUID=1.2.3.4";
            case IMAGE -> "SOPInstanceUID=1.2.3.4.5";
          });
    }
  }
}
