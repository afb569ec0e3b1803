// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.annal.archive.impl.DatasetTap;
import org.annal.archive.impl.HeaderParser;
import org.annal.archive.impl.HeaderParser.Header;
import org.annal.archive.impl.RecordBatcher;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CStoreHandler;
import org.annal.dicom.net.CStoreRq;
import org.annal.dicom.net.DimseStatus;
import org.annal.dicom.net.Status;
import org.annal.storage.BlobKey;
import org.annal.storage.BlobStore;
import org.annal.storage.StoredBlob;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamConverters;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive's Storage SCP (PS3.4 Annex B): what happens to one C-STORE once the association has
 * its command set (ARCHITECTURE "path of one C-STORE").
 *
 * <pre>
 *  data set bytes ──▶ [tap: SHA-256 of data set, first header-prefix-limit bytes] ──┐
 *  File Meta Information (PS3.10 §7.1) ─ prepended ───────────────────────────────────┴─▶ BlobStore.put
 *                                                                  (fsync, rename) ──▶ StoredBlob
 *  StoredBlob ─▶ parse header (prefix, or the stored blob if longer) ─▶ validate ─▶ ask Study
 *             (grouped with concurrent instances of the same study: {@link RecordBatcher})
 *             ─▶ RecordInstance persisted ─▶ C-STORE-RSP status
 * </pre>
 *
 * <p>Each blob is a complete PS3.10 file whose data set is byte for byte what the peer sent.
 * Status mapping (PS3.4 Table B.2-1, PS3.7 Annex C):
 *
 * <ul>
 *   <li>Success (0000): the InstanceStored event is persisted; also for a duplicate with identical
 *       data set (acknowledged, new blob deleted) and under policy {@code replace}.
 *   <li>Warning B000 (Coercion of Data Elements): duplicate SOP Instance UID with different bytes
 *       under policy {@code keep-first}; new blob deleted. A warning, not a failure, because the
 *       SCU must not retry (a retry gets the same answer) and every Storage SCU treats Bxxx as
 *       "stored"; B000 because what the archive holds under that UID is not what was just sent,
 *       which is the meaning of coercion. The Error Comment says so.
 *   <li>A900 (Data Set Does Not Match SOP Class): SOP Instance/Class UID in the data set differ
 *       from the command's Affected ones, or Study/Series Instance UID missing or malformed; blob
 *       deleted.
 *   <li>C000 (Cannot Understand): the data set cannot be parsed; blob deleted.
 *   <li>A700 (Out of Resources): the blob store failed, or the Study entity did not confirm in
 *       {@code ask-timeout}; logged with association id, calling AE and SOP Instance UID. Such a
 *       blob is an orphan unless the event still lands; the {@link OrphanSweeper} removes it.
 * </ul>
 *
 * <p>If the data set ends early (upstream failure) the blob store leaves nothing behind and the
 * sink's value fails: no event, never a success.
 */
public final class StoreService implements CStoreHandler {
  private static final Logger log = LoggerFactory.getLogger(StoreService.class);

  /** PS3.5 §9.1: digits and dots, at most 64 characters. Leading zeros tolerated (seen in the wild). */
  private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

  /** Instances of one study per journal write at most (below the journal's batch size, 100). */
  private static final int MAX_BATCH = 32;

  private final ActorSystem<?> system;
  private final BlobStore blobStore;
  private final ArchiveSettings settings;
  private final RecordBatcher batcher;
  private final Executor blocking;
  private final Clock clock;

  /** The entity must be registered on this node ({@link Study#init}). */
  public StoreService(ActorSystem<?> system, BlobStore blobStore, ArchiveSettings settings) {
    this(system, blobStore, settings, Clock.systemUTC());
  }

  StoreService(ActorSystem<?> system, BlobStore blobStore, ArchiveSettings settings, Clock clock) {
    this.system = system;
    this.blobStore = blobStore;
    this.settings = settings;
    this.batcher = new RecordBatcher(ClusterSharding.get(system), settings.askTimeout(),
        settings.recordAttemptTimeout(), MAX_BATCH);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.clock = clock;
  }

