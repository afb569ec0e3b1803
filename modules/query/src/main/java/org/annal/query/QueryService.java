// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.annal.dicom.Dataset;
import org.annal.query.impl.IndexFields;
import org.annal.query.impl.MatchQueryBuilder;
import org.annal.query.impl.RecordField;
import org.annal.query.impl.ResultBuilder;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectionTerminatedException;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;

/**
 * C-FIND matching (PS3.4 C.2.2.2, C.4.1.2) against the node's {@link QueryIndex}: Patient Root and
 * Study Root, levels PATIENT / STUDY / SERIES / IMAGE, hierarchical search. See
 * {@link MatchQueryBuilder} for the matching types. Answers come in a stable order (by the level's
 * UID; patients by Issuer of Patient ID and Patient ID), so that a rebuilt index answers the same.
 *
 * <p>Computed return keys: NumberOfPatientRelatedStudies/Series/Instances (0020,1200/1202/1204),
 * NumberOfStudyRelatedSeries/Instances (0020,1206/1208), NumberOfSeriesRelatedInstances
 * (0020,1209), ModalitiesInStudy (0008,0061) and SOPClassesInStudy (0008,0062).
 *
 * <p>PATIENT level: patients are not documents (a patient's studies live in different projection
 * tags, see {@link QueryIndex}); a patient matches if one of its studies matches the patient keys,
 * and the answer carries the patient attributes of its matching study with the latest event.
 * Thread-safe.
 */
public final class QueryService {
  private static final Sort BY_UID = new Sort(new SortField(IndexFields.SORT, SortField.Type.STRING));

  private final QueryIndex index;
  private final QuerySettings settings;
  private volatile Object[] fieldInfosCache;

  public QueryService(QueryIndex index, QuerySettings settings) {
    this.index = index;
    this.settings = settings;
  }

  /** {@link #find(QueryRetrieveLevel, InformationModel, Dataset, int, QueryOptions)} with the configured defaults. */
  public FindResult find(QueryRetrieveLevel level, InformationModel model, Dataset identifier,
      int limit) {
    return find(level, model, identifier, limit, settings.defaultOptions());
  }

