// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.annal.http.InstanceFiles;
import org.annal.archive.Placement;
import org.annal.archive.Study;
import org.annal.archive.StudyJournal;
import org.annal.storage.BlobKey;
import org.annal.storage.BlobMismatchException;
import org.annal.storage.BlobStore;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an instance's file from this node's blob store when one of its placements is here, else
 * streams it from a node that holds it, over that node's signed {@code /internal/blobs} endpoint
 * ({@link InternalRoutes}). Either way the bytes are checked against the size and SHA-256 in the
 * journal as they go: a mismatch fails the stream instead of passing as the file.
 *
 * <p>Until replication exists, an instance whose only node is down is unavailable (not lost): the
 * answer is {@link InstanceFiles.UnavailableException} naming that node.
 */
public final class ClusterInstanceFiles implements InstanceFiles {
  private static final Logger log = LoggerFactory.getLogger(ClusterInstanceFiles.class);

  private final ActorSystem<?> system;
  private final StudyJournal journal;
  private final BlobStore blobs;
  private final String selfNodeId;
  private final ClusterNodes nodes;
  private final InternalAuth auth;
  private final Duration timeout;

  public ClusterInstanceFiles(ActorSystem<?> system, StudyJournal journal, BlobStore blobs,
      String selfNodeId, ClusterNodes nodes, InternalAuth auth, Duration timeout) {
    this.system = system;
    this.journal = journal;
    this.blobs = blobs;
    this.selfNodeId = selfNodeId;
    this.nodes = nodes;
    this.auth = auth;
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Optional<InstanceFile>> open(String studyUid, String sopUid) {
    return journal.replay(Study.persistenceId(studyUid).id(), selfNodeId).thenCompose(replay -> {
      Study.Instance instance = replay.state().instances().get(sopUid);
      if (instance == null) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      // This node's copy first; then the others in a stable order.
      List<Placement> placements = new ArrayList<>(instance.placements());
      placements.sort(Comparator.comparing((Placement p) -> !p.nodeId().equals(selfNodeId))
          .thenComparing(Placement::nodeId));
      return openFirst(instance, placements, 0, new ArrayList<>())
          .thenApply(Optional::of);
    });
  }

  private CompletionStage<InstanceFile> openFirst(Study.Instance instance, List<Placement> placements,
      int index, List<String> failures) {
    if (index == placements.size()) {
      return CompletableFuture.failedFuture(new UnavailableException("instance "
          + instance.sopInstanceUid() + " is stored on " + String.join("; ", failures)
          + ": unavailable until that node is back"));
    }
    Placement p = placements.get(index);
    return openBlob(p.nodeId(), p.blobKey(), instance.size(), instance.sha256(),
        "instance " + instance.sopInstanceUid())
        .handle((bytes, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedFuture(
                new InstanceFile(instance.size(), bytes, p.nodeId()));
          }
          Throwable cause = failure instanceof java.util.concurrent.CompletionException
              && failure.getCause() != null ? failure.getCause() : failure;
          failures.add("node " + p.nodeId() + " (" + cause.getMessage() + ")");
          return openFirst(instance, placements, index + 1, failures);
        }).thenCompose(x -> x);
  }

  /**
   * The bytes of one blob, from this node's store when {@code nodeId} is this node, else from that
   * node's {@code /internal/blobs}; checked against {@code size} and {@code sha256} as they pass
   * (the stream fails at its end on a mismatch). The first chunk is read before the stage
   * completes, so a missing blob or an unreachable node fails the stage, not a stream already
   * promised to someone (a 200, a C-STORE sub-operation).
   *
   * @param what names the blob in error messages (e.g. "instance 1.2.3")
   */
  public CompletionStage<Source<ByteString, NotUsed>> openBlob(String nodeId, String blobKey,
      long size, String sha256, String what) {
    if (nodeId.equals(selfNodeId)) {
      return blobs.get(new BlobKey(blobKey)).prefixAndTail(1).runWith(Sink.head(), system)
          .thenApply(firstAndRest -> checked(
              Source.from(firstAndRest.first()).concat(firstAndRest.second()), size, sha256,
              what, nodeId));
    }
    Optional<String> url = nodes.internalUrl(nodeId);
    if (url.isEmpty()) {
      return CompletableFuture.failedFuture(new UnavailableException(
          "node " + nodeId + " holds " + what + " and is not a reachable cluster member now"));
    }
    return remote(url.get(), blobKey).handle((response, failure) -> {
      if (failure == null && response.status().intValue() == 200) {
        return checked(response.entity().getDataBytes(), size, sha256, what, nodeId);
      }
      String why = failure != null ? failure.toString() : "HTTP " + response.status().intValue();
      if (response != null) {
        response.discardEntityBytes(system);
      }
      log.atWarn().addKeyValue("event", "remote_read_failed").addKeyValue("node", nodeId)
          .log("Reading blob {} from node {} at {} failed: {}", blobKey, nodeId, url.get(), why);
      throw new UnavailableException("node " + nodeId + " did not serve " + what + ": " + why);
    });
  }

