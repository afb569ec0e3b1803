// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.annal.archive.Study;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.annal.query.impl.LagMeter;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.testkit.javadsl.ProjectionTestKit;
import org.apache.pekko.projection.testkit.javadsl.TestProjection;
import org.apache.pekko.projection.testkit.javadsl.TestSourceProvider;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projection's handler driven by {@link ProjectionTestKit} with a test source provider: events
 * in, expected index out; at-least-once replays change nothing; a rebuilt index answers the same.
 */
class StudyIndexProjectionTest {
  // pekko-stream-testkit (needed by projection-testkit) is served at 1.2.1 only, not 1.7.0: the
  // mixed-version check is off for this test system only (no stream-testkit code runs here).
  static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("pekko.fail-mixed-versions = off")
          .withFallback(ConfigFactory.load()));
  static final Executor executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "index-writer");
    t.setDaemon(true);
    return t;
  });
  final ProjectionTestKit projectionTestKit = ProjectionTestKit.create(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static List<EventEnvelope<Study.Event>> envelopes(List<Study.Event> events) {
    List<EventEnvelope<Study.Event>> out = new ArrayList<>();
    long offset = 0;
    for (Study.Event e : events) {
      String study = ((Study.InstanceStored) e).instance().studyInstanceUid();
      out.add(EventEnvelope.create(Offset.sequence(++offset), "Study|" + study, offset, e, e.at()));
    }
    return out;
  }

  /** Runs the events through a TestProjection whose handler wraps {@link StudyIndexHandler}. */
  void project(QueryIndex index, LagMeter lag, List<EventEnvelope<Study.Event>> envs,
      Map<String, Integer> expectedCounts) {
    StudyIndexHandler grouped = new StudyIndexHandler(index, lag, executor, "study-0");
    Handler<EventEnvelope<Study.Event>> single = new Handler<>() {
      @Override
      public CompletionStage<Done> process(EventEnvelope<Study.Event> env) {
        return grouped.process(List.of(env));
      }
    };
    TestSourceProvider<Long, EventEnvelope<Study.Event>> source = TestSourceProvider.create(
        Source.from(envs), env -> ((Sequence) env.offset()).value());
    TestProjection<Long, EventEnvelope<Study.Event>> projection = TestProjection.create(
        ProjectionId.of("query-index-test", "study-0"), source, () -> single);
    projectionTestKit.run(projection, Duration.ofSeconds(20),
        () -> assertEquals(expectedCounts, index.counts()));
  }

  static final Map<String, Integer> EXPECTED = Map.of("STUDY", 6, "SERIES", 8, "INSTANCE", 12);

  @Test
  void eventsInExpectedIndexOut(@TempDir Path dir) {
    LagMeter lag = new LagMeter();
    try (QueryIndex index = QueryIndex.open(dir.resolve("index"))) {
      List<EventEnvelope<Study.Event>> envs = envelopes(TestStudies.events());
      project(index, lag, envs, EXPECTED);
      assertEquals(12, lag.snapshot().count());
      QueryService service = new QueryService(index, QueryServiceTest.settings(100));
      FindResult r = service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT,
          QueryServiceTest.id("PatientID", "PAT001", "StudyInstanceUID", "",
              "NumberOfStudyRelatedInstances", ""), 0);
      assertEquals(List.of("1.2.3.1", "1.2.3.2", "1.2.3.6"),
          QueryServiceTest.values(r, "StudyInstanceUID"));
      assertEquals(List.of("4", "2", "1"),
          QueryServiceTest.values(r, "NumberOfStudyRelatedInstances"));
    }
  }

  @Test
  void replaysAndRebuildAnswerTheSame(@TempDir Path dir) {
    List<Study.Event> events = TestStudies.events();
    List<String> reference;
    Path a = dir.resolve("a");
    String firstGeneration;
    try (QueryIndex index = QueryIndex.open(a)) {
      firstGeneration = index.generation();
      project(index, new LagMeter(), envelopes(events), EXPECTED);
      reference = answers(index);
      // at-least-once: the whole journal again, and a tail again, in other group sizes
      index.apply(events);
      index.apply(events.subList(5, events.size()));
      assertEquals(EXPECTED, index.counts());
      assertEquals(reference, answers(index));
    }
    // reindex: delete the index, a new generation is built from the journal
    StudyIndexProjection.deleteRecursively(a);
    try (QueryIndex rebuilt = QueryIndex.open(a)) {
      assertNotEquals(firstGeneration, rebuilt.generation());
      assertEquals(Map.of("STUDY", 0, "SERIES", 0, "INSTANCE", 0), rebuilt.counts());
      // other interleaving across studies (tags run concurrently), same order within a study
      List<Study.Event> reordered = new ArrayList<>(events);
      reordered.sort(Comparator.comparing(
          (Study.Event e) -> ((Study.InstanceStored) e).instance().studyInstanceUid()).reversed());
      for (int i = 0; i < reordered.size(); i += 4) {
        rebuilt.apply(reordered.subList(i, Math.min(i + 4, reordered.size())));
      }
      assertEquals(reference, answers(rebuilt));
    }
  }

  @Test
  void tagsWrittenConcurrentlyAnswerTheSame(@TempDir Path dir) throws Exception {
    List<Study.Event> events = TestStudies.events();
    List<String> reference;
    try (QueryIndex sequential = QueryIndex.open(dir.resolve("a"))) {
      sequential.apply(events);
      reference = answers(sequential);
    }
    // one writer per tag, as the eight projections run: each study's events stay in order
    Map<String, List<Study.Event>> byTag = new java.util.TreeMap<>();
    for (Study.Event e : events) {
      String tag = Study.tagFor(((Study.InstanceStored) e).instance().studyInstanceUid());
      byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(e);
    }
    try (QueryIndex concurrent = QueryIndex.open(dir.resolve("b"))) {
      var pool = Executors.newFixedThreadPool(byTag.size());
      try {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (List<Study.Event> tagEvents : byTag.values()) {
          done.add(pool.submit(() -> {
            for (Study.Event e : tagEvents) {
              concurrent.apply(List.of(e));
            }
          }));
        }
        for (var f : done) {
          f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(reference, answers(concurrent));
    }
  }

  @Test
  void reindexRefusesAnIndexInUse(@TempDir Path dir) {
    Path indexDir = dir.resolve("index");
    try (QueryIndex open = QueryIndex.open(indexDir)) {
      open.apply(TestStudies.events());
      var refused = StudyIndexProjection.reindex(testKit.system(), indexDir, "node-1")
          .toCompletableFuture();
      var e = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.CompletionException.class, refused::join);
      assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
      assertEquals(EXPECTED, open.counts());
    }
    assertTrue(java.nio.file.Files.isDirectory(indexDir));
  }

  @Test
  void replacedDuplicateReplacesTheInstance(@TempDir Path dir) {
    List<Study.Event> events = new ArrayList<>(TestStudies.events());
    Study.InstanceStored first = (Study.InstanceStored) events.get(0);
    var in = first.instance();
    Map<String, String> attrs = new java.util.HashMap<>(in.attributes());
    attrs.put("InstanceNumber", "42");
    Study.InstanceStored replacement = TestStudies.stored(in.studyInstanceUid(),
        in.seriesInstanceUid(), in.sopInstanceUid(), in.sopClassUid(), attrs, first.at() + 100_000);
    events.add(new Study.DuplicateInstanceReceived(in.sopInstanceUid(),
        Study.DuplicateInstanceReceived.Resolution.REPLACED, in.datasetSha256(), "other",
        replacement.instance(), "", "node-1", "site-1", replacement.at()));
    events.add(replacement);
    try (QueryIndex index = QueryIndex.open(dir.resolve("index"))) {
      index.apply(events);
      assertEquals(EXPECTED, index.counts());
      QueryService service = new QueryService(index, QueryServiceTest.settings(100));
      FindResult r = service.find(QueryRetrieveLevel.IMAGE, InformationModel.STUDY_ROOT,
          QueryServiceTest.id("StudyInstanceUID", in.studyInstanceUid(), "SeriesInstanceUID",
              in.seriesInstanceUid(), "InstanceNumber", "42"), 0);
      assertEquals(List.of(in.sopInstanceUid()), QueryServiceTest.values(r, "SOPInstanceUID"));
    }
  }

  /** The answers to a fixed set of queries at every level and model, as text. */
  static List<String> answers(QueryIndex index) {
    QueryService service = new QueryService(index, QueryServiceTest.settings(1000));
    List<String> out = new ArrayList<>();
    String[] studyKeys = {"PatientName", "", "PatientID", "", "StudyInstanceUID", "", "StudyDate",
        "", "StudyTime", "", "AccessionNumber", "", "ModalitiesInStudy", "", "StudyDescription", "",
        "NumberOfStudyRelatedSeries", "", "NumberOfStudyRelatedInstances", "",
        "ReferringPhysicianName", "", "PatientBirthDate", "", "PatientSex", ""};
    add(out, service.find(QueryRetrieveLevel.STUDY, InformationModel.STUDY_ROOT,
        QueryServiceTest.id(studyKeys), 0));
    add(out, service.find(QueryRetrieveLevel.PATIENT, InformationModel.PATIENT_ROOT,
        QueryServiceTest.id("PatientName", "", "PatientID", "", "NumberOfPatientRelatedStudies", "",
            "NumberOfPatientRelatedInstances", ""), 0));
    for (String study : List.of("1.2.3.1", "1.2.3.2", "1.2.3.3", "1.2.3.4", "1.2.3.5", "1.2.3.6")) {
      FindResult series = service.find(QueryRetrieveLevel.SERIES, InformationModel.STUDY_ROOT,
          QueryServiceTest.id("StudyInstanceUID", study, "SeriesInstanceUID", "", "Modality", "",
              "SeriesNumber", "", "BodyPartExamined", "", "NumberOfSeriesRelatedInstances", ""), 0);
      add(out, series);
      for (Dataset s : series.matches()) {
        Dataset q = QueryServiceTest.id("StudyInstanceUID", study, "SeriesInstanceUID",
            s.getString(Tag.SeriesInstanceUID), "SOPInstanceUID", "", "InstanceNumber", "");
        q.put(Element.ofBytes(Tag.Rows, Vr.US, new byte[0]));
        add(out, service.find(QueryRetrieveLevel.IMAGE, InformationModel.STUDY_ROOT, q, 0));
      }
    }
    assertTrue(out.size() > 30, "answers cover the archive: " + out.size());
    return out;
  }

  @Test
  void eachGroupOffersTheNewestChainHeadOfEachStudy(@TempDir Path dir) throws Exception {
    List<EventEnvelope<Study.Event>> envs = envelopes(TestStudies.events());
    List<ChainHeadCheckpoints.Head> offered = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (QueryIndex index = QueryIndex.open(dir.resolve("index"))) {
      StudyIndexHandler handler =
          new StudyIndexHandler(index, new LagMeter(), executor, "study-0", offered::addAll);
      // Two groups: the first ends in the middle of the events.
      int cut = envs.size() / 2;
      handler.process(envs.subList(0, cut)).toCompletableFuture().get();
      handler.process(envs.subList(cut, envs.size())).toCompletableFuture().get();
    }
    // Per group, one head per study: the study's newest event of that group, with its hash.
    Map<String, EventEnvelope<Study.Event>> newest = new java.util.HashMap<>();
    envs.forEach(e -> newest.merge(e.persistenceId(), e, (a, b) -> b));
    Map<String, ChainHeadCheckpoints.Head> last = new java.util.HashMap<>();
    offered.forEach(h -> last.merge(h.persistenceId(), h,
        (a, b) -> b.sequenceNr() > a.sequenceNr() ? b : a));
    assertEquals(newest.keySet(), last.keySet());
    for (EventEnvelope<Study.Event> e : newest.values()) {
      ChainHeadCheckpoints.Head head = last.get(e.persistenceId());
      assertEquals(e.sequenceNr(), head.sequenceNr());
      assertEquals(org.annal.archive.StudyChainAudit.hash(e.event()), head.hash());
    }
    long firstGroupStudies = envs.subList(0, envs.size() / 2).stream()
        .map(EventEnvelope::persistenceId).distinct().count();
    long secondGroupStudies = envs.subList(envs.size() / 2, envs.size()).stream()
        .map(EventEnvelope::persistenceId).distinct().count();
    assertEquals(firstGroupStudies + secondGroupStudies, offered.size());
  }

  private static void add(List<String> out, FindResult r) {
    for (Dataset d : r.matches()) {
      StringBuilder sb = new StringBuilder();
      for (Element e : d.elements()) {
        sb.append(ElementDictionary.keywordOf(e.tag())).append('=')
            .append(e.isSequence() ? "SQ" : d.getString(e.tag())).append(';');
      }
      out.add(sb.toString());
    }
    out.add("capped=" + r.capped());
  }
}