  /**
   * The entities at {@code level} that match {@code identifier}.
   *
   * @param limit at most this many matches (0 or less: the configured cap only)
   * @throws QueryException if the identifier is not valid for the model and level
   */
  public FindResult find(QueryRetrieveLevel level, InformationModel model, Dataset identifier,
      int limit, QueryOptions options) {
    int cap = limit <= 0 ? settings.maxResults() : Math.min(limit, settings.maxResults());
    return index.withSearcher(searcher -> {
      try {
        FieldInfos fields = fieldInfos(searcher);
        Predicate<String> indexed = f -> fields.fieldInfo(f) != null;
        Query match = MatchQueryBuilder.build(identifier, level, model, options, indexed);
        String type = switch (level) {
          case PATIENT, STUDY -> IndexFields.STUDY;
          case SERIES -> IndexFields.SERIES;
          case IMAGE -> IndexFields.INSTANCE;
        };
        Query query = new BooleanQuery.Builder()
            .add(new TermQuery(new Term(IndexFields.TYPE, type)), BooleanClause.Occur.FILTER)
            .add(match, BooleanClause.Occur.FILTER)
            .build();
        return level == QueryRetrieveLevel.PATIENT
            ? findPatients(searcher, query, identifier, cap)
            : findEntities(searcher, query, level, model, identifier, cap);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Merged field infos of the searcher's reader, computed once per reader (refresh). */
  private FieldInfos fieldInfos(IndexSearcher searcher) {
    Object[] cached = fieldInfosCache;
    if (cached != null && cached[0] == searcher.getIndexReader()) {
      return (FieldInfos) cached[1];
    }
    FieldInfos infos = FieldInfos.getMergedFieldInfos(searcher.getIndexReader());
    fieldInfosCache = new Object[] {searcher.getIndexReader(), infos};
    return infos;
  }

  private FindResult findEntities(IndexSearcher searcher, Query query, QueryRetrieveLevel level,
      InformationModel model, Dataset identifier, int cap) throws IOException {
    List<String> unique = new ArrayList<>();
    for (QueryRetrieveLevel l : model.levelsAbove(level)) {
      unique.add(l.uniqueKey());
    }
    unique.add(level.uniqueKey());
    Set<String> wanted = ResultBuilder.keywordsOf(identifier, unique);
    wanted.add(level.uniqueKey()); // the sort key
    Matches matches = inUidOrder(searcher, query, level.uniqueKey(), cap, wanted);
    List<Dataset> out = new ArrayList<>(matches.values().size());
    for (RecordField.Values v : matches.values()) {
      Map<String, String> values = v.attributes();
      addComputed(v.extras(), level, values);
      out.add(ResultBuilder.build(identifier, values, level.name(), unique));
    }
    return new FindResult(out, matches.capped(), cap);
  }

  /** The first {@code cap} matches in UID order, and whether there were more. */
  private record Matches(List<RecordField.Values> values, boolean capped) {}

  /**
   * The values of the documents matching {@code query}, ordered by {@code uidKey} (the UID their
   * {@link IndexFields#SORT} key holds), at most {@code cap} of them.
   *
   * <p>Up to {@code cap} matches (every answer that is not refused for its size) are collected in
   * doc id order and sorted here by the UID each record carries: sorting in Lucene compares the
   * sort key's ordinals across segments by looking up each term, and every lookup decompresses a
   * block of the terms dictionary (a fifth of a 150-match C-FIND's time). More matches than
   * that: Lucene's top-{@code cap} sort, which does not hold them all.
   */
  @SuppressWarnings("deprecation") // search(Query, Collector): see findPatients
  private static Matches inUidOrder(IndexSearcher searcher, Query query, String uidKey, int cap,
      Set<String> wanted) throws IOException {
    int limit = cap == Integer.MAX_VALUE ? cap : cap + 1;
    DocIds docs = new DocIds(limit);
    searcher.search(query, docs);
    if (docs.size > cap) {
      TopDocs hits = searcher.search(query, cap, BY_UID);
      return new Matches(RecordField.read(searcher, docs(hits), wanted), true);
    }
    List<RecordField.Values> values =
        new ArrayList<>(RecordField.read(searcher, docs.toArray(), wanted));
    values.sort(java.util.Comparator.comparing(v -> v.attributes().getOrDefault(uidKey, "")));
    return new Matches(values, false);
  }

  /**
   * Collects doc ids (global, in doc id order) up to a limit; at the limit it stops each
   * segment's collection (only "more than the cap" is needed, not how many more).
   */
  private static final class DocIds extends SimpleCollector {
    private final int limit;
    private int[] ids = new int[16];
    int size;
    private int base;

    DocIds(int limit) {
      this.limit = limit;
    }

    @Override
    protected void doSetNextReader(LeafReaderContext context) {
      base = context.docBase;
    }

    @Override
    public void collect(int doc) {
      if (size == limit) {
        throw new CollectionTerminatedException(); // this segment; the next ones end at once too
      }
      if (size == ids.length) {
        ids = java.util.Arrays.copyOf(ids, (int) Math.min(limit, size * 2L));
      }
      ids[size++] = base + doc;
    }

    int[] toArray() {
      return java.util.Arrays.copyOf(ids, size);
    }

    @Override
    public ScoreMode scoreMode() {
      return ScoreMode.COMPLETE_NO_SCORES;
    }
  }

  // search(Query, Collector) is deprecated in 9.12 in favour of CollectorManager (for intra-query
  // concurrency, which a searcher without an executor does not use); the single collector is simpler.
  @SuppressWarnings("deprecation")
  private FindResult findPatients(IndexSearcher searcher, Query query, Dataset identifier,
      int cap) throws IOException {
    // patient key -> (latest event time, doc) of its newest matching study
    TreeMap<String, long[]> newest = new TreeMap<>();
    searcher.search(query, new SimpleCollector() {
      private SortedDocValues keys;
      private NumericDocValues at;
      private int base;

      @Override
      protected void doSetNextReader(LeafReaderContext context) throws IOException {
        keys = context.reader().getSortedDocValues(IndexFields.PATIENT_KEY);
        at = context.reader().getNumericDocValues(IndexFields.AT);
        base = context.docBase;
      }

      @Override
      public void collect(int doc) throws IOException {
        if (keys == null || !keys.advanceExact(doc)) {
          return;
        }
        String key = keys.lookupOrd(keys.ordValue()).utf8ToString();
        long t = at != null && at.advanceExact(doc) ? at.longValue() : 0;
        long[] best = newest.get(key);
        if (best == null || t > best[0]) {
          newest.put(key, new long[] {t, base + doc});
        }
      }

      @Override
      public ScoreMode scoreMode() {
        return ScoreMode.COMPLETE_NO_SCORES;
      }
    });
    List<Dataset> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : newest.entrySet()) {
      if (out.size() == cap) {
        break;
      }
      Map<String, String> values = RecordField.read(searcher, (int) e.getValue()[1]).attributes();
      addPatientCounts(searcher, e.getKey(), values);
      out.add(ResultBuilder.build(identifier, values, QueryRetrieveLevel.PATIENT.name(),
          List.of(QueryRetrieveLevel.PATIENT.uniqueKey())));
    }
    return new FindResult(out, newest.size() > cap, cap);
  }

  /** Counts come from the extras the writer keeps, not from extra searches. */
  private static void addComputed(Map<String, String> extras, QueryRetrieveLevel level,
      Map<String, String> values) {
    switch (level) {
      case STUDY -> {
        Map<String, Integer> counts = IndexFields.decodeCounts(
            extras.get(IndexFields.SERIES_COUNTS));
        values.put("NumberOfStudyRelatedSeries", Integer.toString(counts.size()));
        values.put("NumberOfStudyRelatedInstances",
            Integer.toString(counts.values().stream().mapToInt(Integer::intValue).sum()));
      }
      case SERIES -> {
        String count = extras.get(IndexFields.INSTANCE_COUNT);
        values.put("NumberOfSeriesRelatedInstances", count == null ? "0" : count);
      }
      default -> { }
    }
  }

  private static void addPatientCounts(IndexSearcher searcher, String patientKey,
      Map<String, String> values) throws IOException {
    TopDocs studies = searcher.search(new TermQuery(new Term(IndexFields.PATIENT_KEY, patientKey)),
        Integer.MAX_VALUE);
    int series = 0;
    int instances = 0;
    for (RecordField.Values v : RecordField.read(searcher, docs(studies), Set.of())) {
      Map<String, Integer> counts = IndexFields.decodeCounts(
          v.extras().get(IndexFields.SERIES_COUNTS));
      series += counts.size();
      instances += counts.values().stream().mapToInt(Integer::intValue).sum();
    }
    values.put("NumberOfPatientRelatedStudies", Integer.toString(studies.scoreDocs.length));
    values.put("NumberOfPatientRelatedSeries", Integer.toString(series));
    values.put("NumberOfPatientRelatedInstances", Integer.toString(instances));
  }

  /**
   * Study Instance UIDs of every study whose Patient ID is exactly {@code patientId}, sorted, with
   * no result cap: a PATIENT-level C-MOVE / C-GET sends all of them (PS3.4 C.4.2.2.1).
   */
  public List<String> studiesOfPatient(String patientId) {
    return index.withSearcher(searcher -> {
      try {
        BooleanQuery q = new BooleanQuery.Builder()
            .add(new TermQuery(new Term(IndexFields.TYPE, IndexFields.STUDY)),
                BooleanClause.Occur.FILTER)
            .add(new TermQuery(new Term("PatientID", patientId)), BooleanClause.Occur.FILTER)
            .build();
        List<RecordField.Values> studies =
            inUidOrder(searcher, q, IndexFields.STUDY_UID, Integer.MAX_VALUE,
            Set.of(IndexFields.STUDY_UID)).values();
        List<String> out = new ArrayList<>(studies.size());
        for (RecordField.Values v : studies) {
          out.add(v.attributes().get(IndexFields.STUDY_UID));
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /**
   * The instances of a study, optionally only of one series and/or only the given SOP Instance
   * UIDs, ordered by SOP Instance UID: what a C-MOVE / C-GET sends.
   */
  public List<IndexedInstance> instances(String studyUid, String seriesUid,
      Collection<String> sopInstanceUids) {
    return index.withSearcher(searcher -> {
      try {
        BooleanQuery.Builder q = new BooleanQuery.Builder()
            .add(new TermQuery(new Term(IndexFields.TYPE, IndexFields.INSTANCE)),
                BooleanClause.Occur.FILTER)
            .add(new TermQuery(new Term(IndexFields.STUDY_UID, studyUid)),
                BooleanClause.Occur.FILTER);
        if (seriesUid != null) {
          q.add(new TermQuery(new Term(IndexFields.SERIES_UID, seriesUid)),
              BooleanClause.Occur.FILTER);
        }
        if (sopInstanceUids != null) {
          q.add(new TermInSetQuery(IndexFields.SOP_UID,
              sopInstanceUids.stream().map(BytesRef::new).toList()), BooleanClause.Occur.FILTER);
        }
        List<IndexedInstance> out = new ArrayList<>();
        for (RecordField.Values v : inUidOrder(searcher, q.build(), IndexFields.SOP_UID,
            Integer.MAX_VALUE, null).values()) {
          Map<String, String> a = v.attributes();
          Map<String, String> x = v.extras();
          out.add(new IndexedInstance(a.get(IndexFields.STUDY_UID), a.get(IndexFields.SERIES_UID),
              a.get(IndexFields.SOP_UID), a.get(IndexFields.SOP_CLASS_UID),
              x.get("transferSyntaxUid"), Long.parseLong(x.getOrDefault("size", "0")),
              x.get("sha256"), x.get("nodeId"), x.get("blobKey")));
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static int[] docs(TopDocs hits) {
    int[] docs = new int[hits.scoreDocs.length];
    for (int i = 0; i < docs.length; i++) {
      docs[i] = hits.scoreDocs[i].doc;
    }
    return docs;
  }
}
