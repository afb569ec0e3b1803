// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.annal.dicom.Uid;
import org.annal.dicom.net.impl.AAbort;
import org.annal.dicom.net.impl.AAssociateAc;
import org.annal.dicom.net.impl.AAssociateRj;
import org.annal.dicom.net.impl.AAssociateRq;
import org.annal.dicom.net.impl.AReleaseRp;
import org.annal.dicom.net.impl.AReleaseRq;
import org.annal.dicom.net.impl.AssociationAction;
import org.annal.dicom.net.impl.AssociationEvent;
import org.annal.dicom.net.impl.AssociationState;
import org.annal.dicom.net.impl.CommandField;
import org.annal.dicom.net.impl.CommandSet;
import org.annal.dicom.net.impl.Completions;
import org.annal.dicom.net.impl.DataSetFragments;
import org.annal.dicom.net.impl.MalformedPdu;
import org.annal.dicom.net.impl.PDataFragmenter;
import org.annal.dicom.net.impl.PDataTf;
import org.annal.dicom.net.impl.PduInbox;
import org.annal.dicom.net.impl.Pdu;
import org.annal.dicom.net.impl.PduCodec;
import org.annal.dicom.net.impl.PduDecoderStage;
import org.annal.dicom.net.impl.PresentationContextAc;
import org.annal.dicom.net.impl.PresentationContextRq;
import org.annal.dicom.net.impl.PresentationDataValue;
import org.annal.dicom.net.impl.StateTable;
import org.annal.dicom.net.impl.TcpQuickAck;
import org.annal.dicom.net.impl.UserInformation;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * An association Annal requests, as SCU (PS3.8 §9.2 requestor side: Sta4 → Sta5 → Sta6 → Sta7 →
 * Sta1), over Pekko TCP with TCP_NODELAY:
 *
 * <pre>
 *   offer(Pdu) ─▶ PduCodec.encode ─▶ Source.queue ─▶ Tcp ─▶ PduDecoderStage ─▶ PduInbox ─▶ pull()
 * </pre>
 *
 * <p>One DIMSE operation at a time (Asynchronous Operations Window 1, PS3.7 D.3.3.3): wait for each
 * returned stage before starting the next; a concurrent call fails with IllegalStateException. A
 * C-STORE data set is read from its {@code Source} only as fast as the socket takes it, cut into
 * P-DATA-TF PDUs no larger than the Maximum Length the acceptor announced (PS3.8 Annex D.1).
 */
public final class ScuAssociation {

  /** The peer rejected the association (PS3.8 Table 9-21). */
  public static final class AssociationRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int result;
    public final int source;
    public final int reason;

