// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.annal.dicom.net.impl.AssociationState.*;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.annal.dicom.Uid;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DicomServerSettings;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.Status;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.OutHandler;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The association acceptor: the PS3.8 §9.2 state machine (states Sta2..Sta13 of an acceptor, driven
 * by {@link StateTable}) with the DIMSE service provider of PS3.7 on top (C-ECHO SCP, C-STORE SCP).
 *
 * <pre>
 *                  ┌────────────────────── AcceptorStage ──────────────────────┐
 *   Pdu in  ──────▶│ state machine ─▶ P-DATA reassembly ─▶ command set decode  │
 *                  │                                        │ C-STORE-RQ        │
 *                  │            data PDVs ──▶ SubSourceOutlet ──▶ handler Sink   │
 *                  │                           (pulled only on sink demand)    │
 *   Pdu out ◀──────│ AC/RJ/RP/ABORT, C-*-RSP ◀── sink's CompletionStage status │
 *                  └───────────────────────────────────────────────────────────┘
 * </pre>
 *
 * <p>Backpressure: the inlet is pulled only when every PDV of the previous PDU has been handed on,
 * and a data PDV is handed on only when the handler's sink has signalled demand; so the socket is
 * not read faster than the sink consumes, and memory is one PDU (capped by the framing stage) plus
 * what the sink itself buffers. DIMSE operations are processed one at a time (Asynchronous
 * Operations Window 1/1): after the last data fragment of a C-STORE the inlet is not pulled until its
 * C-STORE-RSP is sent. Internal API.
 */
public final class AcceptorStage extends GraphStage<FlowShape<Pdu, Pdu>> {
  private static final Logger log = LoggerFactory.getLogger(AcceptorStage.class);
  private static final String ARTIM = "artim";
  private static final String IDLE = "idle";
  /**
   * Responses waiting for the socket beyond which no more requests are read: a peer that sends
   * C-ECHO-RQs without reading the C-ECHO-RSPs must not grow our memory.
   */
  static final int MAX_PENDING_OUT = 8;

  private final DicomServerSettings settings;
  private final CStoreHandler storeHandler;
  private final String associationId;
  private final InetSocketAddress peer;
  private final BooleanSupplier overLimit;
  private final ServiceOperations services;
  private final Inlet<Pdu> in = Inlet.create("Acceptor.in");
  private final Outlet<Pdu> out = Outlet.create("Acceptor.out");
  private final FlowShape<Pdu, Pdu> shape = FlowShape.of(in, out);

  public AcceptorStage(DicomServerSettings settings, CStoreHandler storeHandler,
      String associationId, InetSocketAddress peer, BooleanSupplier overLimit) {
    this(settings, storeHandler, new ServiceOperations(null, null), associationId, peer,
        overLimit);
  }

  /** With the Query/Retrieve services (C-FIND, C-MOVE, C-GET SCP) of {@code services}. */
  public AcceptorStage(DicomServerSettings settings, CStoreHandler storeHandler,
      ServiceOperations services, String associationId, InetSocketAddress peer,
      BooleanSupplier overLimit) {
    this.services = services;
    this.settings = settings;
    this.storeHandler = storeHandler;
    this.associationId = associationId;
    this.peer = peer;
    this.overLimit = overLimit;
  }

  @Override
  public FlowShape<Pdu, Pdu> shape() {
    return shape;
  }

