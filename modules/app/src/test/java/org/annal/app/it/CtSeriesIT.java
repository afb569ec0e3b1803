// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annal.app.it.StorescuLog.FileResult;
import org.annal.app.it.StorescuLog.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A 200-instance 512×512 16-bit CT series over one association, another study of 200 over four
 * parallel storescu processes; every instance in its study with the right count and checksum; then
 * a graceful stop (SIGTERM, exit 0) while a third study is being sent, {@code annal verify} clean
 * with matching counts, and a restart on the same data directory with everything still there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CtSeriesIT {
  static final int INSTANCES = 200;
  static final int PARALLEL = 4;

  private AnnalNode node;
  private SyntheticCtSeries.Series single;
  private SyntheticCtSeries.Series parallel;
  private List<Path> parallelDirs;
  /** A third study, being sent when the node gets SIGTERM. */
  private SyntheticCtSeries.Series interrupted;
  private List<Path> interruptedDirs;
  private final java.util.Set<String> acknowledgedBeforeStop = new java.util.LinkedHashSet<>();
  /** sha256 of every instance by SOP Instance UID, as the node reported it before the restart. */
  private final Map<String, String> checksums = new LinkedHashMap<>();

  @BeforeAll
  void generateAndStart() {
    ExternalTool.assumeInstalled("storescu");
    node = new AnnalNode("CtSeriesIT", List.of());
    Path input = node.workDir().resolve("input");
    long begin = System.nanoTime();
    single = SyntheticCtSeries.write(List.of(input.resolve("single")), INSTANCES, "CTSINGLE");
    parallelDirs = new ArrayList<>();
    for (int i = 0; i < PARALLEL; i++) {
      parallelDirs.add(input.resolve("parallel-" + i));
    }
    parallel = SyntheticCtSeries.write(parallelDirs, INSTANCES, "CTPARALLEL");
    interruptedDirs = new ArrayList<>();
    for (int i = 0; i < PARALLEL; i++) {
      interruptedDirs.add(input.resolve("interrupted-" + i));
    }
    interrupted = SyntheticCtSeries.write(interruptedDirs, INSTANCES, "CTINTERRUPTED");
    System.out.printf("[it] CtSeriesIT generated %d files in %.1f s%n", 3 * INSTANCES, (System.nanoTime() - begin) / 1e9);
    node.start();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  @Order(1)
  void seriesOverOneAssociation() {
    long begin = System.nanoTime();
    ExternalTool.Run run = ExternalTool.run(node.workDir().resolve("storescu-single.log"), Duration.ofSeconds(600),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(), single.files()));
    double seconds = (System.nanoTime() - begin) / 1e9;
    System.out.printf("[it] CtSeriesIT 1 association: %d instances (%.0f MB) in %.1f s = %.1f instances/s%n",
        INSTANCES, INSTANCES * 0.5, seconds, INSTANCES / seconds);
    Map<String, FileResult> results = StorescuLog.parse(run.output());
    assertEquals(INSTANCES, StorescuLog.count(results, Outcome.SUCCESS), "all Success\n" + run.describe());
    assertEquals(0, run.exitCode(), run.describe());
    assertTrue(run.output().lines().filter(l -> l.contains("Requesting Association")).count() == 1, "one association");
    assertStudyComplete(single);
  }

  @Test
  @Order(2)
  void seriesOverFourParallelAssociations() {
    long begin = System.nanoTime();
    List<ExternalTool.Started> started = new ArrayList<>();
    for (int i = 0; i < PARALLEL; i++) {
      started.add(ExternalTool.start(node.workDir().resolve("storescu-parallel-" + i + ".log"),
          Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of("+sd"), List.of(parallelDirs.get(i)))));
    }
    long successes = 0;
    StringBuilder failures = new StringBuilder();
    for (ExternalTool.Started s : started) {
      ExternalTool.Run run = s.await(Duration.ofSeconds(600));
      Map<String, FileResult> results = StorescuLog.parse(run.output());
      long ok = StorescuLog.count(results, Outcome.SUCCESS);
      successes += ok;
      if (run.exitCode() != 0 || ok != INSTANCES / PARALLEL) {
        failures.append(run.describe()).append('\n');
      }
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    System.out.printf("[it] CtSeriesIT %d associations: %d instances in %.1f s = %.1f instances/s%n",
        PARALLEL, INSTANCES, seconds, INSTANCES / seconds);
    assertEquals(INSTANCES, successes, failures.toString());
    assertEquals("", failures.toString());
    assertStudyComplete(parallel);
  }

  /**
   * SIGTERM while four associations are sending: the node drains and exits 0, and nothing it
   * acknowledged is lost (checked after the restart below).
   */
  @Test
  @Order(3)
  void gracefulStopDuringIngest() {
    List<ExternalTool.Started> senders = Dcmtk.storescuPerDirectory(node.workDir(),
        "storescu-interrupted", node.dicomPort(), interruptedDirs, interrupted.files());
    Await.until(Duration.ofSeconds(120), "20 Success responses",
        () -> Dcmtk.successesSoFar(senders) >= 20, () -> node.tail(20));
    long begin = System.nanoTime();
    int exit = node.stop();
    double stopSeconds = (System.nanoTime() - begin) / 1e9;
    Map<String, String> uidOfFile = new LinkedHashMap<>();
    for (int i = 0; i < INSTANCES; i++) {
      uidOfFile.put(interrupted.files().get(i).toString(), interrupted.sopInstanceUids().get(i));
    }
    long failedStatus = 0;
    for (ExternalTool.Started sender : senders) {
      ExternalTool.Run run = sender.await(Duration.ofSeconds(120));
      for (FileResult result : StorescuLog.parse(run.output()).values()) {
        if (result.outcome() == Outcome.SUCCESS) {
          acknowledgedBeforeStop.add(uidOfFile.get(result.file()));
        } else if (result.outcome() == Outcome.FAILURE_STATUS) {
          failedStatus++;
        }
      }
    }
    System.out.printf("[it] CtSeriesIT SIGTERM during ingest: exit %d after %.1f s; %d of %d acknowledged, %d failure statuses%n",
        exit, stopSeconds, acknowledgedBeforeStop.size(), INSTANCES, failedStatus);
    assertEquals(0, exit, "exit code after SIGTERM during ingest\n" + node.tail(40));
  }

  @Test
  @Order(4)
  void restartKeepsEverythingAndVerifyPasses() {
    ExternalTool.Run verify = node.verify("verify.log");
    assertEquals(0, verify.exitCode(), verify.describe());
    Map<String, Long> summary = AnnalNode.verifySummary(verify);
    long interruptedStored = summary.get("instances") - 2L * INSTANCES;
    assertTrue(interruptedStored >= acknowledgedBeforeStop.size(), verify.describe());
    assertEquals(interruptedStored == 0 ? 2L : 3L, summary.get("studies"), verify.describe());
    assertEquals(summary.get("instances"), summary.get("ok"), verify.describe());
    assertEquals(0L, summary.get("mismatched"), verify.describe());
    assertEquals(0L, summary.get("missing"), verify.describe());

    node.start();
    StudyApi api = new StudyApi(node.httpPort());
    for (SyntheticCtSeries.Series series : List.of(single, parallel)) {
      StudyApi.Study study = api.study(series.studyInstanceUid());
      assertEquals(INSTANCES, study.instances().size(), "instances after restart");
      for (String sop : series.sopInstanceUids()) {
        StudyApi.Instance instance = study.instances().get(sop);
        assertTrue(instance != null, sop + " missing after restart");
        assertEquals(checksums.get(sop), instance.sha256(), sop + " checksum changed across restart");
      }
    }
    StoredInstances stored = new StoredInstances(api, new BlobFiles(node.dataDir()));
    List<String> problems = new ArrayList<>();
    for (String sop : acknowledgedBeforeStop) {
      int i = interrupted.sopInstanceUids().indexOf(sop);
      problems.addAll(stored.check(new StoredInstances.Expected(interrupted.files().get(i).getFileName().toString(),
          interrupted.studyInstanceUid(), sop, Dcmtk.EXPLICIT_LE, Part10File.read(interrupted.files().get(i)).dataSet())));
    }
    assertTrue(problems.isEmpty(), problems.size() + " acknowledged before SIGTERM but not stored:\n"
        + String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
    if (!acknowledgedBeforeStop.isEmpty()) {
      assertEquals(interruptedStored, api.study(interrupted.studyInstanceUid()).instances().size(),
          "verify and the study state disagree on the interrupted study");
    }
  }

  /** All instances listed once with a blob whose data set is the generated file's, byte for byte. */
  private void assertStudyComplete(SyntheticCtSeries.Series series) {
    StudyApi api = new StudyApi(node.httpPort());
    StoredInstances stored = new StoredInstances(api, new BlobFiles(node.dataDir()));
    StudyApi.Study study = stored.study(series.studyInstanceUid());
    assertEquals(INSTANCES, study.instances().size(), "instances in study " + series.studyInstanceUid());
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < series.files().size(); i++) {
      String sop = series.sopInstanceUids().get(i);
      // storescu sends these Explicit VR LE files unchanged: no group lengths, even lengths, defined lengths.
      byte[] sent = Part10File.read(series.files().get(i)).dataSet();
      problems.addAll(stored.check(new StoredInstances.Expected(
          series.files().get(i).getFileName().toString(), series.studyInstanceUid(), sop, Dcmtk.EXPLICIT_LE, sent)));
      if (study.instances().containsKey(sop)) {
        checksums.put(sop, study.instances().get(sop).sha256());
      }
    }
    assertTrue(problems.isEmpty(), problems.size() + " problem(s):\n" + String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
  }
}
