// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.DatasetWriter;
import org.annal.dicom.Tag;
import org.annal.dicom.net.impl.CommandField;
import org.annal.dicom.net.impl.CommandSet;
import org.apache.pekko.Done;
import org.apache.pekko.util.ByteString;

/** What FindScu, MoveScu and GetScu share: request building and response checks (PS3.7 §9.3). */
final class DimseMessages {
  private DimseMessages() {}

  /** Identifiers and Failed SOP Instance UID Lists are small; a larger one is a peer's bug. */
  static final long MAX_IDENTIFIER = 16L * 1024 * 1024;

  static CommandSet request(CommandField field, String sopClassUid, int messageId) {
    return new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, sopClassUid)
        .putUs(CommandSet.COMMAND_FIELD, field.code)
        .putUs(CommandSet.MESSAGE_ID, messageId)
        .putUs(CommandSet.PRIORITY, 0)
        .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.DATA_SET_PRESENT);
  }

  /** Where a request went: its presentation context and Message ID (what responses refer to). */
  record Sent(int contextId, int messageId) {}

  /**
   * Sends a C-FIND/C-MOVE/C-GET-RQ with {@code identifier} on the context accepted for
   * {@code sopClassUid}, encoded in that context's transfer syntax. Call inside
   * {@link ScuAssociation#exclusive}.
   */
  static CompletionStage<Sent> sendRequest(ScuAssociation association, CommandField field,
      String sopClassUid, Dataset identifier, UnaryOperator<CommandSet> moreFields) {
    int contextId = association.contextId(sopClassUid, null);
    int messageId = association.newMessageId();
    ByteString data = ByteString.fromArrayUnsafe(
        DatasetWriter.encode(identifier, association.transferSyntaxOf(contextId)));
    CommandSet rq = moreFields.apply(request(field, sopClassUid, messageId));
    return association.send(contextId, rq, data).thenApply(done -> new Sent(contextId, messageId));
  }

  /** C-CANCEL-RQ (PS3.7 §9.3.2.3, Table 9.3-5): no data set, no response. */
  static CompletionStage<Done> cancel(ScuAssociation association, int contextId, int messageId) {
    CommandSet rq = new CommandSet().putUs(CommandSet.COMMAND_FIELD, CommandField.C_CANCEL_RQ.code)
        .putUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO, messageId)
        .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.NO_DATA_SET);
    return association.send(contextId, rq, null);
  }

  /** The status of a response to {@code messageId} of type {@code field}; else aborts. */
  static DimseStatus status(ScuAssociation association, ScuAssociation.Message message,
      CommandField field, int messageId) {
    CommandSet rsp = message.command();
    Integer status = rsp.getUs(CommandSet.STATUS);
    Integer respondedTo = rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO);
    if (rsp.commandField() != field || status == null || respondedTo == null
        || respondedTo != messageId) {
      association.abort();
      throw new ScuAssociation.AssociationAbortedException("unexpected " + rsp.commandField()
          + " to message " + respondedTo + ", expected " + field + " to " + messageId);
    }
    return DimseStatus.of(status, rsp.getString(CommandSet.ERROR_COMMENT));
  }

  static Dataset dataset(ScuAssociation association, ScuAssociation.Message message) {
    try {
      return DatasetReader.read(message.dataSet().toArray(),
          association.transferSyntaxOf(message.contextId()));
    } catch (IOException | RuntimeException e) {
      association.abort();
      throw new ScuAssociation.AssociationAbortedException("undecodable data set: " + e);
    }
  }

  static RetrieveProgress progress(ScuAssociation association, ScuAssociation.Message message,
      DimseStatus status) {
    CommandSet rsp = message.command();
    List<String> failed = List.of();
    if (message.dataSet() != null) {
      String[] uids = dataset(association, message).getStrings(Tag.FailedSOPInstanceUIDList);
      failed = uids == null ? List.of() : Arrays.asList(uids);
    }
    return new RetrieveProgress(status, rsp.getUs(CommandSet.NUMBER_OF_REMAINING_SUBOPERATIONS),
        rsp.getUs(CommandSet.NUMBER_OF_COMPLETED_SUBOPERATIONS),
        rsp.getUs(CommandSet.NUMBER_OF_FAILED_SUBOPERATIONS),
        rsp.getUs(CommandSet.NUMBER_OF_WARNING_SUBOPERATIONS), failed);
  }
}
