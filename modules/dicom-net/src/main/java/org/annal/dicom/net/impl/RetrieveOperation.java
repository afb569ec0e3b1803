// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetWriter;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.DimseException;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.ProposedContext;
import org.annal.dicom.net.QueryRetrieveServices;
import org.annal.dicom.net.RetrieveItem;
import org.annal.dicom.net.RetrieveKind;
import org.annal.dicom.net.RetrieveReport;
import org.annal.dicom.net.RetrieveRq;
import org.annal.dicom.net.ScuAssociation;
import org.annal.dicom.net.Status;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C-MOVE SCP (PS3.4 C.4.2.2, PS3.7 §9.1.4) and C-GET SCP (PS3.4 C.4.3.2, PS3.7 §9.1.3): resolves
 * the identifier with the {@link org.annal.dicom.net.RetrieveHandler}, performs one C-STORE
 * sub-operation per instance (C-MOVE: over an association it opens to the Move Destination;
 * C-GET: on the requesting association, as SCP of the role the peer granted), sends a Pending
 * response with the Number of Remaining/Completed/Failed/Warning Sub-operations after each, then
 * the final status: Success, B000 (some failed or warned), A702 (all failed), FE00 after
 * C-CANCEL-RQ; with the Failed SOP Instance UID List (0008,0058) when any failed (PS3.4 C.4.2.1.5,
 * Table C.4-2). Sub-operations run one at a time. Internal API.
 */
final class RetrieveOperation implements ServiceOperation {
  private static final Logger log = LoggerFactory.getLogger(RetrieveOperation.class);
  static final int MOVE_DESTINATION_UNKNOWN = 0xA801;
  static final int UNABLE_TO_PERFORM_SUBOPERATIONS = 0xA702;
  static final int UNABLE_TO_CALCULATE_MATCHES = 0xA701;
  static final int SUBOPERATIONS_COMPLETE_ONE_OR_MORE_FAILURES = 0xB000;

  /** Where C-GET sub-operations go: accepted contexts of storage SOP classes with our SCP role. */
  record StorageContext(int contextId, String sopClassUid, String transferSyntaxUid) {}

  private final QueryRetrieveServices services;
  private final AssociationInfo association;
  private final RetrieveRq request;
  private final Dataset identifier;
  private final int contextId;
  private final int maxValueLength;
  private final List<StorageContext> getContexts;
  private final ClassicActorSystemProvider system;
  private final Materializer materializer;
  private final Executor executor;
  private final Scheduler scheduler;
  private final CommandField rspField;
  private final AtomicInteger storeMessageIds = new AtomicInteger(0x8000);
  private final List<String> completed = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();
  private final List<String> warning = new ArrayList<>();
  private volatile boolean cancelled;
  private volatile boolean ended;
  private volatile CompletableFuture<CommandSet> storeResponse;
  private volatile int storeMessageId = -1;
  /** PDUs to send, several per element where a whole message goes at once (one hand-off). */
  private volatile SourceQueueWithComplete<List<PDataTf>> queue;
  /** The next item's bytes, read while the current one is sent (index, read). */
  private int prefetchedIndex = -1;
  private CompletionStage<ByteString> prefetched;

  RetrieveOperation(QueryRetrieveServices services, AssociationInfo association,
      RetrieveRq request, Dataset identifier, int contextId, int maxValueLength,
      List<StorageContext> getContexts, ClassicActorSystemProvider system) {
    this.services = services;
    this.association = association;
    this.request = request;
    this.identifier = identifier;
    this.contextId = contextId;
    this.maxValueLength = maxValueLength;
    this.getContexts = List.copyOf(getContexts);
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.executor = system.classicSystem().dispatcher();
    this.scheduler = system.classicSystem().scheduler();
    this.rspField = request.kind() == RetrieveKind.MOVE ? CommandField.C_MOVE_RSP
        : CommandField.C_GET_RSP;
  }

  @Override
  public int messageId() {
    return request.messageId();
  }