    AssociationRejectedException(AAssociateRj rj) {
      super("A-ASSOCIATE-RJ result " + rj.result() + " source " + rj.source() + " reason "
          + rj.reason());
      this.result = rj.result();
      this.source = rj.source();
      this.reason = rj.reason();
    }
  }

  /** The association ended abnormally (A-ABORT, protocol error, connection lost, timeout). */
  public static final class AssociationAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AssociationAbortedException(String message) {
      super(message);
    }
  }

  private final ScuSettings settings;
  private final Scheduler scheduler;
  private final Materializer materializer;
  private final SourceQueueWithComplete<ByteString> outbound;
  private final PduInbox inbound;
  private final AssociationInfo info;
  private final Map<Integer, String> acceptedTransferSyntax;
  private final Map<Integer, String> abstractSyntaxOf;
  private final int peerMaxValueLength;
  private final AtomicBoolean busy = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger messageIds = new AtomicInteger();
  private volatile AssociationState state;

  private ScuAssociation(ScuSettings settings, Scheduler scheduler, Materializer materializer,
      SourceQueueWithComplete<ByteString> outbound, PduInbox inbound,
      AssociationInfo info, AAssociateRq rq, AAssociateAc ac) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.materializer = materializer;
    this.outbound = outbound;
    this.inbound = inbound;
    this.info = info;
    this.state = AssociationState.Sta6;
    this.acceptedTransferSyntax = new HashMap<>();
    this.abstractSyntaxOf = new HashMap<>();
    for (PresentationContextRq pc : rq.presentationContexts()) {
      abstractSyntaxOf.put(pc.id(), pc.abstractSyntax());
    }
    for (PresentationContextAc pc : ac.presentationContexts()) {
      if (pc.isAccepted() && pc.transferSyntax() != null && abstractSyntaxOf.containsKey(pc.id())) {
        acceptedTransferSyntax.put(pc.id(), pc.transferSyntax());
      }
    }
    this.peerMaxValueLength = PDataFragmenter.maxValueLength(
        ac.userInformation().maximumLength(), settings.maxPduLength());
  }

  /**
   * Opens an association: TCP connect (Evt1 → AE-1), A-ASSOCIATE-RQ (Evt2 → AE-2), then the AC
   * (Evt3 → AE-3) or RJ (Evt4 → AE-4, the stage fails with {@link AssociationRejectedException}).
   */
  public static CompletionStage<ScuAssociation> open(ClassicActorSystemProvider system,
      ScuSettings settings, String host, int port, String callingAeTitle, String calledAeTitle,
      List<ProposedContext> contexts) {
    return open(system, settings, host, port, callingAeTitle, calledAeTitle, contexts, List.of());
  }

  /**
   * As {@link #open(ClassicActorSystemProvider, ScuSettings, String, String, int, String, String,
   * List)}, proposing the SCP role (SCP/SCU Role Selection, PS3.7 D.3.3.4) for {@code scpRoleFor}:
   * the storage SOP classes a C-GET will receive (PS3.4 C.4.3).
   */
  public static CompletionStage<ScuAssociation> open(ClassicActorSystemProvider system,
      ScuSettings settings, String host, int port, String callingAeTitle, String calledAeTitle,
      List<ProposedContext> contexts, List<String> scpRoleFor) {
    Materializer materializer = Materializer.matFromSystem(system);
    Scheduler scheduler = system.classicSystem().scheduler();
    InetSocketAddress remote = new InetSocketAddress(host, port);
    Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> connection =
        Tcp.get(system.classicSystem()).outgoingConnection(remote, Optional.empty(),
            List.of(TcpSO.tcpNoDelay(true), TcpQuickAck.option()), true,
            Optional.of(settings.connectTimeout()),
            Optional.empty());
    // Set once connected (see TcpQuickAck); bytes only arrive after that.
    AtomicReference<Runnable> quickAck = new AtomicReference<>(() -> { });
    // Encoded PDUs, several per element where a whole message is sent at once: one queue offer
    // (an asynchronous hand-off) per message rather than per PDU.
    Pair<Pair<SourceQueueWithComplete<ByteString>, CompletionStage<Tcp.OutgoingConnection>>,
        PduInbox> materialized =
        Source.<ByteString>queue(8, OverflowStrategy.backpressure())
            .viaMat(connection, Keep.both())
            .via(Flow.fromGraph(new PduDecoderStage(settings.maxPduLengthReceived(),
                () -> quickAck.get().run())))
            .toMat(PduInbox.sink(Math.max(256 * 1024, settings.maxPduLengthReceived())),
                Keep.both())
            .run(materializer);
    materialized.first().second().thenAccept(tcp ->
        quickAck.set(TcpQuickAck.take(tcp.localAddress(), tcp.remoteAddress())));
    SourceQueueWithComplete<ByteString> outbound = materialized.first().first();
    PduInbox inbound = materialized.second();
    List<PresentationContextRq> proposed = new ArrayList<>();
    for (int i = 0; i < contexts.size(); i++) {
      proposed.add(new PresentationContextRq(2 * i + 1, contexts.get(i).abstractSyntax(),
          contexts.get(i).transferSyntaxes()));
    }
    if (proposed.size() > 128) {
      throw new IllegalArgumentException("at most 128 presentation contexts (PS3.8 §9.3.2.2)");
    }
    AAssociateRq rq = new AAssociateRq(1, calledAeTitle, callingAeTitle,
        Uid.DICOM_APPLICATION_CONTEXT, proposed, new UserInformation(settings.maxPduLength(),
            Uid.ANNAL_IMPLEMENTATION_CLASS, Uid.ANNAL_IMPLEMENTATION_VERSION, null, null,
            scpRoleFor.stream().distinct()
                .map(uid -> new org.annal.dicom.net.impl.RoleSelection(uid, 0, 1)).toList()));
    return materialized.first().second()
        .thenCompose(tcp -> offer(outbound, rq).thenApply(x -> tcp))
        .thenCompose(tcp -> timed(inbound.pull(), settings, scheduler).thenApply(pdu -> {
          Pdu answer = pdu.orElse(null);
          AssociationAction action = answer == null ? AssociationAction.AA_4
              : StateTable.action(AssociationState.Sta5, AssociationEvent.received(answer));
          if (action == AssociationAction.AE_3) {
            AAssociateAc ac = (AAssociateAc) answer;
            AssociationInfo info = new AssociationInfo(
                Long.toString(System.nanoTime(), 36), callingAeTitle, calledAeTitle,
                tcp.remoteAddress(), Instant.now());
            return new ScuAssociation(settings, scheduler, materializer, outbound, inbound, info,
                rq, ac);
          }
          if (action == AssociationAction.AE_4) {
            outbound.complete();
            throw new AssociationRejectedException((AAssociateRj) answer);
          }
          if (answer != null && !(answer instanceof AAbort)) {
            outbound.offer(PduCodec.encode(AAbort.provider(
                answer instanceof MalformedPdu m ? m.reason() : AAbort.REASON_UNEXPECTED_PDU)));
          }
          outbound.complete();
          throw new AssociationAbortedException("no A-ASSOCIATE-AC: "
              + (answer == null ? "connection closed" : answer));
        }))
        .whenComplete((association, failure) -> {
          if (failure != null) {
            outbound.fail(failure);
            inbound.cancel();
          }
        });
  }

  public AssociationInfo info() {
    return info;
  }

  /** The transfer syntax the peer accepted for {@code sopClassUid}, preferring {@code wanted}. */
  public Optional<String> acceptedTransferSyntax(String sopClassUid, String wanted) {
    String any = null;
    for (Map.Entry<Integer, String> e : acceptedTransferSyntax.entrySet()) {
      if (sopClassUid.equals(abstractSyntaxOf.get(e.getKey()))) {
        if (e.getValue().equals(wanted)) {
          return Optional.of(wanted);
        }
        any = any == null ? e.getValue() : any;
      }
    }
    return Optional.ofNullable(any);
  }

  /** Every transfer syntax the peer accepted for {@code sopClassUid}, in no particular order. */
  public java.util.Set<String> acceptedTransferSyntaxes(String sopClassUid) {
    java.util.Set<String> all = new java.util.HashSet<>();
    for (Map.Entry<Integer, String> e : acceptedTransferSyntax.entrySet()) {
      if (sopClassUid.equals(abstractSyntaxOf.get(e.getKey()))) {
        all.add(e.getValue());
      }
    }
    return all;
  }

  /** C-ECHO (PS3.7 §9.1.5) on the accepted Verification context. */
  public CompletionStage<DimseStatus> cEcho() {
    return operation(() -> {
      int contextId = contextFor(Uid.VERIFICATION, null);
      int messageId = nextMessageId();
      CommandSet rq = new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, Uid.VERIFICATION)
          .putUs(CommandSet.COMMAND_FIELD, CommandField.C_ECHO_RQ.code)
          .putUs(CommandSet.MESSAGE_ID, messageId)
          .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.NO_DATA_SET);
      return sendAll(PDataFragmenter.fragment(contextId, true, rq.encode(), peerMaxValueLength))
          .thenCompose(x -> readResponse(CommandField.C_ECHO_RSP, messageId));
    });
  }

  /**
   * C-STORE (PS3.7 §9.1.1): sends the command, then {@code dataSet} (the bytes of the data set in
   * {@code transferSyntaxUid}, without PS3.10 meta information) fragmented to the peer's Maximum
   * Length, and completes with the status of the C-STORE-RSP.
   *
   * @throws IllegalArgumentException (in the stage) if no context was accepted for that SOP class
   *     and transfer syntax
   */
  public CompletionStage<DimseStatus> cStore(String sopClassUid, String sopInstanceUid,
      String transferSyntaxUid, Source<ByteString, ?> dataSet) {
    return cStore(sopClassUid, sopInstanceUid, transferSyntaxUid, dataSet, null, null);
  }

  /**
   * C-STORE as a C-MOVE sub-operation: as {@link #cStore(String, String, String, Source)} with
   * Move Originator Application Entity Title (0000,1030) and Move Originator Message ID
   * (0000,1031) set (PS3.7 Table 9.3-1) when not null.
   */
  public CompletionStage<DimseStatus> cStore(String sopClassUid, String sopInstanceUid,
      String transferSyntaxUid, Source<ByteString, ?> dataSet, String moveOriginatorAeTitle,
      Integer moveOriginatorMessageId) {
    return store(sopClassUid, sopInstanceUid, transferSyntaxUid, moveOriginatorAeTitle,
        moveOriginatorMessageId, (contextId, command) -> sendAll(command)
            .thenCompose(x -> dataSet.via(fragments(contextId, peerMaxValueLength))
                .map(PduCodec::encode)
                .groupedWeighted(DataSetFragments.BATCH_BYTES, b -> (long) b.size())
                .mapAsync(1, batch -> offer(outbound, concat(batch)))
                .runWith(Sink.ignore(), materializer)));
  }

  /**
   * C-STORE of a data set already in memory: as {@link #cStore(String, String, String, Source,
   * String, Integer)}, the command and every data set PDU handed to the connection at once.
   */
  public CompletionStage<DimseStatus> cStore(String sopClassUid, String sopInstanceUid,
      String transferSyntaxUid, ByteString dataSet, String moveOriginatorAeTitle,
      Integer moveOriginatorMessageId) {
    return store(sopClassUid, sopInstanceUid, transferSyntaxUid, moveOriginatorAeTitle,
        moveOriginatorMessageId, (contextId, command) -> {
          List<PDataTf> pdus = new ArrayList<>(command);
          pdus.addAll(PDataFragmenter.fragment(contextId, false, dataSet, peerMaxValueLength));
          return sendAll(pdus);
        });
  }

  /** The C-STORE-RQ, then {@code send}(context id, command PDUs), then the C-STORE-RSP. */
  private CompletionStage<DimseStatus> store(String sopClassUid, String sopInstanceUid,
      String transferSyntaxUid, String moveOriginatorAeTitle, Integer moveOriginatorMessageId,
      BiFunction<Integer, List<PDataTf>, CompletionStage<?>> send) {
    return operation(() -> {
      int contextId = contextFor(sopClassUid, transferSyntaxUid);
      int messageId = nextMessageId();
      CommandSet rq = storeRq(sopClassUid, sopInstanceUid, messageId, moveOriginatorAeTitle,
          moveOriginatorMessageId);
      return send.apply(contextId,
              PDataFragmenter.fragment(contextId, true, rq.encode(), peerMaxValueLength))
          .thenCompose(x -> readResponse(CommandField.C_STORE_RSP, messageId));
    });
  }

  /** A-RELEASE (Evt11 → AR-1, then Evt13 → AR-3: confirmation, close the transport). */
  public CompletionStage<Done> release() {
    return operation(() -> {
      state = AssociationState.Sta7;
      return offer(outbound, new AReleaseRq())
          .thenCompose(x -> awaitReleaseRp())
          .thenApply(x -> {
            closed.set(true);
            state = AssociationState.Sta1;
            outbound.complete();
            inbound.cancel();
            return Done.getInstance();
          });
    });
  }

  /** A-ABORT (Evt15 → AA-1), then close. Idempotent; a no-op once the association has ended. */
  public void abort() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    state = AssociationState.Sta13;
    try {
      outbound.offer(PduCodec.encode(AAbort.user())).whenComplete((r, e) -> outbound.complete());
    } catch (RuntimeException e) {
      outbound.complete(); // queue already completed or failed: nothing left to tell the peer
    }
    inbound.cancel();
  }

  /** Whether the association can still carry operations (Sta6). */
  public boolean isEstablished() {
    return state == AssociationState.Sta6;
  }

  // ---------------------------------------------------------------- messages (FindScu, ...)

  /** A DIMSE message as read: command set, data set bytes (null if none), presentation context. */
  record Message(CommandSet command, ByteString dataSet, int contextId) {}

  private final java.util.ArrayDeque<PresentationDataValue> leftover = new java.util.ArrayDeque<>();

  /** Runs {@code body} as this association's one DIMSE operation (see class comment). */
  <T> CompletionStage<T> exclusive(java.util.function.Supplier<CompletionStage<T>> body) {
    return operation(body);
  }

  int contextId(String sopClassUid, String transferSyntaxUid) {
    return contextFor(sopClassUid, transferSyntaxUid);
  }

  String transferSyntaxOf(int contextId) {
    return acceptedTransferSyntax.get(contextId);
  }

  int newMessageId() {
    return nextMessageId();
  }

  Materializer materializer() {
    return materializer;
  }

  /** Sends a command and, if not null, its data set on {@code contextId}. */
  CompletionStage<Done> send(int contextId, CommandSet command, ByteString dataSet) {
    List<PDataTf> pdus = new ArrayList<>(PDataFragmenter.fragment(contextId, true,
        command.encode(), peerMaxValueLength));
    if (dataSet != null) {
      pdus.addAll(PDataFragmenter.fragment(contextId, false, dataSet, peerMaxValueLength));
    }
    return sendAll(pdus);
  }

  /**
   * Reads the next whole message: the command set and, if its Command Data Set Type says so, the
   * data set (held in memory, at most {@code maxDataSet} bytes, else the association is aborted).
   */
  CompletionStage<Message> readMessage(long maxDataSet) {
    return readFragments(true, ByteString.emptyByteString(), CommandSet.MAX_ENCODED_LENGTH, -1)
        .thenCompose(commandPart -> {
          CommandSet command;
          try {
            command = CommandSet.decode(commandPart.second());
          } catch (IllegalArgumentException e) {
            abort();
            throw new AssociationAbortedException("undecodable command: " + e.getMessage());
          }
          if (!command.hasDataSet()) {
            return CompletableFuture.completedFuture(
                new Message(command, null, commandPart.first()));
          }
          return readFragments(false, ByteString.emptyByteString(), maxDataSet,
              commandPart.first()).thenApply(data ->
                  new Message(command, data.second(), commandPart.first()));
        });
  }

  private CompletionStage<Pair<Integer, ByteString>> readFragments(boolean command,
      ByteString soFar, long max, int contextId) {
    PresentationDataValue pdv = leftover.poll();
    if (pdv == null) {
      return timed(inbound.pull(), settings, scheduler).thenCompose(pdu -> {
        Pdu answer = pdu.orElse(null);
        if (!(answer instanceof PDataTf data)) {
          if (answer != null && !(answer instanceof AAbort)) {
            abort();
          }
          throw failAssociation(answer == null ? "connection closed while awaiting a message"
              : "received " + answer + " while awaiting a message");
        }
        leftover.addAll(data.values());
        return readFragments(command, soFar, max, contextId);
      });
    }
    if (pdv.isCommand() != command || (contextId != -1 && pdv.presentationContextId() != contextId)) {
      abort();
      return CompletableFuture.failedFuture(failAssociation("unexpected "
          + (pdv.isCommand() ? "command" : "data set") + " fragment on context "
          + pdv.presentationContextId()));
    }
    ByteString bytes = soFar.concat(pdv.value());
    if (bytes.size() > max) {
      abort();
      return CompletableFuture.failedFuture(failAssociation("message longer than " + max));
    }
    if (pdv.isLast()) {
      return CompletableFuture.completedFuture(Pair.create(pdv.presentationContextId(), bytes));
    }
    return readFragments(command, bytes, max, pdv.presentationContextId());
  }

  // ---------------------------------------------------------------- internals

  private CompletionStage<Done> awaitReleaseRp() {
    return timed(inbound.pull(), settings, scheduler).thenCompose(pdu -> {
      Pdu answer = pdu.orElse(null);
      if (answer instanceof AReleaseRp) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      if (answer instanceof PDataTf) {
        return awaitReleaseRp(); // AR-6: P-DATA in Sta7 is still delivered; nothing to do with it
      }
      throw failAssociation("no A-RELEASE-RP: " + (answer == null ? "connection closed" : answer));
    });
  }

  private <T> CompletionStage<T> operation(
      java.util.function.Supplier<CompletionStage<T>> body) {
    if (state != AssociationState.Sta6) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("association is not established (" + state + ")"));
    }
    if (!busy.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "one DIMSE operation at a time: wait for the previous one"));
    }
    CompletionStage<T> result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result.whenComplete((r, e) -> {
      busy.set(false);
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
          ? e.getCause() : e;
      if (cause != null && !(cause instanceof IllegalArgumentException)
          && !(cause instanceof IllegalStateException)) {
        // A data set source that failed half way, a response that never came: the peer's view of
        // the association can no longer match ours, so it ends here (PS3.8 AA-1).
        abort();
      }
    });
  }

  private int nextMessageId() {
    return (messageIds.incrementAndGet() & 0xFFFF);
  }

  private int contextFor(String sopClassUid, String transferSyntaxUid) {
    Integer fallback = null;
    for (Map.Entry<Integer, String> e : acceptedTransferSyntax.entrySet()) {
      if (sopClassUid.equals(abstractSyntaxOf.get(e.getKey()))) {
        if (transferSyntaxUid == null || e.getValue().equals(transferSyntaxUid)) {
          return e.getKey();
        }
        fallback = e.getKey();
      }
    }
    throw new IllegalArgumentException("no accepted presentation context for " + sopClassUid
        + (transferSyntaxUid == null ? "" : " in " + transferSyntaxUid)
        + (fallback == null ? "" : " (accepted in " + acceptedTransferSyntax.get(fallback) + ")"));
  }

  private static CommandSet storeRq(String sopClassUid, String sopInstanceUid, int messageId,
      String moveOriginatorAeTitle, Integer moveOriginatorMessageId) {
    CommandSet rq = new CommandSet().putUid(CommandSet.AFFECTED_SOP_CLASS_UID, sopClassUid)
        .putUs(CommandSet.COMMAND_FIELD, CommandField.C_STORE_RQ.code)
        .putUs(CommandSet.MESSAGE_ID, messageId)
        .putUs(CommandSet.PRIORITY, 0)
        .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.DATA_SET_PRESENT)
        .putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, sopInstanceUid);
    if (moveOriginatorAeTitle != null && moveOriginatorMessageId != null) {
      rq.putString(CommandSet.MOVE_ORIGINATOR_AE_TITLE, moveOriginatorAeTitle)
          .putUs(CommandSet.MOVE_ORIGINATOR_MESSAGE_ID, moveOriginatorMessageId);
    }
    return rq;
  }

  /** The PDUs encoded and handed to the connection as one element (one hand-off). */
  private CompletionStage<Done> sendAll(List<PDataTf> pdus) {
    List<ByteString> encoded = new ArrayList<>(pdus.size());
    for (PDataTf pdu : pdus) {
      encoded.add(PduCodec.encode(pdu));
    }
    return offer(outbound, concat(encoded));
  }

  private static ByteString concat(List<ByteString> parts) {
    ByteString out = ByteString.emptyByteString();
    for (ByteString b : parts) {
      out = out.concat(b);
    }
    return out;
  }

  /** Reads P-DATA-TF PDUs until a whole command set has arrived; answers anything else by abort. */
  private CompletionStage<DimseStatus> readResponse(CommandField expected, int messageId) {
    return readCommand(ByteString.emptyByteString()).thenApply(bytes -> {
      CommandSet rsp;
      try {
        rsp = CommandSet.decode(bytes);
      } catch (IllegalArgumentException e) {
        abort();
        throw new AssociationAbortedException("undecodable response: " + e.getMessage());
      }
      Integer status = rsp.getUs(CommandSet.STATUS);
      Integer respondedTo = rsp.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO);
      if (rsp.commandField() != expected || status == null || respondedTo == null
          || respondedTo != messageId) {
        abort();
        throw new AssociationAbortedException("unexpected response " + rsp.commandField()
            + " to message " + respondedTo + ", expected " + expected + " to " + messageId);
      }
      return DimseStatus.of(status, rsp.getString(CommandSet.ERROR_COMMENT));
    });
  }

  private CompletionStage<ByteString> readCommand(ByteString soFar) {
    return timed(inbound.pull(), settings, scheduler).thenCompose(pdu -> {
      Pdu answer = pdu.orElse(null);
      if (!(answer instanceof PDataTf data)) {
        if (answer != null && !(answer instanceof AAbort)) {
          abort();
        }
        throw failAssociation(answer == null ? "connection closed while awaiting a response"
            : "received " + answer + " while awaiting a response");
      }
      ByteString bytes = soFar;
      for (PresentationDataValue pdv : data.values()) {
        if (!pdv.isCommand()) {
          continue; // no data set is expected with C-ECHO-RSP / C-STORE-RSP
        }
        bytes = bytes.concat(pdv.value());
        if (bytes.size() > CommandSet.MAX_ENCODED_LENGTH) {
          abort();
          throw failAssociation("response command set too long");
        }
        if (pdv.isLast()) {
          return CompletableFuture.completedFuture(bytes);
        }
      }
      return readCommand(bytes);
    });
  }

  private AssociationAbortedException failAssociation(String why) {
    state = AssociationState.Sta1;
    if (closed.compareAndSet(false, true)) {
      outbound.complete();
      inbound.cancel();
    }
    return new AssociationAbortedException(why);
  }

  private static CompletionStage<Done> offer(SourceQueueWithComplete<ByteString> queue, Pdu pdu) {
    return offer(queue, PduCodec.encode(pdu));
  }

  private static CompletionStage<Done> offer(SourceQueueWithComplete<ByteString> queue,
      ByteString encoded) {
    // direct: the caller goes on in the stream's thread, not on the common pool (Completions).
    return Completions.direct(queue.offer(encoded)).thenApply(result -> {
      if (result != QueueOfferResult.enqueued()) {
        throw new AssociationAbortedException("connection closed (" + result + ")");
      }
      return Done.getInstance();
    });
  }

  private static <T> CompletionStage<T> timed(CompletionStage<T> stage, ScuSettings settings,
      Scheduler scheduler) {
    return Completions.within(stage.toCompletableFuture(), settings.responseTimeout(), scheduler);
  }

  /**
   * Cuts a byte stream into data set PDVs of at most {@code maxValueLength}; the last one carries
   * the last bit. A chunk is held back until more bytes (or the end) show it is not the last, so
   * at most one fragment plus one upstream chunk is buffered. The last bit is sent only when the
   * source COMPLETES: if it fails half way, the stream fails without it, so the peer can never
   * take a truncated data set for a whole one (an end marker is concatenated, and concat adds it
   * only after a successful completion; statefulMap's onComplete, which also runs on failure,
   * emits nothing).
   */
  static Flow<ByteString, PDataTf, NotUsed> fragments(int contextId, int maxValueLength) {
    return DataSetFragments.flow(contextId, maxValueLength);
  }
}
