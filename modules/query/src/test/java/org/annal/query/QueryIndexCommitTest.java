// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.annal.archive.Study;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.Field;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index commits every commit-interval, not per group: what a crash leaves is the last commit,
 * whose offsets are where each tag resumes, and resuming there gives the answers of no crash.
 */
class QueryIndexCommitTest {
  static final Duration NEVER = Duration.ofHours(1);

  /**
   * Closing while the background commit runs must not break the index: interrupting that commit
   * (shutdownNow) closed the channel of Lucene's write lock, and the final commit then failed
   * with "FileLock invalidated by an external force" (CI, under load).
   */
  @Test
  void closingDuringABackgroundCommitStillCommits(@TempDir Path dir) {
    List<Study.Event> events = TestStudies.events();
    for (int round = 0; round < 40; round++) {
      Path at = dir.resolve("r" + round);
      try (QueryIndex index = QueryIndex.open(at, Duration.ofMillis(1))) {
        index.apply("study-0", events, Offset.sequence(events.size()));
        // close at once: the committer (every 1 ms) is likely in the middle of its commit
      }
      try (QueryIndex reopened = QueryIndex.open(at, NEVER)) {
        assertEquals(Optional.of(Offset.sequence(events.size())),
            reopened.resumeOffset("study-0"), "round " + round);
        assertEquals(events.size(), reopened.counts().get("INSTANCE"), "round " + round);
      }
    }
  }

  @Test
  void aCrashLeavesTheLastCommitAndItsOffsets(@TempDir Path dir) throws IOException {
    List<Study.Event> events = TestStudies.events();
    List<Study.Event> first = events.subList(0, 6);
    List<Study.Event> rest = events.subList(6, events.size());
    Path live = dir.resolve("live");
    Path crashed = dir.resolve("crashed");
    List<String> reference;
    try (QueryIndex index = QueryIndex.open(live, NEVER)) {
      index.apply("study-0", first, Offset.sequence(6));
      index.commit();
      index.apply("study-0", rest, Offset.sequence(12));
      // visible before any commit; a tag restarted in this process goes on after 12
      assertEquals(12, index.counts().get("INSTANCE"));
      assertEquals(Optional.of(Offset.sequence(12)), index.resumeOffset("study-0"));
      reference = StudyIndexProjectionTest.answers(index);
      copy(live, crashed); // the files as a kill -9 now would leave them
    }
    try (QueryIndex index = QueryIndex.open(crashed, NEVER)) {
      assertEquals(Optional.of(Offset.sequence(6)), index.resumeOffset("study-0"));
      assertEquals(Optional.empty(), index.resumeOffset("study-1"));
      assertEquals(instances(first), index.counts().get("INSTANCE"));
      // the projection resumes after offset 6; a redelivered event counts nothing twice
      index.apply("study-0", events.subList(5, events.size()), Offset.sequence(12));
      assertEquals(reference, StudyIndexProjectionTest.answers(index));
    }
    try (QueryIndex index = QueryIndex.open(live, NEVER)) {
      assertEquals(Optional.of(Offset.sequence(12)), index.resumeOffset("study-0"),
          "close commits");
    }
  }

  @Test
  void commitsInTheBackground(@TempDir Path dir) throws Exception {
    Path live = dir.resolve("index");
    try (QueryIndex index = QueryIndex.open(live, Duration.ofMillis(100))) {
      index.apply("study-3", TestStudies.events(), Offset.sequence(42));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      String committed = null;
      while (committed == null && System.nanoTime() < deadline) {
        Thread.sleep(50);
        try (var d = FSDirectory.open(live)) {
          committed = SegmentInfos.readLatestCommit(d).getUserData().get("annal.offset.study-3");
        }
      }
      assertEquals("seq:42", committed);
    }
  }

  @Test
  void anIndexOfAnotherLayoutIsRebuilt(@TempDir Path dir) throws IOException {
    Path old = dir.resolve("index");
    try (var d = FSDirectory.open(old);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
      Document doc = new Document();
      doc.add(new StringField("t", "STUDY", Field.Store.YES));
      w.addDocument(doc);
      w.setLiveCommitData(Map.of("annal.generation", "old").entrySet());
      w.commit();
    }
    try (QueryIndex index = QueryIndex.open(old, NEVER)) {
      assertNotEquals("old", index.generation());
      assertEquals(Map.of("STUDY", 0, "SERIES", 0, "INSTANCE", 0), index.counts());
      assertEquals(Optional.empty(), index.resumeOffset("study-0"));
    }
  }

  @Test
  void offsetsRoundTrip() {
    Offset uuid = Offset.timeBasedUUID(java.util.UUID.fromString(
        "49225740-2019-11ea-a752-ffae2393b6e4"));
    assertEquals(uuid, QueryIndex.decode(QueryIndex.encode(uuid)));
    assertEquals(Offset.sequence(7), QueryIndex.decode(QueryIndex.encode(Offset.sequence(7))));
  }

  @Test
  void theSourceResumesFromTheIndexNotFromTheOffsetStore() {
    AtomicReference<Optional<Offset>> asked = new AtomicReference<>();
    SourceProvider<Offset, String> delegate = new SourceProvider<>() {
      @Override
      public CompletionStage<Source<String, NotUsed>> source(
          Supplier<CompletionStage<Optional<Offset>>> offset) {
        asked.set(offset.get().toCompletableFuture().join());
        return CompletableFuture.completedFuture(Source.empty());
      }

      @Override
      public Offset extractOffset(String envelope) {
        return Offset.sequence(envelope.length());
      }

      @Override
      public long extractCreationTime(String envelope) {
        return 1;
      }
    };
    Supplier<CompletionStage<Optional<Offset>>> stored =
        () -> CompletableFuture.completedFuture(Optional.of(Offset.sequence(99)));
    new IndexResumedSource<>(delegate, () -> Optional.of(Offset.sequence(5))).source(stored);
    assertEquals(Optional.of(Offset.sequence(5)), asked.get());
    new IndexResumedSource<>(delegate, Optional::empty).source(stored);
    assertEquals(Optional.empty(), asked.get(), "a new index starts from the beginning");
    assertEquals(Offset.sequence(3),
        new IndexResumedSource<>(delegate, Optional::empty).extractOffset("abc"));
  }

  private static int instances(List<Study.Event> events) {
    return (int) events.stream().filter(e -> e instanceof Study.InstanceStored)
        .map(e -> ((Study.InstanceStored) e).instance().sopInstanceUid()).distinct().count();
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals("write.lock")) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }
}
