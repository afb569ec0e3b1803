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
import org.annal.dicom.net.impl.CommandSet;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.stream.javadsl.Source;

/**
 * C-GET SCU (PS3.4 C.4.3, PS3.7 §9.1.3), for the CLI and tests: the instances arrive as C-STORE
 * sub-operations on the same association, for which we proposed the SCP role (PS3.7 D.3.3.4), and
 * go to a {@link CStoreHandler}. Each data set is held in memory before it is handed over (at
 * most {@link #MAX_INSTANCE} bytes).
 */
public final class GetScu {
  private GetScu() {}

  /** Largest instance accepted from the C-GET SCP. */
  public static final long MAX_INSTANCE = 1L << 30;

  /**
   * C-GET on an open association (opened with the SCP role for the storage SOP classes expected).
   * Each Pending response goes to {@code onPending}; when it returns false a C-CANCEL-RQ is sent.
   * Completes with the final response.
   */
  public static CompletionStage<RetrieveProgress> get(ScuAssociation association,
      String sopClassUid, Dataset identifier, CStoreHandler storeHandler,
      Predicate<RetrieveProgress> onPending) {
    return association.exclusive(() -> DimseMessages.sendRequest(association,
            CommandField.C_GET_RQ, sopClassUid, identifier, rq -> rq)
        .thenCompose(sent -> next(association, sent.contextId(), sent.messageId(), storeHandler,
            onPending, new boolean[1])));
  }

  private static CompletionStage<RetrieveProgress> next(ScuAssociation association,
      int contextId, int messageId, CStoreHandler storeHandler,
      Predicate<RetrieveProgress> onPending, boolean[] cancelled) {
    return association.readMessage(MAX_INSTANCE).thenCompose(message -> {
      if (message.command().commandField() == CommandField.C_STORE_RQ) {
        return store(association, message, storeHandler).thenCompose(x ->
            next(association, contextId, messageId, storeHandler, onPending, cancelled));
      }
      DimseStatus status = DimseMessages.status(association, message, CommandField.C_GET_RSP,
          messageId);
      RetrieveProgress progress = DimseMessages.progress(association, message, status);
      if (!progress.isPending()) {
        return CompletableFuture.completedFuture(progress);
      }
      if (!cancelled[0] && !onPending.test(progress)) {
        cancelled[0] = true;
        return DimseMessages.cancel(association, contextId, messageId).thenCompose(x ->
            next(association, contextId, messageId, storeHandler, onPending, cancelled));
      }
      return next(association, contextId, messageId, storeHandler, onPending, cancelled);
    });
  }

  /** One C-STORE sub-operation: the handler's status, A700 if it fails (PS3.4 B.2.3). */
  private static CompletionStage<?> store(ScuAssociation association,
      ScuAssociation.Message message, CStoreHandler storeHandler) {
    CommandSet cmd = message.command();
    Integer id = cmd.getUs(CommandSet.MESSAGE_ID);
    String sopClass = cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID);
    String sopInstance = cmd.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID);
    Integer priority = cmd.getUs(CommandSet.PRIORITY);
    CompletionStage<DimseStatus> status;
    if (id == null || message.dataSet() == null) {
      association.abort();
      throw new ScuAssociation.AssociationAbortedException("C-STORE-RQ without "
          + (id == null ? "Message ID" : "data set"));
    }
    try {
      status = Source.single(message.dataSet()).runWith(storeHandler.onCStore(association.info(),
          new CStoreRq(id, sopClass, sopInstance, priority == null ? 0 : priority, null, null),
          association.transferSyntaxOf(message.contextId())), association.materializer());
    } catch (RuntimeException e) {
      status = CompletableFuture.failedFuture(e);
    }
    return status.handle((s, e) -> s != null && e == null ? s
            : DimseStatus.of(Status.OUT_OF_RESOURCES, e == null ? "no status" : e.getMessage()))
        .thenCompose(s -> association.send(message.contextId(),
            CommandSet.response(CommandField.C_STORE_RSP, id, sopClass, sopInstance, s), null));
  }

  /**
   * Opens an association proposing {@code sopClassUid} and {@code storageContexts} (with the SCP
   * role for their SOP classes), gets, releases; completes with the final response.
   */
  public static CompletionStage<RetrieveProgress> get(ClassicActorSystemProvider system,
      ScuSettings settings, String host, int port, String callingAeTitle, String calledAeTitle,
      String sopClassUid, Dataset identifier, List<ProposedContext> storageContexts,
      CStoreHandler storeHandler) {
    List<ProposedContext> contexts = new ArrayList<>();
    contexts.add(ProposedContext.of(sopClassUid, Uid.EXPLICIT_VR_LITTLE_ENDIAN,
        Uid.IMPLICIT_VR_LITTLE_ENDIAN));
    contexts.addAll(storageContexts);
    List<String> scpRole = storageContexts.stream().map(ProposedContext::abstractSyntax).toList();
    return ScuAssociation.open(system, settings, host, port, callingAeTitle, calledAeTitle,
            contexts, scpRole)
        .thenCompose(association -> get(association, sopClassUid, identifier, storeHandler,
                p -> true)
            .thenCompose(last -> association.release().thenApply(done -> last)));
  }
}
