// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.annal.archive.ReceivedInstance;
import org.annal.archive.Study;
import org.annal.archive.impl.IndexedAttributes.Level;
import org.annal.query.impl.IndexFields;
import org.annal.query.impl.RecordField;
import org.annal.query.impl.SharedRefresh;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local query index: an embedded Lucene index under {@code <data-dir>/index} holding one
 * document per study, per series and per instance, derived from {@code InstanceStored} events (see
 * the module README for why Lucene and the field layout in {@link IndexFields}).
 *
 * <p>Study and series documents are merged per keyword (the last value received wins, like the
 * Study entity's state; ModalitiesInStudy and SOPClassesInStudy are unions), instance documents are
 * replaced whole by SOP Instance UID. Both are idempotent: replaying events already applied leaves
 * the same documents. Events of one study come from one tag in journal order, and each tag has one
 * writer, so the read-merge-write of a study never races; patients span tags and are therefore
 * never written, only derived at query time (see {@link QueryService}).
 *
 * <p>{@link #apply} makes its writes visible (near-real-time reader, one {@link SharedRefresh} for
 * all tags, so concurrent groups share a refresh) but does not commit: a
 * background task commits (fsync) every {@code commit-interval} when something changed, and each
 * commit records, per tag, the offset of the last event applied before it. Those are the offsets
 * the projection resumes from after a restart ({@link #resumeOffset}), so a crash between commits
 * loses nothing: the events after the last commit are applied again. One commit per interval
 * instead of one per group: far fewer fsyncs. Thread-safe.
 */
public final class QueryIndex implements StudyIndexRepository, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryIndex.class);
  private static final String GENERATION = "annal.generation";
  /** Document layout; an index written with another one is rebuilt (it is disposable). */
  private static final String LAYOUT = "annal.layout";
  // 3: study and series values in a RecordField, not stored fields (stop 12). A build that
  // expects layout 2 would read those documents as empty: the version makes it rebuild instead.
  private static final String LAYOUT_VERSION = "3";
  private static final String OFFSET = "annal.offset.";

  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final SharedRefresh refresh;
  private final String generation;
  private final AtomicLong writes = new AtomicLong();
  /** Per tag, the offset of the last event applied (visible, not yet necessarily committed). */
  private final Map<String, Offset> applied = new ConcurrentHashMap<>();
  private final ScheduledExecutorService committer;
  private final Object commitLock = new Object();
  private long committed = -1; // guarded by commitLock

  private QueryIndex(Directory directory, IndexWriter writer, String generation,
      Map<String, Offset> committedOffsets, Duration commitInterval, Duration refreshSpacing)
      throws IOException {
    this.directory = directory;
    this.writer = writer;
    this.generation = generation;
    this.searchers = new SearcherManager(writer, null);
    this.refresh = new SharedRefresh(searchers::maybeRefreshBlocking, refreshSpacing);
    this.applied.putAll(committedOffsets);
    this.committer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "annal-query-index-commit");
      t.setDaemon(true);
      return t;
    });
    long every = commitInterval.toMillis();
    committer.scheduleWithFixedDelay(this::commitQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /** The generation recorded in the index at {@code dir}, or null if there is no index there. */
  public static String generationAt(Path dir) {
    try (Directory directory = FSDirectory.open(dir)) {
      if (!org.apache.lucene.index.DirectoryReader.indexExists(directory)) {
        return null;
      }
      return SegmentInfos.readLatestCommit(directory).getUserData().get(GENERATION);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The default spacing of near-real-time refreshes (annal.query.refresh-spacing). */
  public static final Duration REFRESH_SPACING = Duration.ofMillis(100);

  /** {@link #open(Path, Duration)} committing every second. */
  public static QueryIndex open(Path dir) {
    return open(dir, Duration.ofSeconds(1));
  }

  /** {@link #open(Path, Duration, Duration)} with the default refresh spacing. */
  public static QueryIndex open(Path dir, Duration commitInterval) {
    return open(dir, commitInterval, REFRESH_SPACING);
  }

  /**
   * Opens the index in {@code dir}, creating it (with a new generation) if there is none or if it
   * has another document layout; commits every {@code commitInterval} when it changed and makes
   * writes visible with near-real-time refreshes at most one per {@code refreshSpacing}.
   */
  public static QueryIndex open(Path dir, Duration commitInterval, Duration refreshSpacing) {
    try {
      Files.createDirectories(dir);
      Directory directory = FSDirectory.open(dir);
      Map<String, String> last = Map.of();
      if (DirectoryReader.indexExists(directory)) {
        last = SegmentInfos.readLatestCommit(directory).getUserData();
        if (!LAYOUT_VERSION.equals(last.get(LAYOUT))) {
          log.warn("Query index {} has document layout {}, this version writes {}: it is deleted "
              + "and rebuilt from the journal", dir, last.get(LAYOUT), LAYOUT_VERSION);
          directory.close();
          StudyIndexProjection.deleteRecursively(dir);
          Files.createDirectories(dir);
          directory = FSDirectory.open(dir);
          last = Map.of();
        }
      }
      String generation = last.get(GENERATION);
      // Segments are small (each near-real-time refresh flushes one): no compound files,
      // whose writing copies every new segment once more (measured in the ingest profile).
      org.apache.lucene.index.TieredMergePolicy merges = new org.apache.lucene.index.TieredMergePolicy();
      merges.setNoCFSRatio(0.0);
      IndexWriterConfig config = new IndexWriterConfig()
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
          .setRAMBufferSizeMB(64)
          .setUseCompoundFile(false)
          .setMergePolicy(merges);
      IndexWriter writer = new IndexWriter(directory, config);
      if (generation == null) {
        generation = UUID.randomUUID().toString();
        log.info("Query index {} created, generation {}", dir, generation);
      }
      QueryIndex index = new QueryIndex(directory, writer, generation, offsets(last), commitInterval,
          refreshSpacing);
      index.commit();
      return index;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open query index " + dir, e);
    }
  }

  @Override
  public String generation() {
    return generation;
  }

  @Override
  public void apply(String tag, List<Study.Event> events, Offset upTo) {
    try {
      // The previous apply of this tag refreshed after its writes, so its studies are visible.
      IndexSearcher searcher = searchers.acquire();
      try {
        applyWith(searcher, events);
      } finally {
        searchers.release(searcher);
      }
      // After the writes: a commit that sees this offset holds them.
      if (tag != null && upTo != null) {
        applied.put(tag, upTo);
      }
      writes.incrementAndGet();
      refresh.await();
    } catch (IOException e) {
      throw new UncheckedIOException("query index write failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the query index refresh", e);
    }
  }

  /** Applies events outside a projection (tools, tests): visible on return, no offset recorded. */
  public void apply(List<Study.Event> events) {
    apply(null, events, null);
  }

  /**
   * The last offset applied in this process, or, right after opening, the one the last commit
   * recorded: a tag restarted within the process goes on where it was (what it applied is in the
   * writer and reaches the next commit); after a crash it goes on from the last commit.
   */
  @Override
  public Optional<Offset> resumeOffset(String tag) {
    return Optional.ofNullable(applied.get(tag));
  }

  /**
   * Commits (fsync) everything applied so far, with the offsets it covers; nothing if nothing
   * changed since the last commit.
   */
  public void commit() {
    synchronized (commitLock) {
      // Read the write count first: every offset read after it belongs to writes it counts or to
      // later ones, and all of them are in the commit below.
      long upTo = writes.get();
      if (committed == upTo) {
        return;
      }
      Map<String, String> data = new TreeMap<>();
      data.put(GENERATION, generation);
      data.put(LAYOUT, LAYOUT_VERSION);
      applied.forEach((tag, offset) -> data.put(OFFSET + tag, encode(offset)));
      try {
        writer.setLiveCommitData(data.entrySet());
        writer.commit();
      } catch (IOException e) {
        throw new UncheckedIOException("query index commit failed", e);
      }
      committed = upTo;
    }
  }

  private void commitQuietly() {
    try {
      commit();
    } catch (RuntimeException e) {
      // Not durable yet: the offsets stay where the last good commit put them; retried next time.
      log.error("Query index commit failed (retried in commit-interval)", e);
    }
  }

  static String encode(Offset offset) {
    if (offset instanceof TimeBasedUUID t) {
      return "uuid:" + t.value();
    }
    if (offset instanceof Sequence s) {
      return "seq:" + s.value();
    }
    throw new IllegalArgumentException("unsupported offset type " + offset);
  }

  static Offset decode(String value) {
    if (value.startsWith("uuid:")) {
      return Offset.timeBasedUUID(UUID.fromString(value.substring(5)));
    }
    if (value.startsWith("seq:")) {
      return Offset.sequence(Long.parseLong(value.substring(4)));
    }
    throw new IllegalArgumentException("unknown offset in the query index: " + value);
  }

  private static Map<String, Offset> offsets(Map<String, String> commitData) {
    Map<String, Offset> out = new TreeMap<>();
    commitData.forEach((k, v) -> {
      if (k.startsWith(OFFSET)) {
        out.put(k.substring(OFFSET.length()), decode(v));
      }
    });
    return out;
  }

  private void applyWith(IndexSearcher searcher, List<Study.Event> events) throws IOException {
    Map<String, Aggregate> studies = new LinkedHashMap<>();
    Map<String, Aggregate> series = new LinkedHashMap<>();
    Map<String, Document> instances = new LinkedHashMap<>();
    for (Study.Event event : events) {
      if (!(event instanceof Study.InstanceStored stored)) {
        // DuplicateInstanceReceived: identical or kept-first change nothing; REPLACED is followed
        // by an InstanceStored for the new copy, which replaces the instance document.
        continue;
      }
      ReceivedInstance in = stored.instance();
      Map<String, String> all = new HashMap<>(in.attributes());
      all.put(IndexFields.STUDY_UID, in.studyInstanceUid());
      all.put(IndexFields.SERIES_UID, in.seriesInstanceUid());
      all.put(IndexFields.SOP_UID, in.sopInstanceUid());
      all.put(IndexFields.SOP_CLASS_UID, in.sopClassUid());

      Aggregate study = studies.computeIfAbsent(in.studyInstanceUid(),
          uid -> load(searcher, IndexFields.STUDY, uid));
      study.merge(all, Set.of(Level.PATIENT, Level.STUDY), stored.at());
      study.union(IndexFields.MODALITIES_IN_STUDY, in.attributes().get("Modality"));
      study.union(IndexFields.SOP_CLASSES_IN_STUDY, in.sopClassUid());

      Aggregate s = series.computeIfAbsent(in.seriesInstanceUid(),
          uid -> load(searcher, IndexFields.SERIES, uid));
      s.merge(all, Set.of(Level.PATIENT, Level.STUDY, Level.SERIES), stored.at());
      s.attributes.put(IndexFields.STUDY_UID, in.studyInstanceUid());
      // Counted once: an event applied again (at least once delivery, a replaced duplicate)
      // finds its instance already in the index or earlier in this group.
      if (!instances.containsKey(in.sopInstanceUid()) && !exists(searcher, in.sopInstanceUid())) {
        s.count++;
      }
      study.seriesCounts.put(in.seriesInstanceUid(), s.count);

      instances.put(in.sopInstanceUid(), instanceDocument(in, all, stored.at()));
    }
    for (Map.Entry<String, Document> e : instances.entrySet()) {
      writer.updateDocument(idTerm(IndexFields.INSTANCE, e.getKey()), e.getValue());
    }
    for (Map.Entry<String, Aggregate> e : series.entrySet()) {
      writer.updateDocument(idTerm(IndexFields.SERIES, e.getKey()),
          e.getValue().document(IndexFields.SERIES, e.getKey(), false));
    }
    for (Map.Entry<String, Aggregate> e : studies.entrySet()) {
      writer.updateDocument(idTerm(IndexFields.STUDY, e.getKey()),
          e.getValue().document(IndexFields.STUDY, e.getKey(), true));
    }
  }

  private static Document instanceDocument(ReceivedInstance in, Map<String, String> all, long at) {
    Document doc = new Document();
    IndexFields.addIdentity(doc, IndexFields.INSTANCE, in.sopInstanceUid());
    IndexFields.addAttributes(doc, new TreeMap<>(all));
    IndexFields.addAt(doc, at);
    Map<String, String> extras = new LinkedHashMap<>();
    extras.put("transferSyntaxUid", in.transferSyntaxUid());
    extras.put("size", Long.toString(in.size()));
    extras.put("sha256", in.sha256());
    extras.put("datasetSha256", in.datasetSha256());
    extras.put("nodeId", in.placement().nodeId());
    extras.put("site", in.placement().site());
    extras.put("tier", in.placement().tier());
    extras.put("blobKey", in.placement().blobKey());
    extras.put("receivedAt", Long.toString(in.receivedAt()));
    extras.forEach((k, v) -> doc.add(new StoredField(IndexFields.EXTRA + k, v)));
    return doc;
  }

  private static Term idTerm(String type, String uid) {
    return new Term(IndexFields.ID, type + "|" + uid);
  }

  /**
   * Whether a live document has this instance's id. Read from the postings, not with
   * {@code searcher.count}: its collector answers a term count by throwing a
   * CollectionTerminatedException, with its stack trace, per segment (2,916 in 10 s of a bulk load).
   */
  private static boolean exists(IndexSearcher searcher, String sopInstanceUid) {
    BytesRef id = idTerm(IndexFields.INSTANCE, sopInstanceUid).bytes();
    try {
      for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
        Terms terms = leaf.reader().terms(IndexFields.ID);
        if (terms == null) {
          continue;
        }
        TermsEnum te = terms.iterator();
        if (!te.seekExact(id)) {
          continue;
        }
        Bits live = leaf.reader().getLiveDocs();
        PostingsEnum docs = te.postings(null, PostingsEnum.NONE);
        for (int d = docs.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = docs.nextDoc()) {
          if (live == null || live.get(d)) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Aggregate load(IndexSearcher searcher, String type, String uid) {
    try {
      TopDocs hits = searcher.search(new TermQuery(idTerm(type, uid)), 1);
      Aggregate a = new Aggregate();
      if (hits.scoreDocs.length > 0) {
        int doc = hits.scoreDocs[0].doc;
        RecordField.Values values = RecordField.read(searcher, doc);
        a.attributes.putAll(values.attributes());
        a.at = at(searcher, doc);
        String count = values.extras().get(IndexFields.INSTANCE_COUNT);
        if (count != null) {
          a.count = Integer.parseInt(count);
        }
        a.seriesCounts.putAll(IndexFields.decodeCounts(
            values.extras().get(IndexFields.SERIES_COUNTS)));
      }
      return a;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The latest event time of a document (global doc id), from its doc values. */
  private static long at(IndexSearcher searcher, int doc) throws IOException {
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
    NumericDocValues at = leaf.reader().getNumericDocValues(IndexFields.AT);
    return at != null && at.advanceExact(doc - leaf.docBase) ? at.longValue() : 0;
  }

  /**
   * The merged attributes of a study or series being written, and its counts: for a series the
   * number of its instances, for a study the instance count of each series (keyed by UID, so
   * re-applying an event changes nothing).
   */
  private static final class Aggregate {
    final Map<String, String> attributes = new TreeMap<>();
    int count;
    final TreeMap<String, Integer> seriesCounts = new TreeMap<>();
    long at;

    void merge(Map<String, String> all, Set<Level> levels, long eventAt) {
      all.forEach((k, v) -> {
        if (levels.contains(IndexFields.levelOf(k)) && !IndexFields.MODALITIES_IN_STUDY.equals(k)
            && !IndexFields.SOP_CLASSES_IN_STUDY.equals(k)) {
          attributes.put(k, v);
        }
      });
      at = Math.max(at, eventAt);
    }

    void union(String keyword, String value) {
      if (value == null || value.isBlank()) {
        return;
      }
      TreeSet<String> set = new TreeSet<>();
      String old = attributes.get(keyword);
      if (old != null) {
        set.addAll(List.of(old.split("\\\\")));
      }
      for (String v : value.split("\\\\")) {
        if (!v.isBlank()) {
          set.add(v.strip());
        }
      }
      attributes.put(keyword, String.join("\\", set));
    }

    Document document(String type, String uid, boolean withPatientKey) {
      Document doc = new Document();
      IndexFields.addIdentity(doc, type, uid);
      // Returned values go to the record field, not to stored fields (RecordField says why).
      IndexFields.addAttributes(doc, attributes, false);
      IndexFields.addAt(doc, at);
      Map<String, String> extras = new LinkedHashMap<>();
      if (withPatientKey) {
        IndexFields.addPatientKey(doc, IndexFields.patientKey(attributes, uid));
        extras.put(IndexFields.SERIES_COUNTS, IndexFields.encodeCounts(seriesCounts));
      } else {
        extras.put(IndexFields.INSTANCE_COUNT, Integer.toString(count));
      }
      RecordField.add(doc, attributes, extras);
      return doc;
    }
  }

  /** Runs {@code work} against a current searcher (released afterwards). */
  public <T> T withSearcher(Function<IndexSearcher, T> work) {
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        return work.apply(searcher);
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    // shutdown, not shutdownNow: interrupting a commit in flight makes its FileChannel calls
    // close the channel of the index's write lock, and then every later write, the final commit
    // below included, fails with "FileLock invalidated by an external force" (seen in CI under
    // load). The periodic task is cancelled; a commit already running is let finish.
    committer.shutdown();
    try {
      committer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Query index closing: {} writes made visible by {} refreshes", writes.get(),
        refresh.refreshes());
    try {
      commit();
      searchers.close();
      writer.close();
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For tests and tools: the document count per type. */
  public Map<String, Integer> counts() {
    return withSearcher(s -> {
      Map<String, Integer> out = new TreeMap<>();
      for (String type : List.of(IndexFields.STUDY, IndexFields.SERIES, IndexFields.INSTANCE)) {
        try {
          out.put(type, s.count(new TermQuery(new Term(IndexFields.TYPE, type))));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return out;
    });
  }
}
