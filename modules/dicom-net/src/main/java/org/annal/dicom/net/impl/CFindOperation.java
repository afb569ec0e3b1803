// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetWriter;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CFindHandler;
import org.annal.dicom.net.CFindRq;
import org.annal.dicom.net.DimseException;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.Status;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * C-FIND SCP (PS3.4 C.4.1.2, PS3.7 §9.1.2): one C-FIND-RSP Pending (FF00) with an identifier per
 * element of the handler's source, then Success; Cancel (FE00) after a C-CANCEL-RQ (PS3.4
 * C.4.1.2.3); a failed source ends with the {@link DimseException}'s status or A700 (Table C.4-1).
 * Internal API.
 */
final class CFindOperation implements ServiceOperation {
  private final CFindHandler handler;
  private final AssociationInfo association;
  private final CFindRq request;
  private final Dataset identifier;
  private final int contextId;
  private final int maxValueLength;
  private final SharedKillSwitch killSwitch;
  /** The Pending C-FIND-RSP command set, the same for every match: encoded once. */
  private final ByteString pendingCommand;
  private volatile boolean cancelled;

  CFindOperation(CFindHandler handler, AssociationInfo association, CFindRq request,
      Dataset identifier, int contextId, int maxValueLength) {
    this.handler = handler;
    this.association = association;
    this.request = request;
    this.identifier = identifier;
    this.contextId = contextId;
    this.maxValueLength = maxValueLength;
    this.killSwitch = KillSwitches.shared("c-find-" + request.messageId());
    this.pendingCommand = DimseResponses.response(CommandField.C_FIND_RSP, request.messageId(),
        request.affectedSopClassUid(), DimseStatus.of(Status.PENDING, null), true, null).encode();
  }

  @Override
  public int messageId() {
    return request.messageId();
  }

  @Override
  public Source<PDataTf, NotUsed> pdus() {
    Source<Dataset, NotUsed> matches;
    try {
      matches = handler.onCFind(association, request, identifier);
    } catch (RuntimeException e) {
      matches = Source.failed(e);
    }
    // A failure becomes the final response (recover); otherwise the final status is decided
    // when the matches end (statefulMap's onComplete), so that a C-CANCEL-RQ received meanwhile
    // makes it Cancel.
    return matches.via(killSwitch.flow())
        .map(match -> new Responses(pending(match), false))
        .recover(new PFBuilder<Throwable, Responses>()
            .match(Throwable.class, e -> {
              // A handler's future wraps its DimseException (CompletionException): unwrap it.
              Throwable cause = RetrieveOperation.unwrap(e);
              return new Responses(last(cause instanceof DimseException d ? d.status()
                  : DimseStatus.of(Status.OUT_OF_RESOURCES, "query failed: " + cause.getMessage())),
                  true);
            })
            .build())
        .statefulMap(() -> new boolean[1], (ended, responses) -> {
          ended[0] = responses.isFinal();
          return Pair.create(ended, responses);
        }, ended -> ended[0] ? java.util.Optional.empty() : java.util.Optional.of(
            new Responses(last(cancelled ? DimseStatus.of(Status.CANCEL, "cancelled")
                : DimseStatus.SUCCESS), true)))
        .mapConcat(Responses::pdus);
  }

  private record Responses(List<PDataTf> pdus, boolean isFinal) {}

  private List<PDataTf> pending(Dataset match) {
    ByteString data = ByteString.fromArrayUnsafe(
        DatasetWriter.encode(match, request.transferSyntaxUid()));
    return DimseResponses.pdus(contextId, pendingCommand, data, maxValueLength);
  }

  private List<PDataTf> last(DimseStatus status) {
    CommandSet rsp = DimseResponses.response(CommandField.C_FIND_RSP, request.messageId(),
        request.affectedSopClassUid(), status, false, null);
    return DimseResponses.pdus(contextId, rsp, null, maxValueLength);
  }

  @Override
  public void cancel() {
    cancelled = true;
    killSwitch.shutdown();
  }

  @Override
  public void associationEnded() {
    cancelled = true;
    killSwitch.shutdown();
  }
}
