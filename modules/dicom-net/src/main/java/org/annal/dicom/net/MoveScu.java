// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.annal.dicom.Dataset;
import org.annal.dicom.Uid;
import org.annal.dicom.net.impl.CommandField;
import org.annal.dicom.net.impl.CommandSet;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/** C-MOVE SCU (PS3.4 C.4.2, PS3.7 §9.1.4), for the CLI and tests. */
public final class MoveScu {
  private MoveScu() {}

  /**
   * C-MOVE on an open association with an accepted context for {@code sopClassUid} (Patient or
   * Study Root MOVE). Each Pending response goes to {@code onPending}; when it returns false a
   * C-CANCEL-RQ is sent. Completes with the final response.
   */
  public static CompletionStage<RetrieveProgress> move(ScuAssociation association,
      String sopClassUid, String moveDestination, Dataset identifier,
      Predicate<RetrieveProgress> onPending) {
    return association.exclusive(() -> DimseMessages.sendRequest(association,
            CommandField.C_MOVE_RQ, sopClassUid, identifier,
            rq -> rq.putString(CommandSet.MOVE_DESTINATION, moveDestination))
        .thenCompose(sent -> next(association, sent.contextId(), sent.messageId(), onPending,
            new boolean[1])));
  }

  private static CompletionStage<RetrieveProgress> next(ScuAssociation association,
      int contextId, int messageId, Predicate<RetrieveProgress> onPending, boolean[] cancelled) {
    return association.readMessage(DimseMessages.MAX_IDENTIFIER).thenCompose(message -> {
      DimseStatus status = DimseMessages.status(association, message, CommandField.C_MOVE_RSP,
          messageId);
      RetrieveProgress progress = DimseMessages.progress(association, message, status);
      if (!progress.isPending()) {
        return CompletableFuture.completedFuture(progress);
      }
      if (!cancelled[0] && !onPending.test(progress)) {
        cancelled[0] = true;
        return DimseMessages.cancel(association, contextId, messageId)
            .thenCompose(x -> next(association, contextId, messageId, onPending, cancelled));
      }
      return next(association, contextId, messageId, onPending, cancelled);
    });
  }

  /** Opens an association, moves, releases; completes with the final response. */
  public static CompletionStage<RetrieveProgress> move(ClassicActorSystemProvider system,
      ScuSettings settings, String host, int port, String callingAeTitle, String calledAeTitle,
      String sopClassUid, String moveDestination, Dataset identifier) {
    return ScuAssociation.open(system, settings, host, port, callingAeTitle, calledAeTitle,
            List.of(ProposedContext.of(sopClassUid, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
                Uid.IMPLICIT_VR_LITTLE_ENDIAN)))
        .thenCompose(association -> move(association, sopClassUid, moveDestination, identifier,
                p -> true)
            .thenCompose(last -> association.release().thenApply(done -> last)));
  }
}