  @Override
  public Source<PDataTf, NotUsed> pdus() {
    // Materialized by the association's stage in its own island (sub-fusing): an offer is one
    // hand-off into that stage, not two (a queue actor, then the association).
    return Source.<List<PDataTf>>queue(8, OverflowStrategy.backpressure())
        .mapMaterializedValue(q -> {
          queue = q;
          CompletableFuture.runAsync(this::run, executor);
          return NotUsed.getInstance();
        })
        .mapConcat(pdus -> pdus);
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public boolean onStoreResponse(CommandSet response) {
    CompletableFuture<CommandSet> waiting = storeResponse;
    Integer respondedTo = response.getUs(CommandSet.MESSAGE_ID_BEING_RESPONDED_TO);
    if (waiting == null || respondedTo == null || respondedTo != storeMessageId) {
      return false;
    }
    storeResponse = null;
    // Completed on the association's thread, where the loop goes on (see then).
    waiting.complete(response);
    return true;
  }

  @Override
  public void associationEnded() {
    ended = true;
    cancelled = true;
    CompletableFuture<CommandSet> waiting = storeResponse;
    if (waiting != null) {
      waiting.completeExceptionally(new AssociationEndedException("association ended"));
    }
    if (queue != null) {
      queue.complete();
    }
  }

  // ------------------------------------------------------------------ the retrieve

  private void run() {
    String destinationAe = request.kind() == RetrieveKind.MOVE ? request.moveDestination()
        : association.callingAeTitle();
    Optional<InetSocketAddress> destination = Optional.empty();
    if (request.kind() == RetrieveKind.MOVE) {
      destination = request.moveDestination() == null ? Optional.empty()
          : services.moveDestinations().lookup(request.moveDestination());
      if (destination.isEmpty()) {
        finish(destinationAe, List.of(), 0, DimseStatus.of(MOVE_DESTINATION_UNKNOWN,
            "Move Destination unknown: " + request.moveDestination()), false);
        return;
      }
    }
    Optional<InetSocketAddress> target = destination;
    CompletionStage<List<RetrieveItem>> resolved;
    try {
      resolved = services.retrieve().onRetrieve(association, request, identifier);
    } catch (RuntimeException e) {
      resolved = CompletableFuture.failedFuture(e);
    }
    resolved.whenCompleteAsync((items, failure) -> {
      if (failure != null) {
        Throwable cause = unwrap(failure);
        finish(destinationAe, List.of(), 0, cause instanceof DimseException d ? d.status()
            : DimseStatus.of(UNABLE_TO_CALCULATE_MATCHES, "identifier not resolved: "
                + cause.getMessage()), false);
        return;
      }
      if (request.kind() == RetrieveKind.GET || items.isEmpty()) {
        loop(destinationAe, items, 0, null); // nothing to move: no association (Success, 0)
        return;
      }
      openDestination(target.get(), items).whenCompleteAsync((scu, openFailure) -> {
        if (openFailure != null) {
          log.warn("assoc={} C-MOVE to {} at {}: cannot open association: {}",
              association.associationId(), destinationAe, target.get(), unwrap(openFailure));
          items.forEach(i -> failed.add(i.sopInstanceUid()));
          finish(destinationAe, items, items.size(), DimseStatus.of(
              UNABLE_TO_PERFORM_SUBOPERATIONS, "cannot associate with " + destinationAe), false);
          return;
        }
        loop(destinationAe, items, 0, scu);
      }, executor);
    }, executor);
  }

  private CompletionStage<ScuAssociation> openDestination(InetSocketAddress address,
      List<RetrieveItem> items) {
    // One context per SOP class with the uncompressed syntaxes we can convert to, plus one per
    // SOP class and other stored syntax (PS3.4 C.4.2.3.1); at most 128 (PS3.8 §9.3.2.2).
    Map<String, Set<String>> stored = new LinkedHashMap<>();
    for (RetrieveItem item : items) {
      stored.computeIfAbsent(item.sopClassUid(), k -> new LinkedHashSet<>())
          .add(item.storedTransferSyntaxUid());
    }
    List<ProposedContext> contexts = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : stored.entrySet()) {
      contexts.add(new ProposedContext(e.getKey(), RetrieveTranscoder.TARGETS));
      for (String ts : e.getValue()) {
        if (!RetrieveTranscoder.TARGETS.contains(ts)) {
          contexts.add(ProposedContext.of(e.getKey(), ts));
        }
      }
    }
    if (contexts.size() > 128) {
      contexts = contexts.subList(0, 128); // the sub-operations of what does not fit fail
    }
    return ScuAssociation.open(system, services.scuSettings(), address.getHostString(),
        address.getPort(), association.calledAeTitle(), request.moveDestination(), contexts);
  }

