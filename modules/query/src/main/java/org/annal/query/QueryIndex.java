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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.annal.archive.ReceivedInstance;
import org.annal.archive.Study;
import org.annal.archive.impl.IndexedAttributes.Level;
import org.annal.query.impl.IndexFields;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
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
 * <p>{@link #apply} commits (fsync) before it returns, so the projection's offset never runs ahead
 * of what the index holds on disk. Thread-safe.
 */
public final class QueryIndex implements StudyIndexRepository, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryIndex.class);
  private static final String GENERATION = "annal.generation";

  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final String generation;
  private final AtomicLong writes = new AtomicLong();
  private final Object commitLock = new Object();
  private long committed; // guarded by commitLock

  private QueryIndex(Directory directory, IndexWriter writer, String generation) throws IOException {
    this.directory = directory;
    this.writer = writer;
    this.generation = generation;
    this.searchers = new SearcherManager(writer, null);
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

  /** Opens the index in {@code dir}, creating it (with a new generation) if there is none. */
  public static QueryIndex open(Path dir) {
    try {
      Files.createDirectories(dir);
      Directory directory = FSDirectory.open(dir);
      String generation = null;
      if (org.apache.lucene.index.DirectoryReader.indexExists(directory)) {
        generation = SegmentInfos.readLatestCommit(directory).getUserData().get(GENERATION);
      }
      // The projection commits after every group (a new small segment each time): no compound
      // files, whose writing copies every new segment once more (measured in the ingest profile).
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
      writer.setLiveCommitData(Map.of(GENERATION, generation).entrySet());
      writer.commit();
      return new QueryIndex(directory, writer, generation);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open query index " + dir, e);
    }
  }

  @Override
  public String generation() {
    return generation;
  }

  @Override
  public void apply(List<Study.Event> events) {
    try {
      // The previous apply of this tag refreshed after its writes, so its studies are visible.
      IndexSearcher searcher = searchers.acquire();
      try {
        applyWith(searcher, events);
      } finally {
        searchers.release(searcher);
      }
      commitCovering(writes.incrementAndGet());
      searchers.maybeRefreshBlocking();
    } catch (IOException e) {
      throw new UncheckedIOException("query index write failed", e);
    }
  }

  /**
   * Makes the writes numbered up to {@code mine} durable. The eight tag streams commit often; a
   * commit covers every update made before it started, so a stream whose writes a concurrent commit
   * already covered does not fsync again (group commit).
   */
  private void commitCovering(long mine) throws IOException {
    synchronized (commitLock) {
      if (committed >= mine) {
        return;
      }
      long upTo = writes.get();
      writer.commit();
      committed = upTo;
    }
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
      s.members.add(in.sopInstanceUid());
      study.seriesCounts.put(in.seriesInstanceUid(), s.members.size());

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

  private static Aggregate load(IndexSearcher searcher, String type, String uid) {
    try {
      TopDocs hits = searcher.search(new TermQuery(idTerm(type, uid)), 1);
      Aggregate a = new Aggregate();
      if (hits.scoreDocs.length > 0) {
        Document doc = searcher.storedFields().document(hits.scoreDocs[0].doc);
        a.attributes.putAll(IndexFields.storedAttributes(doc));
        a.at = doc.getField(IndexFields.AT).numericValue().longValue();
        String members = doc.get(IndexFields.EXTRA + IndexFields.MEMBERS);
        if (members != null && !members.isEmpty()) {
          a.members.addAll(List.of(members.split("\\\\")));
        }
        a.seriesCounts.putAll(IndexFields.decodeCounts(doc.get(IndexFields.EXTRA + IndexFields.SERIES_COUNTS)));
      }
      return a;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The merged attributes of a study or series being written, and what its counts are made of:
   * for a series the set of its SOP Instance UIDs, for a study the instance count of each series.
   * Sets and maps keyed by UID, so re-applying an event changes nothing.
   */
  private static final class Aggregate {
    final Map<String, String> attributes = new TreeMap<>();
    final TreeSet<String> members = new TreeSet<>();
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
      IndexFields.addAttributes(doc, attributes);
      IndexFields.addAt(doc, at);
      if (withPatientKey) {
        IndexFields.addPatientKey(doc, IndexFields.patientKey(attributes, uid));
        doc.add(new StoredField(IndexFields.EXTRA + IndexFields.SERIES_COUNTS,
            IndexFields.encodeCounts(seriesCounts)));
      } else {
        doc.add(new StoredField(IndexFields.EXTRA + IndexFields.MEMBERS, String.join("\\", members)));
      }
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

  /** Empties the index (reindex while open); keeps the generation: callers reset offsets. */
  public void deleteAll() {
    try {
      writer.deleteAll();
      writer.commit();
      searchers.maybeRefreshBlocking();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
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
