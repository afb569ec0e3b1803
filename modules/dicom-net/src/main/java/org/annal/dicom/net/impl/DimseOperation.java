// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import org.annal.dicom.net.DimseStatus;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * One DIMSE request with a data set in progress on an acceptor (PS3.7 §9.3: command, then data
 * set fragments), mutable state owned by {@link AcceptorStage}'s logic. The response is sent once
 * the data set has ended AND the status is known. Internal API.
 */
final class DimseOperation {
  final int contextId;
  final CommandField field;
  final int messageId;
  final String sopClassUid;
  final String sopInstanceUid;
  /** Where data set fragments go: the handler's sink; null if there is none (error status). */
  GraphStageLogic.SubSourceOutlet<ByteString> dataOut;
  /** Data set bytes are dropped: the sink cancelled, decided early, or there is no sink. */
  boolean discard;
  boolean dataComplete;
  /** C-FIND / C-MOVE / C-GET: the identifier being collected, and the command it belongs to. */
  org.apache.pekko.util.ByteStringBuilder identifier;
  CommandSet command;
  DimseStatus status;

  DimseOperation(int contextId, CommandField field, int messageId, String sopClassUid,
      String sopInstanceUid) {
    this.contextId = contextId;
    this.field = field;
    this.messageId = messageId;
    this.sopClassUid = sopClassUid;
    this.sopInstanceUid = sopInstanceUid;
  }
}