  /**
   * Runs {@code next} when {@code stage} completes, in the thread that completes it: for C-GET the
   * association's, when the C-STORE-RSP arrives or the Pending response is queued. Going through
   * the executor each time added thread wake-ups to the server's turn between a C-STORE-RSP and
   * the next C-STORE-RQ (0.39 ms p50 in all, of the ~1.35 ms getscu waited per 512 KB instance,
   * stop 14). A stage already complete (the association ended, a read failed, the last item) goes
   * through the executor, so that the loop never recurses one level per item.
   */
  private <T> void then(CompletionStage<T> stage,
      BiConsumer<? super T, ? super Throwable> next) {
    if (stage.toCompletableFuture().isDone()) {
      stage.whenCompleteAsync(next, executor);
    } else {
      stage.whenComplete(next);
    }
  }

  private void loop(String destinationAe, List<RetrieveItem> items, int index,
      ScuAssociation scu) {
    if (index >= items.size() || cancelled) {
      if (ended) {
        for (int i = index; i < items.size(); i++) {
          failed.add(items.get(i).sopInstanceUid()); // never delivered
        }
      }
      int remaining = items.size() - index;
      CompletionStage<Done> released = scu == null || !scu.isEstablished()
          ? CompletableFuture.completedFuture(Done.getInstance())
          : scu.release().exceptionally(e -> {
            scu.abort();
            return Done.getInstance();
          });
      released.whenCompleteAsync((x, e) -> finish(destinationAe, items, remaining,
          finalStatus(remaining), cancelled && !ended), executor);
      return;
    }
    RetrieveItem item = items.get(index);
    then(subOperation(items, index, scu), (status, failure) -> {
      if (failure != null || status == null) {
        log.info("assoc={} {} sop={} sub-operation failed: {}", association.associationId(),
            request.kind(), item.sopInstanceUid(),
            failure == null ? "no status" : unwrap(failure).toString());
        failed.add(item.sopInstanceUid());
      } else if (status.isSuccess()) {
        completed.add(item.sopInstanceUid());
      } else if (status.isWarning()) {
        warning.add(item.sopInstanceUid());
      } else {
        failed.add(item.sopInstanceUid());
      }
      int remaining = items.size() - index - 1;
      CompletionStage<?> sent = remaining > 0 && !cancelled
          ? offer(DimseResponses.pdus(contextId, response(DimseStatus.of(Status.PENDING, null),
              remaining), null, maxValueLength))
          : CompletableFuture.completedFuture(null);
      then(sent, (x, e) -> loop(destinationAe, items, index + 1, scu));
    });
  }

  private CompletionStage<DimseStatus> subOperation(List<RetrieveItem> items, int index,
      ScuAssociation scu) {
    RetrieveItem item = items.get(index);
    StorageContext getContext = null;
    String target = target(item, scu);
    if (target == null) {
      Collection<String> accepted = accepted(item, scu);
      return CompletableFuture.failedFuture(new IllegalStateException("no transfer syntax for "
          + item.sopClassUid() + " stored in " + item.storedTransferSyntaxUid()
          + " was accepted (accepted: " + accepted + ")"));
    }
    if (scu == null) {
      getContext = getContexts.stream().filter(c -> c.sopClassUid().equals(item.sopClassUid())
          && c.transferSyntaxUid().equals(target)).findFirst().orElseThrow();
    }
    StorageContext context = getContext;
    if (item.wholeDataSet() != null && target.equals(item.storedTransferSyntaxUid())) {
      // Read before the C-STORE-RQ goes out (a data set that cannot be read fails this
      // sub-operation alone), and the next item's read starts now, overlapping this send.
      return whole(items, index, scu).thenCompose(bytes -> scu != null
          ? scu.cStore(item.sopClassUid(), item.sopInstanceUid(), target, bytes,
              association.callingAeTitle(), request.messageId())
          : getStore(context, item, null, bytes));
    }
    CompletionStage<Source<ByteString, ?>> data;
    if (target.equals(item.storedTransferSyntaxUid())) {
      // The first chunk is read before the C-STORE-RQ goes out: a data set that cannot be opened
      // (missing, its node down) fails this sub-operation alone instead of cutting the
      // association in the middle of a data set.
      data = item.dataSet().get().prefixAndTail(1).runWith(Sink.head(), materializer)
          .thenApply(firstAndRest -> Source.from(firstAndRest.first())
              .concat(firstAndRest.second()));
    } else {
      data = RetrieveTranscoder.convert(item.dataSet().get(), item.storedTransferSyntaxUid(),
          target, services.maxTranscodeBytes(), materializer).thenApply(Source::single);
    }
    return data.thenCompose(source -> scu != null
        ? scu.cStore(item.sopClassUid(), item.sopInstanceUid(), target, source,
            association.callingAeTitle(), request.messageId())
        : getStore(context, item, source, null));
  }