  @Override
  public Sink<ByteString, CompletionStage<DimseStatus>> onCStore(
      AssociationInfo association, CStoreRq request, String transferSyntaxUid) {
    // The association materializes this sink exactly once (CStoreHandler), so the tap (digest,
    // prefix) created here belongs to this C-STORE alone.
    byte[] meta = FileMetaInformation.of(request.affectedSopClassUid(),
        request.affectedSopInstanceUid(), transferSyntaxUid, association.callingAeTitle())
        .encode();
    // The meta header rides on the first data set chunk (a rope, no copy): cheaper than a
    // prepend, which is a fan-in stage per C-STORE.
    DatasetTap tap = new DatasetTap(settings.headerPrefixLimit(), ByteString.fromArrayUnsafe(meta));
    return Flow.of(ByteString.class)
        .map(tap::accept)
        // Only failures of the incoming data set pass here; the store's own fail downstream.
        .mapError(Throwable.class, tap::upstreamFailed)
        .toMat(blobStore.put(), Keep.right())
        .mapMaterializedValue(stored -> stored
            .handle((blob, error) -> error == null
                ? afterStored(association, request, transferSyntaxUid, meta.length, tap, blob)
                : notStored(association, request, tap, error))
            .thenCompose(s -> s));
  }

  /**
   * A data set that ended early fails the sink (no answer is due on a broken association, and it
   * must never look like success); a blob store failure is answered A700.
   */
  private CompletionStage<DimseStatus> notStored(
      AssociationInfo a, CStoreRq rq, DatasetTap tap, Throwable error) {
    Throwable cause = unwrap(error);
    if (tap.hasUpstreamFailed()) {
      log.warn("C-STORE data set incomplete, nothing stored: association {}, calling AE {}, "
          + "SOP Instance UID {}: {}", a.associationId(), a.callingAeTitle(),
          rq.affectedSopInstanceUid(), cause.toString());
      return CompletableFuture.failedFuture(cause);
    }
    log.error("C-STORE refused A700, blob store failed: association {}, calling AE {}, "
        + "SOP Instance UID {}: {}", a.associationId(), a.callingAeTitle(),
        rq.affectedSopInstanceUid(), cause.toString());
    return CompletableFuture.completedFuture(
        DimseStatus.of(Status.OUT_OF_RESOURCES, "Archive storage unavailable"));
  }

  private CompletionStage<DimseStatus> afterStored(AssociationInfo a, CStoreRq rq, String ts,
      int metaLength, DatasetTap tap, StoredBlob blob) {
    long receivedAt = clock.millis();
    if (tap.size() == 0) {
      return reject(blob.key(), DimseStatus.of(Status.CANNOT_UNDERSTAND, "Empty data set"), a, rq);
    }
    if (blob.size() != metaLength + tap.size()) {
      return reject(blob.key(), DimseStatus.of(Status.PROCESSING_FAILURE,
          "Stored size differs from received size"), a, rq);
    }
    return header(tap, ts, blob, metaLength)
        .thenCompose(header -> {
          DimseStatus invalid = validate(header, rq);
          if (invalid != null) {
            return reject(blob.key(), invalid, a, rq);
          }
          return record(a, rq, ts, tap, blob, header, receivedAt);
        })
        .exceptionallyCompose(e -> {
          Throwable cause = unwrap(e);
          DimseStatus status = cause instanceof IOException
              ? DimseStatus.of(Status.CANNOT_UNDERSTAND, truncate("Cannot parse data set: "
                  + cause.getMessage()))
              : DimseStatus.of(Status.PROCESSING_FAILURE, "Internal error reading data set");
          if (!(cause instanceof IOException)) {
            log.error("Header parse failed: association {}, SOP Instance UID {}",
                a.associationId(), rq.affectedSopInstanceUid(), cause);
          }
          return reject(blob.key(), status, a, rq);
        });
  }

  /** The header from the prefix if it holds it; otherwise re-read from the stored blob. */
  private CompletionStage<Header> header(
      DatasetTap tap, String ts, StoredBlob blob, int metaLength) {
    try {
      var fromPrefix = HeaderParser.parsePrefix(tap.prefix().toArray(), tap.size(), ts);
      if (fromPrefix.isPresent()) {
        return CompletableFuture.completedFuture(fromPrefix.get());
      }
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    // Blocking InputStream: parse on the blocking dispatcher, reading no further than Pixel Data.
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream in = blobStore.get(blob.key(), metaLength, blob.size() - metaLength)
          .runWith(StreamConverters.asInputStream(settings.askTimeout()), system)) {
        return HeaderParser.parse(in, blob.size() - metaLength, ts);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, blocking);
  }

