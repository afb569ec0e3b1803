// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.annal.archive.impl.Sha256;
import org.annal.storage.BlobKey;
import org.annal.storage.BlobNotFoundException;
import org.annal.storage.BlobStore;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code annal verify}: replays every study from the journal ({@link StudyJournal}), folds its
 * events into the current placements, and re-reads every blob placed on this node, checking its
 * size and SHA-256 against the event; also checks each study's hash chain. Read-only.
 *
 * <pre>
 *  study persistence ids ─▶ mapAsync(p, replay) ─▶ placements on this node
 *                        ─▶ mapAsyncUnordered(p, re-read blob, SHA-256) ─▶ fold into Report
 * </pre>
 *
 * Memory is bounded by the parallelism, one study state per replay in flight, and at most {@link
 * #MAX_PROBLEMS_LISTED} problems listed (all are counted).
 */
public final class StudyVerifier {
  private static final Logger log = LoggerFactory.getLogger(StudyVerifier.class);

  /** Problems beyond this many are counted in the summary but not listed. */
  public static final int MAX_PROBLEMS_LISTED = 10_000;

  /** What verify found; {@code ok + mismatched + missing + unreadable} blobs were checked. */
  public record Summary(
      long studies,
      long instances,
      long ok,
      long mismatched,
      long missing,
      long unreadable,
      long brokenChains,
      long placementsOnOtherNodes,
      long bytes) {
    public boolean clean() {
      return mismatched == 0 && missing == 0 && unreadable == 0 && brokenChains == 0;
    }
  }

  /** Kinds of problem. */
  public enum ProblemKind { MISSING, MISMATCHED, UNREADABLE, HASH_CHAIN_BROKEN }

  /** One problem: which study, instance and blob (null where not applicable), and what. */
  public record Problem(ProblemKind kind, String studyInstanceUid, String sopInstanceUid,
      String blobKey, String detail) {}

  /** Summary and listed problems. */
  public record Report(Summary summary, List<Problem> problems) {
    public Report {
      problems = List.copyOf(problems);
    }
  }

  private final ActorSystem<?> system;
  private final StudyJournal journal;
  private final BlobStore blobStore;
  private final ArchiveSettings settings;

  public StudyVerifier(ActorSystem<?> system, StudyJournal journal, BlobStore blobStore,
      ArchiveSettings settings) {
    this.system = system;
    this.journal = journal;
    this.blobStore = blobStore;
    this.settings = settings;
  }

  /** Runs the whole verification. */
  public CompletionStage<Report> verify() {
    int parallelism = settings.verifyParallelism();
    return journal.studyPersistenceIds()
        .mapAsync(parallelism, id -> journal.replay(id, settings.nodeId()))
        .mapConcat(this::checksOf)
        .mapAsyncUnordered(parallelism, this::run)
        .runWith(Sink.fold(new Tally(), Tally::add), system)
        .thenApply(Tally::report);
  }

  /** What to check for one study: a chain marker, then one check per instance. */
  private List<Check> checksOf(StudyJournal.Replay replay) {
    Study.State state = replay.state();
    List<Check> checks = new ArrayList<>(state.instances().size() + 1);
    checks.add(new Check(state.studyInstanceUid(), null, null, replay.brokenAtEvent(), true));
    for (Study.Instance instance : state.instances().values()) {
      Placement local = instance.placements().stream()
          .filter(p -> p.nodeId().equals(settings.nodeId())).findFirst().orElse(null);
      checks.add(new Check(state.studyInstanceUid(), instance, local, 0, false));
    }
    return checks;
  }

  private record Check(String studyUid, Study.Instance instance, Placement placement,
      long brokenAtEvent, boolean studyMarker) {}

  private record Outcome(Check check, ProblemKind problem, long bytes, String detail) {}

  private CompletionStage<Outcome> run(Check check) {
    if (check.studyMarker() || check.placement() == null) {
      return CompletableFuture.completedFuture(
          new Outcome(check, null, 0, null));
    }
    Study.Instance instance = check.instance();
    BlobKey key = new BlobKey(check.placement().blobKey());
    return blobStore.get(key)
        .runWith(Sink.fold(new Digest(), Digest::add), system)
        .handle((digest, error) -> {
          if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
            return cause instanceof BlobNotFoundException
                ? new Outcome(check, ProblemKind.MISSING, 0, "blob not found")
                : new Outcome(check, ProblemKind.UNREADABLE, 0, cause.toString());
          }
          String sha = digest.hex();
          if (digest.size != instance.size() || !sha.equals(instance.sha256())) {
            return new Outcome(check, ProblemKind.MISMATCHED, digest.size,
                "expected " + instance.size() + " bytes sha256 " + instance.sha256() + ", found "
                    + digest.size + " bytes sha256 " + sha);
          }
          return new Outcome(check, null, digest.size, null);
        });
  }

  private static final class Digest {
    private final MessageDigest sha = Sha256.newDigest();
    private long size;

    Digest add(org.apache.pekko.util.ByteString chunk) {
      chunk.getByteBuffers().forEach(sha::update);
      size += chunk.size();
      return this;
    }

    String hex() {
      return Sha256.hex(sha.digest());
    }
  }

  /** Mutable fold state: used from one stage only. */
  private static final class Tally {
    long studies, instances, ok, mismatched, missing, unreadable, brokenChains, elsewhere, bytes;
    final List<Problem> problems = new ArrayList<>();

    Tally add(Outcome o) {
      Check c = o.check();
      if (c.studyMarker()) {
        studies++;
        if (c.brokenAtEvent() != 0) {
          brokenChains++;
          problem(new Problem(ProblemKind.HASH_CHAIN_BROKEN, c.studyUid(), null, null,
              "prevHash does not match at event " + c.brokenAtEvent()));
        }
        return this;
      }
      instances++;
      if (c.placement() == null) {
        elsewhere++;
        return this;
      }
      bytes += o.bytes();
      if (o.problem() == null) {
        ok++;
        return this;
      }
      switch (o.problem()) {
        case MISSING -> missing++;
        case MISMATCHED -> mismatched++;
        default -> unreadable++;
      }
      problem(new Problem(o.problem(), c.studyUid(), c.instance().sopInstanceUid(),
          c.placement().blobKey(), o.detail()));
      return this;
    }

    private void problem(Problem p) {
      log.warn("verify: {} study {} instance {} blob {}: {}", p.kind(), p.studyInstanceUid(),
          p.sopInstanceUid(), p.blobKey(), p.detail());
      if (problems.size() < MAX_PROBLEMS_LISTED) {
        problems.add(p);
      }
    }

    Report report() {
      return new Report(new Summary(studies, instances, ok, mismatched, missing, unreadable,
          brokenChains, elsewhere, bytes), problems);
    }
  }
}