  private record StatusResult(DimseOperation operation, DimseStatus status, Throwable failure) {}

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic {
    private AssociationState state = Sta1;
    private final ArrayDeque<Pdu> outQueue = new ArrayDeque<>();
    private boolean closeAfterFlush;
    private final ArrayDeque<PresentationDataValue> pdvs = new ArrayDeque<>();
    private Map<Integer, String> transferSyntaxes = Map.of();
    private Map<Integer, String> abstractSyntaxes = Map.of();
    private AssociationInfo info;
    private String callingAeTitle = "?";
    private int peerMaxValueLength;
    private ByteStringBuilder command;
    private int commandContextId = -1;
    private DimseOperation operation;
    private boolean awaitingResponse;
    private final AsyncCallback<StatusResult> statusCallback;
    /** The C-FIND / C-MOVE / C-GET in progress, whose PDUs we send while still reading. */
    private ServiceOperation running;
    private SubSinkInlet<PDataTf> runningOut;
    private java.util.List<RetrieveOperation.StorageContext> getContexts = java.util.List.of();

    Logic() {
      super(shape);
      statusCallback = createAsyncCallback(this::onStatus);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          cancelTimer(IDLE);
          onPdu(grab(in));
        }

        @Override
        public void onUpstreamFinish() {
          onTransportClosed(null);
        }

        @Override
        public void onUpstreamFailure(Throwable ex) {
          onTransportClosed(ex);
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          Pdu next = outQueue.poll();
          if (next != null) {
            push(out, next);
          }
          if (outQueue.isEmpty() && closeAfterFlush) {
            completeStage();
          } else if (next != null && state == Sta6 && outQueue.size() == MAX_PENDING_OUT - 1) {
            processPdvs(); // the queue just dropped below the bound: resume reading requests
          }
          pullRunning();
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          endOperation("transport closed for writing");
          completeStage();
        }
      });
    }

    @Override
    public void preStart() {
      // Evt5 in Sta1 → AE-5: transport connection accepted, start ARTIM, await A-ASSOCIATE-RQ.
      transition(AssociationEvent.Evt5);
      scheduleOnce(ARTIM, settings.artimTimeout());
      pullIn();
    }

    // ------------------------------------------------------------ state machine

    private AssociationAction transition(AssociationEvent event) {
      AssociationAction action = StateTable.action(state, event);
      if (action != null && action.next != null) {
        state = action.next;
      }
      return action;
    }

    private void onPdu(Pdu pdu) {
      AssociationEvent event = AssociationEvent.received(pdu);
      AssociationAction action = transition(event);
      if (action == null) {
        abortAfterProtocolError(AAbort.REASON_UNEXPECTED_PDU, "no transition for " + event
            + " in " + state);
        return;
      }
      switch (action) {
        case AE_6 -> onAssociateRq((AAssociateRq) pdu);
        case DT_2 -> {
          pdvs.addAll(((PDataTf) pdu).values());
          processPdvs();
        }
        case AR_2 -> onReleaseRq();
        case AA_1, AA_8, AA_7 -> {
          int reason = pdu instanceof MalformedPdu m ? m.reason() : AAbort.REASON_UNEXPECTED_PDU;
          String what = pdu instanceof MalformedPdu m ? m.message()
              : pdu.getClass().getSimpleName() + " unexpected";
          sendAbort(AAbort.provider(reason), what);
        }
        case AA_2 -> close(null);
        case AA_3 -> {
          AAbort abort = (AAbort) pdu;
          endOperation("peer aborted the association");
          close("peer sent A-ABORT source " + abort.source() + " reason " + abort.reason());
        }
        case AA_6 -> pullIn();
        default -> abortAfterProtocolError(AAbort.REASON_UNEXPECTED_PDU,
            "unexpected action " + action + " for " + event);
      }
    }

    private void onAssociateRq(AAssociateRq rq) {
      cancelTimer(ARTIM);
      callingAeTitle = rq.callingAeTitle();
      AssociationNegotiation.Outcome outcome = AssociationNegotiation.negotiate(settings, rq,
          peer.getAddress(), overLimit.getAsBoolean(), services.sopClasses(),
          services.servesGet());
      if (outcome.reject() != null
          && outcome.reject().source() == AAssociateRj.SOURCE_SERVICE_PROVIDER_ACSE) {
        // AE-6, "not acceptable by the service-provider": send RJ, start ARTIM → Sta13
        state = Sta13;
      } else {
        state = Sta3; // AE-6: A-ASSOCIATE indication to the local user, who answers at once
        transition(outcome.reject() == null ? AssociationEvent.Evt7 : AssociationEvent.Evt8);
      }
      if (outcome.reject() != null) {
        AAssociateRj rj = outcome.reject();
        log.info("assoc={} calling={} from={} rejected {}/{}/{}: {}", associationId,
            callingAeTitle, peer, rj.result(), rj.source(), rj.reason(), outcome.reason());
        send(rj);
        scheduleOnce(ARTIM, settings.artimTimeout());
        pullIn();
        return;
      }
      transferSyntaxes = outcome.acceptedTransferSyntaxes();
      abstractSyntaxes = outcome.acceptedAbstractSyntaxes();
      getContexts = ServiceOperations.getContexts(outcome.accept(), abstractSyntaxes,
          transferSyntaxes);
      peerMaxValueLength = PDataFragmenter.maxValueLength(rq.userInformation().maximumLength(),
          settings.maxPduLength());
      info = new AssociationInfo(associationId, rq.callingAeTitle(), rq.calledAeTitle(), peer,
          Instant.now());
      send(outcome.accept()); // AE-7 → Sta6
      log.debug("assoc={} calling={} from={} accepted, {} of {} presentation contexts",
          associationId, callingAeTitle, peer, transferSyntaxes.size(),
          rq.presentationContexts().size());
      pullIn();
    }

    private void onReleaseRq() {
      // AR-2 → Sta8; we answer at once (Evt14 → AR-4: send A-RELEASE-RP, start ARTIM → Sta13).
      if (operation != null || command != null) {
        log.warn("assoc={} calling={} sop={} released in the middle of a DIMSE message",
            associationId, callingAeTitle, operation == null ? "-" : operation.sopInstanceUid);
        endOperation("association released before the data set ended");
      } else if (running != null) {
        // A C-FIND/MOVE/GET still winding down (its final response may already be out: a
        // retrieve closes its sub-association after it); peers release as soon as they read it.
        log.info("assoc={} calling={} released while a query/retrieve operation was finishing",
            associationId, callingAeTitle);
        endOperation("association released");
      }
      transition(AssociationEvent.Evt14);
      send(new AReleaseRp());
      scheduleOnce(ARTIM, settings.artimTimeout());
      pullIn();
    }

    private void onTransportClosed(Throwable failure) {
      // Evt17: Sta2 AA-5, Sta13 AR-5 (normal), elsewhere AA-4 (A-P-ABORT indication).
      AssociationAction action = transition(AssociationEvent.Evt17);
      if (action == AssociationAction.AA_4) {
        String sop = operation == null ? "-" : operation.sopInstanceUid;
        endOperation("transport closed without release");
        log.info("assoc={} calling={} sop={} from={} connection closed without release{}",
            associationId, callingAeTitle, sop, peer, failure == null ? "" : ": " + failure);
      }
      completeStage();
    }

    @Override
    public void onTimer(Object key) {
      if (ARTIM.equals(key)) {
        // Evt18: Sta2 / Sta13 → AA-2, close the transport connection.
        AssociationState before = state;
        AssociationAction action = transition(AssociationEvent.Evt18);
        if (action != null) {
          if (before == Sta2) {
            log.info("assoc={} from={} ARTIM expired, closing", associationId, peer);
          }
          close(null);
        }
      } else if (IDLE.equals(key) && state == Sta6 && !awaitingResponse && running == null) {
        // Local user gives up on a silent peer: Evt15 → AA-1.
        transition(AssociationEvent.Evt15);
        sendAbort(AAbort.user(), "idle for " + settings.idleTimeout());
      }
    }

    // ------------------------------------------------------------ P-DATA and DIMSE

    private void processPdvs() {
      while (!pdvs.isEmpty() && !awaitingResponse && state == Sta6
          && outQueue.size() < MAX_PENDING_OUT) {
        PresentationDataValue pdv = pdvs.peek();
        int contextId = pdv.presentationContextId();
        if (!transferSyntaxes.containsKey(contextId)) {
          abortAfterProtocolError(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE,
              "PDV on presentation context " + contextId + " which was not accepted");
          return;
        }
        if (pdv.isCommand()) {
          if (operation != null) {
            abortAfterProtocolError(AAbort.REASON_UNEXPECTED_PDU_PARAMETER,
                "command fragment before the data set of message " + operation.messageId
                    + " ended");
            return;
          }
          if (command != null && commandContextId != contextId) {
            abortAfterProtocolError(AAbort.REASON_UNEXPECTED_PDU_PARAMETER,
                "command fragments on two presentation contexts");
            return;
          }
          if (command == null) {
            command = new ByteStringBuilder();
            commandContextId = contextId;
          }
          if (command.length() + pdv.value().size() > CommandSet.MAX_ENCODED_LENGTH) {
            abortAfterProtocolError(AAbort.REASON_INVALID_PDU_PARAMETER_VALUE,
                "command set longer than " + CommandSet.MAX_ENCODED_LENGTH + " bytes");
            return;
          }
          command.append(pdv.value());
          pdvs.poll();
          if (pdv.isLast()) {
            ByteString bytes = command.result();
            command = null;
            commandContextId = -1;
            if (!onCommand(contextId, bytes)) {
              return;
            }
          }
        } else {
          if (operation == null || operation.contextId != contextId) {
            abortAfterProtocolError(AAbort.REASON_UNEXPECTED_PDU_PARAMETER,
                "data set fragment on context " + contextId + " without a command expecting it");
            return;
          }
          if (operation.identifier != null) {
            if (!collectIdentifier(pdv)) {
              return;
            }
            continue;
          }
          boolean deliver = !operation.discard && !pdv.value().isEmpty();
          if (deliver && !operation.dataOut.isAvailable()) {
            return; // wait for the handler's sink to ask for more (SubSourceOutlet onPull)
          }
          pdvs.poll();
          if (deliver) {
            operation.dataOut.push(pdv.value());
          }
          if (pdv.isLast()) {
            operation.dataComplete = true;
            if (operation.dataOut != null && !operation.dataOut.isClosed()) {
              operation.dataOut.complete();
            }
            awaitingResponse = true;
            maybeRespond();
          }
        }
      }
      if (pdvs.isEmpty() && !awaitingResponse && state == Sta6
          && outQueue.size() < MAX_PENDING_OUT) {
        pullIn();
      }
    }

    /** Returns false if the association was aborted. */
    private boolean onCommand(int contextId, ByteString bytes) {
      CommandSet cmd;
      try {
        cmd = CommandSet.decode(bytes);
      } catch (IllegalArgumentException e) {
        abortAfterDimseError("undecodable command set: " + e.getMessage());
        return false;
      }
      CommandField field = cmd.commandField();
      Integer messageId = cmd.getUs(CommandSet.MESSAGE_ID);
      if (field != null && running != null) {
        return onCommandWhileRunning(field, cmd);
      }
      if (field == CommandField.C_CANCEL_RQ) {
        return true; // PS3.7 §9.3.2.3: no response; nothing of ours left to cancel
      }
      if (field == null || messageId == null) {
        // PS3.7 §9.2 / §10.2: a DIMSE message that cannot be parsed is a protocol error.
        abortAfterDimseError("command without a recognized Command Field or Message ID: " + cmd);
        return false;
      }
      if (!field.isRequest()) {
        abortAfterDimseError(field + " received, but we issued no request");
        return false;
      }
      if (services.serves(field, abstractSyntaxes.get(contextId)) && cmd.hasDataSet()) {
        // C-FIND / C-MOVE / C-GET: the identifier follows (PS3.7 §9.3.2.1, §9.3.3.1, §9.3.4.1)
        DimseOperation op = new DimseOperation(contextId, field, messageId,
            cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID), null);
        op.identifier = new ByteStringBuilder();
        op.command = cmd;
        operation = op;
        return true;
      }
      switch (field) {
        case C_ECHO_RQ -> {
          if (cmd.hasDataSet()) {
            startDiscarding(contextId, field, messageId, cmd,
                DimseStatus.of(Status.MISTYPED_ARGUMENT, "C-ECHO-RQ with a data set"));
          } else {
            String sopClass = cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID);
            sendResponse(contextId, CommandField.C_ECHO_RSP, messageId,
                sopClass == null ? Uid.VERIFICATION : sopClass, null, DimseStatus.SUCCESS);
          }
        }
        case C_STORE_RQ -> onCStoreRq(contextId, messageId, cmd);
        default -> {
          log.warn("assoc={} calling={} sop={} unsupported {} answered 0211", associationId,
              callingAeTitle, cmd.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID), field);
          DimseStatus unrecognized = DimseStatus.of(Status.UNRECOGNIZED_OPERATION,
              field + " not supported");
          if (cmd.hasDataSet()) {
            startDiscarding(contextId, field, messageId, cmd, unrecognized);
          } else {
            sendResponse(contextId, field.response(), messageId,
                cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID),
                cmd.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID), unrecognized);
          }
        }
      }
      return true;
    }

    private void onCStoreRq(int contextId, int messageId, CommandSet cmd) {
      String sopClass = cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID);
      String sopInstance = cmd.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID);
      if (!cmd.hasDataSet()) {
        log.warn("assoc={} calling={} sop={} C-STORE-RQ without data set", associationId,
            callingAeTitle, sopInstance);
        sendResponse(contextId, CommandField.C_STORE_RSP, messageId, sopClass, sopInstance,
            DimseStatus.of(Status.CANNOT_UNDERSTAND, "C-STORE-RQ without data set"));
        return;
      }
      if (sopClass == null || sopInstance == null) {
        startDiscarding(contextId, CommandField.C_STORE_RQ, messageId, cmd,
            DimseStatus.of(Status.CANNOT_UNDERSTAND, "missing Affected SOP Class/Instance UID"));
        return;
      }
      if (!sopClass.equals(abstractSyntaxes.get(contextId))) {
        startDiscarding(contextId, CommandField.C_STORE_RQ, messageId, cmd,
            DimseStatus.of(Status.SOP_CLASS_NOT_SUPPORTED,
                "SOP class differs from the presentation context's"));
        return;
      }
      Integer priority = cmd.getUs(CommandSet.PRIORITY);
      CStoreRq rq = new CStoreRq(messageId, sopClass, sopInstance,
          priority == null ? 0 : priority, cmd.getString(CommandSet.MOVE_ORIGINATOR_AE_TITLE),
          cmd.getUs(CommandSet.MOVE_ORIGINATOR_MESSAGE_ID));
      DimseOperation op = new DimseOperation(contextId, CommandField.C_STORE_RQ, messageId, sopClass,
          sopInstance);
      operation = op;
      try {
        Sink<ByteString, java.util.concurrent.CompletionStage<DimseStatus>> sink =
            storeHandler.onCStore(info, rq, transferSyntaxes.get(contextId));
        SubSourceOutlet<ByteString> dataOut = new SubSourceOutlet<>("dataset-" + messageId);
        op.dataOut = dataOut;
        dataOut.setHandler(new OutHandler() {
          @Override
          public void onPull() {
            processPdvs();
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            // PS3.4 B.2.3 semantics stay with the status; we just drop the rest of the data set.
            op.discard = true;
            processPdvs();
          }
        });
        Source.fromGraph(dataOut.source()).runWith(sink, subFusingMaterializer())
            .whenComplete((status, failure) ->
                statusCallback.invoke(new StatusResult(op, status, failure)));
      } catch (RuntimeException e) {
        log.error("assoc={} calling={} sop={} handler failed to start: {}", associationId,
            callingAeTitle, sopInstance, e.toString());
        op.discard = true;
        op.status = DimseStatus.of(Status.OUT_OF_RESOURCES, "storage handler failed");
      }
    }

    // ------------------------------------------------------------ C-FIND, C-MOVE, C-GET

    /** Appends an identifier fragment; at its end starts the operation. False if aborted. */
    private boolean collectIdentifier(PresentationDataValue pdv) {
      DimseOperation op = operation;
      if (op.identifier.length() + pdv.value().size() > ServiceOperations.MAX_IDENTIFIER_LENGTH) {
        abortAfterDimseError("identifier longer than " + ServiceOperations.MAX_IDENTIFIER_LENGTH);
        return false;
      }
      op.identifier.append(pdv.value());
      pdvs.poll();
      if (!pdv.isLast()) {
        return true;
      }
      operation = null;
      ServiceOperation started;
      try {
        started = services.start(info, op.field, op.command, op.messageId, op.contextId,
            transferSyntaxes.get(op.contextId), op.identifier.result().toArray(),
            peerMaxValueLength, getContexts);
      } catch (java.io.IOException | RuntimeException e) {
        // PS3.4 Table C.4-1 / C.4-2: Cxxx "Unable to process"
        log.warn("assoc={} calling={} {} identifier not processed: {}", associationId,
            callingAeTitle, op.field, e.toString());
        sendResponse(op.contextId, op.field.response(), op.messageId, op.sopClassUid, null,
            DimseStatus.of(Status.CANNOT_UNDERSTAND, "identifier: " + e.getMessage()));
        return true;
      }
      running = started;
      SubSinkInlet<PDataTf> inlet = new SubSinkInlet<>("dimse-" + op.messageId);
      runningOut = inlet;
      inlet.setHandler(new org.apache.pekko.stream.stage.InHandler() {
        @Override
        public void onPush() {
          send(inlet.grab());
          pullRunning();
        }

        @Override
        public void onUpstreamFinish() {
          running = null;
          runningOut = null;
          processPdvs();
        }

        @Override
        public void onUpstreamFailure(Throwable ex) {
          running = null;
          runningOut = null;
          abortAfterDimseError(op.field + " failed: " + ex);
        }
      });
      started.pdus().runWith(inlet.sink(), subFusingMaterializer());
      pullRunning();
      return true;
    }

    private void pullRunning() {
      SubSinkInlet<PDataTf> inlet = runningOut;
      if (inlet != null && !inlet.hasBeenPulled() && !inlet.isClosed()
          && outQueue.size() < MAX_PENDING_OUT) {
        inlet.pull();
      }
    }

    /**
     * While a C-FIND / C-MOVE / C-GET runs (Asynchronous Operations Window 1, PS3.7 D.3.3.3) the
     * peer may send only C-CANCEL-RQ (§9.3.2.3) and, for C-GET, the C-STORE-RSPs of our
     * sub-operations (§9.1.3). False if aborted.
     */
    private boolean onCommandWhileRunning(CommandField field, CommandSet cmd) {
      if (field == CommandField.C_CANCEL_RQ) {
        Integer target = cmd.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO);
        if (target != null && target == running.messageId()) {
          running.cancel();
        }
        return true;
      }
      if (field == CommandField.C_STORE_RSP && running.onStoreResponse(cmd)) {
        return true;
      }
      abortAfterDimseError(field + " received while message " + running.messageId()
          + " is in progress");
      return false;
    }

    private void startDiscarding(int contextId, CommandField field, int messageId,
        CommandSet cmd, DimseStatus status) {
      DimseOperation op = new DimseOperation(contextId, field, messageId,
          cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID),
          cmd.getString(CommandSet.AFFECTED_SOP_INSTANCE_UID));
      op.discard = true;
      op.status = status;
      log.warn("assoc={} calling={} sop={} {} refused with {}: {}", associationId, callingAeTitle,
          op.sopInstanceUid, field, String.format("%04X", status.code()), status.errorComment());
      operation = op;
    }

    private void onStatus(StatusResult result) {
      DimseOperation op = result.operation();
      if (op != operation || op.status != null) {
        return; // the association ended or moved on meanwhile
      }
      if (result.failure() != null || result.status() == null) {
        Throwable failure = result.failure();
        while (failure instanceof java.util.concurrent.CompletionException
            && failure.getCause() != null) {
          failure = failure.getCause();
        }
        String why = failure == null ? "no status" : String.valueOf(failure.getMessage());
        log.error("assoc={} calling={} sop={} C-STORE failed: {}", associationId, callingAeTitle,
            op.sopInstanceUid, why);
        op.status = DimseStatus.of(Status.OUT_OF_RESOURCES, why);
      } else {
        op.status = result.status();
        if (op.status.isFailure()) {
          log.warn("assoc={} calling={} sop={} C-STORE status {}: {}", associationId,
              callingAeTitle, op.sopInstanceUid, String.format("%04X", op.status.code()),
              op.status.errorComment());
        }
      }
      if (!op.dataComplete) {
        op.discard = true; // the handler has decided; whatever else arrives is dropped
        processPdvs();
      }
      maybeRespond();
    }

    private void maybeRespond() {
      DimseOperation op = operation;
      if (op == null || !op.dataComplete || op.status == null) {
        return;
      }
      operation = null;
      awaitingResponse = false;
      sendResponse(op.contextId, op.field.response(), op.messageId, op.sopClassUid,
          op.sopInstanceUid, op.status);
      processPdvs();
    }

    private void sendResponse(int contextId, CommandField field, int messageId, String sopClass,
        String sopInstance, DimseStatus status) {
      CommandSet rsp = CommandSet.response(field, messageId, sopClass, sopInstance, status);
      for (PDataTf pdu : PDataFragmenter.fragment(contextId, true, rsp.encode(),
          peerMaxValueLength)) {
        send(pdu); // Evt9 → DT-1 in Sta6
      }
    }

    // ------------------------------------------------------------ helpers

    private void abortAfterProtocolError(int reason, String why) {
      // Evt19 semantics: AA-8, provider-initiated abort.
      state = Sta13;
      sendAbort(AAbort.provider(reason), why);
    }

    private void abortAfterDimseError(String why) {
      // PS3.7 §8.2: a DIMSE protocol error is reported by an A-ABORT from the service user.
      transition(AssociationEvent.Evt15);
      sendAbort(AAbort.user(), why);
    }

    private void sendAbort(AAbort abort, String why) {
      log.warn("assoc={} calling={} sop={} from={} A-ABORT {}/{}: {}", associationId,
          callingAeTitle, operation == null ? "-" : operation.sopInstanceUid, peer,
          abort.source(), abort.reason(), why);
      endOperation("association aborted: " + why);
      pdvs.clear();
      state = Sta13;
      if (outQueue.size() < 16) {
        send(abort);
      }
      scheduleOnce(ARTIM, settings.artimTimeout());
      pullIn();
    }

    /** Fails the handler's data set stream if one is open: it must not report a partial success. */
    private void endOperation(String why) {
      ServiceOperation service = running;
      running = null;
      if (service != null) {
        service.associationEnded();
        if (runningOut != null && !runningOut.isClosed()) {
          runningOut.cancel();
        }
        runningOut = null;
      }
      DimseOperation op = operation;
      operation = null;
      awaitingResponse = false;
      command = null;
      if (op != null && op.dataOut != null && !op.dataOut.isClosed()) {
        op.dataOut.fail(new AssociationEndedException("assoc=" + associationId + ": " + why));
      }
    }

    private void send(Pdu pdu) {
      if (outQueue.isEmpty() && isAvailable(out)) {
        push(out, pdu);
      } else {
        outQueue.add(pdu);
      }
    }

    private void close(String why) {
      if (why != null) {
        log.info("assoc={} calling={} from={} closing: {}", associationId, callingAeTitle, peer,
            why);
      }
      if (outQueue.isEmpty()) {
        completeStage();
      } else {
        closeAfterFlush = true;
        cancel(in);
      }
    }

    private void pullIn() {
      if (!hasBeenPulled(in) && !isClosed(in)) {
        pull(in);
        // Waiting for the peer (never while it waits for us: then we do not pull): idle timer.
        if (state == Sta6) {
          scheduleOnce(IDLE, settings.idleTimeout());
        }
      }
    }

    @Override
    public void postStop() {
      endOperation("stream stopped");
    }
  }

}