  private Collection<String> accepted(RetrieveItem item, ScuAssociation scu) {
    return scu != null ? scu.acceptedTransferSyntaxes(item.sopClassUid())
        : getContexts.stream().filter(c -> c.sopClassUid().equals(item.sopClassUid()))
            .map(StorageContext::transferSyntaxUid).toList();
  }

  /** The transfer syntax the item is sent in, or null if the peer accepted none we can make. */
  private String target(RetrieveItem item, ScuAssociation scu) {
    return RetrieveTranscoder.choose(item.storedTransferSyntaxUid(), accepted(item, scu));
  }

  /** Sent as stored from bytes read whole (no conversion, small enough to hold), as above. */
  private boolean sentWhole(RetrieveItem item, ScuAssociation scu) {
    return item.wholeDataSet() != null
        && item.storedTransferSyntaxUid().equals(target(item, scu));
  }

  /** Item {@code index}'s bytes (prefetched if they were); starts reading item index + 1. */
  private CompletionStage<ByteString> whole(List<RetrieveItem> items, int index,
      ScuAssociation scu) {
    CompletionStage<ByteString> mine = prefetchedIndex == index ? prefetched
        : items.get(index).wholeDataSet().get();
    prefetched = null;
    prefetchedIndex = -1;
    int next = index + 1;
    if (next < items.size() && !cancelled && sentWhole(items.get(next), scu)) {
      prefetchedIndex = next;
      prefetched = items.get(next).wholeDataSet().get();
    }
    return mine;
  }