  private static DimseStatus validate(Header h, CStoreRq rq) {
    if (!rq.affectedSopInstanceUid().equals(h.sopInstanceUid())) {
      return DimseStatus.of(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
          "SOP Instance UID differs from Affected SOP Instance UID");
    }
    if (!rq.affectedSopClassUid().equals(h.sopClassUid())) {
      return DimseStatus.of(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
          "SOP Class UID differs from Affected SOP Class UID");
    }
    if (!isUid(h.studyInstanceUid())) {
      return DimseStatus.of(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
          "Study Instance UID missing or invalid");
    }
    if (!isUid(h.seriesInstanceUid())) {
      return DimseStatus.of(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
          "Series Instance UID missing or invalid");
    }
    return null;
  }

  static boolean isUid(String s) {
    return s != null && s.length() <= 64 && UID.matcher(s).matches();
  }

  private CompletionStage<DimseStatus> record(AssociationInfo a, CStoreRq rq, String ts,
      DatasetTap tap, StoredBlob blob, Header h, long receivedAt) {
    ReceivedInstance instance = new ReceivedInstance(h.studyInstanceUid(), h.seriesInstanceUid(),
        h.sopInstanceUid(), h.sopClassUid(), ts, blob.size(), blob.sha256(), tap.sha256(),
        new Placement(settings.nodeId(), settings.site(), settings.storageTier(),
            blob.key().value()),
        new Sender(a.callingAeTitle(), a.calledAeTitle(), Sender.address(a.peerAddress()),
            a.associationId(), rq.moveOriginatorAeTitle()),
        receivedAt, h.attributes());
    return batcher.record(instance)
        .thenCompose(recorded -> respond(recorded, blob.key(), a, rq))
        .exceptionally(e -> {
          // The blob stays: if the event still lands it is referenced, else the sweeper takes it.
          log.error("C-STORE refused A700, event not confirmed: association {}, calling AE {}, "
              + "SOP Instance UID {}, blob {}: {}", a.associationId(), a.callingAeTitle(),
              rq.affectedSopInstanceUid(), blob.key(), unwrap(e).toString());
          return DimseStatus.of(Status.OUT_OF_RESOURCES, "Archive could not record the instance");
        });
  }

  private CompletionStage<DimseStatus> respond(
      Study.Recorded recorded, BlobKey key, AssociationInfo a, CStoreRq rq) {
    return switch (recorded.outcome()) {
      case STORED, DUPLICATE_REPLACED -> CompletableFuture.completedFuture(DimseStatus.SUCCESS);
      case DUPLICATE_IDENTICAL -> deleteQuietly(key, "identical duplicate")
          .thenApply(done -> DimseStatus.SUCCESS);
      case DUPLICATE_KEPT_FIRST -> {
        log.warn("Duplicate SOP Instance UID {} with different data from {} (association {}): "
            + "first copy kept", rq.affectedSopInstanceUid(), a.callingAeTitle(),
            a.associationId());
        yield deleteQuietly(key, "different duplicate, first kept")
            .thenApply(done -> DimseStatus.of(Status.COERCION_OF_DATA_ELEMENTS,
                "Duplicate SOP Instance, different data: first copy kept"));
      }
    };
  }

  private CompletionStage<DimseStatus> reject(
      BlobKey key, DimseStatus status, AssociationInfo a, CStoreRq rq) {
    log.warn("C-STORE rejected {}: association {}, calling AE {}, SOP Instance UID {}: {}",
        String.format("%04X", status.code()), a.associationId(), a.callingAeTitle(),
        rq.affectedSopInstanceUid(), status.errorComment());
    return deleteQuietly(key, "rejected").thenApply(done -> status);
  }

  /** A failed delete leaves an unreferenced blob, which the sweeper removes later. */
  private CompletionStage<Done> deleteQuietly(BlobKey key, String why) {
    return blobStore.delete(key).exceptionally(e -> {
      log.warn("Could not delete blob {} ({}), left for the orphan sweeper: {}", key, why,
          unwrap(e).toString());
      return Done.getInstance();
    });
  }

  private static String truncate(String s) {
    // Error Comment (0000,0902) is LO: at most 64 characters.
    return s.length() <= 64 ? s : s.substring(0, 64);
  }

  private static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
