// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.annal.dicom.Dataset;
import org.annal.dicom.Uid;
import org.annal.dicom.net.impl.CommandField;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/** C-FIND SCU (PS3.4 C.4.1, PS3.7 §9.1.2), for the CLI and tests. */
public final class FindScu {
  private FindScu() {}

  /** The matches received and the final status. */
  public record Result(List<Dataset> matches, DimseStatus status) {}

  /**
   * C-FIND on an open association with an accepted context for {@code sopClassUid} (Patient or
   * Study Root FIND, {@link QueryRetrieveSopClasses}). Each Pending identifier goes to
   * {@code onMatch}; when it returns false a C-CANCEL-RQ is sent (PS3.7 §9.3.2.3) and later
   * identifiers are dropped. Completes with the final status (Success, Cancel FE00, a failure).
   */
  public static CompletionStage<DimseStatus> find(ScuAssociation association, String sopClassUid,
      Dataset identifier, Predicate<Dataset> onMatch) {
    return association.exclusive(() -> DimseMessages.sendRequest(association,
            CommandField.C_FIND_RQ, sopClassUid, identifier, rq -> rq)
        .thenCompose(sent -> next(association, sent.contextId(), sent.messageId(), onMatch,
            new boolean[1])));
  }

  private static CompletionStage<DimseStatus> next(ScuAssociation association, int contextId,
      int messageId, Predicate<Dataset> onMatch, boolean[] cancelled) {
    return association.readMessage(DimseMessages.MAX_IDENTIFIER).thenCompose(message -> {
      DimseStatus status = DimseMessages.status(association, message, CommandField.C_FIND_RSP,
          messageId);
      if (status.code() != Status.PENDING && status.code() != Status.PENDING_WARNING) {
        return CompletableFuture.completedFuture(status);
      }
      if (message.dataSet() != null && !cancelled[0]
          && !onMatch.test(DimseMessages.dataset(association, message))) {
        cancelled[0] = true;
        return DimseMessages.cancel(association, contextId, messageId)
            .thenCompose(x -> next(association, contextId, messageId, onMatch, cancelled));
      }
      return next(association, contextId, messageId, onMatch, cancelled);
    });
  }

  /**
   * Opens an association proposing {@code sopClassUid} in Explicit and Implicit VR Little Endian,
   * collects at most {@code maxMatches} matches (then cancels), releases.
   */
  public static CompletionStage<Result> find(ClassicActorSystemProvider system,
      ScuSettings settings, String host, int port, String callingAeTitle, String calledAeTitle,
      String sopClassUid, Dataset identifier, int maxMatches) {
    return ScuAssociation.open(system, settings, host, port, callingAeTitle, calledAeTitle,
            List.of(ProposedContext.of(sopClassUid, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
                Uid.IMPLICIT_VR_LITTLE_ENDIAN)))
        .thenCompose(association -> {
          List<Dataset> matches = new ArrayList<>();
          return find(association, sopClassUid, identifier, match -> {
            matches.add(match);
            return matches.size() < maxMatches;
          }).thenCompose(status -> association.release()
              .thenApply(done -> new Result(List.copyOf(matches), status)));
        });
  }
}
