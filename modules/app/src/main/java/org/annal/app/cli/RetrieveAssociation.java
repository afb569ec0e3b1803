// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.annal.app.impl.ToolSystem;
import org.annal.dicom.Uid;
import org.annal.dicom.net.ProposedContext;
import org.annal.dicom.net.RetrieveProgress;
import org.annal.dicom.net.ScuAssociation;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The association around a retrieve, as {@code annal move} and {@code annal get} run it: open it,
 * send the C-MOVE-RQ or C-GET-RQ with the progress bar watching the Pending responses, abort if
 * the retrieve fails, release once it has its final response.
 */
final class RetrieveAssociation {
  /** The final response, and the seconds from opening the association to releasing it. */
  record Outcome(RetrieveProgress last, double seconds) {}

  /** Sends the request on the open association; each Pending response goes to onPending. */
  @FunctionalInterface
  interface Request {
    CompletionStage<RetrieveProgress> send(ScuAssociation association,
        Predicate<RetrieveProgress> onPending);
  }

  private RetrieveAssociation() {}

  /**
   * Runs {@code request} (a {@code service}, e.g. "C-MOVE", of SOP class {@code sopClass}) on a
   * new association to {@code peer} that proposes {@code sopClass}, the C-FIND context of the same
   * model and {@code moreContexts}, with the SCP role for {@code scpRoleFor} (PS3.7 D.3.3.4).
   *
   * @throws IllegalStateException if the association or the retrieve fails
   */
  static Outcome run(ToolSystem tool, String service, DicomPeerOptions peer,
      QueryModelOptions query, String sopClass, List<ProposedContext> moreContexts,
      List<String> scpRoleFor, RetrieveBar bar, PrintWriter err, Request request)
      throws InterruptedException {
    try {
      long start = System.nanoTime();
      List<ProposedContext> contexts = new ArrayList<>();
      contexts.add(ProposedContext.of(sopClass, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
          Uid.IMPLICIT_VR_LITTLE_ENDIAN));
      contexts.add(findContext(query));
      contexts.addAll(moreContexts);
      ScuAssociation association = ScuAssociation.open(tool.system(), tool.scuSettings(),
          peer.host, peer.port, peer.callingAeTitle, peer.calledAeTitle, contexts, scpRoleFor)
          .toCompletableFuture().get();
      RetrieveProgress last;
      try {
        last = request.send(association, p -> {
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
      return new Outcome(last, (System.nanoTime() - start) / 1e9);
    } catch (ExecutionException e) {
      throw new IllegalStateException(service + " " + peer.target() + " failed: "
          + RunCommand.oneLine(e), e);
    }
  }

  /**
   * The C-FIND context of the same model, proposed alongside C-MOVE / C-GET as DCMTK's movescu
   * and getscu do: some SCPs expect it (dcmqrscp logs "Move Presentation Context but no Find").
   */
  private static ProposedContext findContext(QueryModelOptions query) {
    return ProposedContext.of(query.sopClass(QueryModelOptions.Service.FIND),
        Uid.EXPLICIT_VR_LITTLE_ENDIAN, Uid.IMPLICIT_VR_LITTLE_ENDIAN);
  }

  /** A-RELEASE; if that fails the retrieve is still done, so only say so. */
  private static void release(ScuAssociation association, PrintWriter err)
      throws InterruptedException {
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