  /**
   * {@link #openBlob} read whole into memory, for blobs known to be small: from this node's store
   * without a stream (no per-file stream to materialize), from another node through
   * {@code /internal/blobs}; fails if the bytes are not {@code size} and {@code sha256}.
   */
  public CompletionStage<ByteString> readWhole(String nodeId, String blobKey, long size,
      String sha256, String what) {
    if (!nodeId.equals(selfNodeId)) {
      return openBlob(nodeId, blobKey, size, sha256, what).thenCompose(source -> source
          .runFold(ByteString.emptyByteString(), ByteString::concat, system));
    }
    // Checked against the CRC-32C the store recorded when writing, else the SHA-256
    // (BlobStore.readAllVerified): a third of a retrieve's CPU was this SHA-256 otherwise.
    return blobs.readAllVerified(new BlobKey(blobKey), size, sha256)
        .exceptionally(failure -> {
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof BlobMismatchException m) {
            IOException e = mismatch(what, nodeId, m.actualSize(), m.actualSha256(), size, sha256);
            e.initCause(m);
            throw new CompletionException(e);
          }
          throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        });
  }

  private CompletionStage<HttpResponse> remote(String baseUrl, String blobKey) {
    String path = InternalRoutes.BLOBS_PATH + blobKey;
    String[] signed = auth.sign("GET", path, selfNodeId);
    HttpRequest request = HttpRequest.GET(baseUrl + path).addHeaders(List.of(
        RawHeader.create(InternalAuth.NODE_HEADER, signed[0]),
        RawHeader.create(InternalAuth.TIME_HEADER, signed[1]),
        RawHeader.create(InternalAuth.SIGNATURE_HEADER, signed[2])));
    CompletableFuture<HttpResponse> answer = new CompletableFuture<>();
    Http.get(system).singleRequest(request).whenComplete((response, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else if (!answer.complete(response)) {
        // Too late: we stopped waiting. Drain it, or its pooled connection stays taken.
        response.discardEntityBytes(system);
      }
    });
    return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code source}, failing at its end if its bytes are not the instance's size and SHA-256. */
  static Source<ByteString, NotUsed> checked(Source<ByteString, ?> source, Study.Instance instance,
      String nodeId) {
    return checked(source, instance.size(), instance.sha256(),
        "instance " + instance.sopInstanceUid(), nodeId);
  }

  /** {@code source}, failing at its end if its bytes are not {@code size} and {@code sha256}. */
  static Source<ByteString, NotUsed> checked(Source<ByteString, ?> source, long size,
      String sha256, String what, String nodeId) {
    return Source.lazySource(() -> {
      MessageDigest digest = sha256();
      long[] count = {0};
      return source.map(chunk -> {
        digest.update(chunk.toByteBuffer());
        count[0] += chunk.size();
        return chunk;
      // concatLazy: plain concat would start the check at once, before any byte was counted.
      }).concatLazy(Source.lazySource(() -> {
        String sha = HexFormat.of().formatHex(digest.digest());
        if (count[0] == size && sha.equals(sha256)) {
          return Source.<ByteString>empty();
        }
        return Source.<ByteString>failed(mismatch(what, nodeId, count[0], sha, size, sha256));
      }));
    }).mapMaterializedValue(m -> NotUsed.notUsed());
  }

  private static IOException mismatch(String what, String nodeId, long size, String sha,
      long expectedSize, String expectedSha) {
    return new IOException("blob of " + what + " from node " + nodeId + " is " + size
        + " bytes with SHA-256 " + sha + ", the journal says " + expectedSize + " bytes, "
        + expectedSha);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