  /**
   * C-STORE-RQ on the requesting association (PS3.4 C.4.3.2), awaiting its C-STORE-RSP; the data
   * set streamed from {@code source} or, if that is null, from {@code whole}, sent at once.
   */
  private CompletionStage<DimseStatus> getStore(StorageContext context, RetrieveItem item,
      Source<ByteString, ?> source, ByteString whole) {
    int messageId = storeMessageIds.incrementAndGet() & 0xFFFF;
    CommandSet rq = new CommandSet()
        .putUid(CommandSet.AFFECTED_SOP_CLASS_UID, item.sopClassUid())
        .putUs(CommandSet.COMMAND_FIELD, CommandField.C_STORE_RQ.code)
        .putUs(CommandSet.MESSAGE_ID, messageId)
        .putUs(CommandSet.PRIORITY, request.priority())
        .putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.DATA_SET_PRESENT)
        .putUid(CommandSet.AFFECTED_SOP_INSTANCE_UID, item.sopInstanceUid());
    CompletableFuture<CommandSet> response = new CompletableFuture<>();
    storeMessageId = messageId;
    storeResponse = response;
    if (ended) {
      return CompletableFuture.failedFuture(new AssociationEndedException("association ended"));
    }
    List<PDataTf> command = PDataFragmenter.fragment(context.contextId(), true, rq.encode(),
        maxValueLength);
    CompletionStage<?> sent;
    if (source == null) {
      List<PDataTf> all = new ArrayList<>(command);
      all.addAll(PDataFragmenter.fragment(context.contextId(), false, whole, maxValueLength));
      sent = offer(all);
    } else {
      sent = offer(command).thenCompose(x -> source
          .via(DataSetFragments.flow(context.contextId(), maxValueLength))
          .groupedWeighted(DataSetFragments.BATCH_BYTES, RetrieveOperation::valueBytes)
          .mapAsync(1, this::offer)
          .runWith(Sink.ignore(), materializer));
    }
    return sent
        .thenCompose(x -> Completions.within(response,
            services.scuSettings().responseTimeout(), scheduler))
        .thenApply(rsp -> {
          Integer status = rsp.getUs(CommandSet.STATUS);
          return DimseStatus.of(status == null ? Status.PROCESSING_FAILURE : status,
              rsp.getString(CommandSet.ERROR_COMMENT));
        });
  }

  private DimseStatus finalStatus(int remaining) {
    if (cancelled && !ended) {
      return DimseStatus.of(Status.CANCEL, "cancelled, " + remaining + " not sent");
    }
    if (failed.isEmpty() && warning.isEmpty()) {
      return DimseStatus.SUCCESS;
    }
    if (completed.isEmpty() && warning.isEmpty()) {
      return DimseStatus.of(UNABLE_TO_PERFORM_SUBOPERATIONS, failed.size() + " failed");
    }
    return DimseStatus.of(SUBOPERATIONS_COMPLETE_ONE_OR_MORE_FAILURES,
        failed.size() + " failed, " + warning.size() + " warnings");
  }

  private CommandSet response(DimseStatus status, Integer remaining) {
    boolean withCounts = status.code() != MOVE_DESTINATION_UNKNOWN;
    return DimseResponses.response(rspField, request.messageId(), request.affectedSopClassUid(),
        status, false, withCounts ? new DimseResponses.Counts(remaining, completed.size(),
            failed.size(), warning.size()) : null);
  }

  private void finish(String destinationAe, List<RetrieveItem> items, int remaining,
      DimseStatus status, boolean wasCancelled) {
    ByteString failedList = null;
    if (!failed.isEmpty()) {
      Dataset ds = new Dataset();
      ds.putString(Tag.FailedSOPInstanceUIDList, Vr.UI, String.join("\\", failed));
      failedList = ByteString.fromArrayUnsafe(
          DatasetWriter.encode(ds, request.transferSyntaxUid()));
    }
    CommandSet rsp = response(status, wasCancelled ? remaining : null);
    if (failedList != null) {
      rsp.putUs(CommandSet.COMMAND_DATA_SET_TYPE, CommandSet.DATA_SET_PRESENT);
    }
    // Reported before the final response goes out: when the peer has it, the access is on its
    // way to the journal (and a caller waiting for the report never races the response).
    log.info("assoc={} calling={} {} to {}: {} items, {} completed, {} failed, {} warning, status"
            + " {}", association.associationId(), association.callingAeTitle(), request.kind(),
        destinationAe, items.size(), completed.size(), failed.size(), warning.size(),
        String.format("%04X", status.code()));
    try {
      services.retrieve().onRetrieveCompleted(association, new RetrieveReport(request.kind(),
          request, destinationAe, completed, failed, warning, wasCancelled, status));
    } catch (RuntimeException e) {
      log.error("assoc={} onRetrieveCompleted failed", association.associationId(), e);
    }
    offer(DimseResponses.pdus(contextId, rsp, failedList, maxValueLength))
        .whenComplete((x, e) -> queue.complete());
  }

  private static long valueBytes(PDataTf pdu) {
    long n = 0;
    for (PresentationDataValue v : pdu.values()) {
      n += v.value().size();
    }
    return n;
  }

  private CompletionStage<Done> offer(List<PDataTf> pdus) {
    if (ended) {
      return CompletableFuture.failedFuture(new AssociationEndedException("association ended"));
    }
    // direct: the loop goes on in the association's thread, not on the common pool (Completions).
    return Completions.direct(queue.offer(pdus)).thenApply(result -> {
      if (result != QueueOfferResult.enqueued()) {
        throw new AssociationEndedException("association ended (" + result + ")");
      }
      return Done.getInstance();
    });
  }

  /** The cause inside a future's wrapping (CompletionException, ExecutionException). */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
