// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The write-order invariant under a power-cut: four storescu processes stream a series, the node
 * JVM and its Cassandra are SIGKILLed mid-stream, the node restarts on the same data directory.
 * Every instance a peer was answered Success for must be in the study, with its blob intact, and
 * {@code annal verify} must pass; sending everything again afterwards completes the study.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KillIT {
  static final int PARALLEL = 4;
  static final int INSTANCES = 400;
  /** Successes seen across the four logs before the kill: well into the stream, well before its end. */
  static final int KILL_AFTER_SUCCESSES = 60;

  private AnnalNode node;
  private SyntheticCtSeries.Series series;
  private List<Path> dirs;
  private final Map<String, String> uidOfFile = new HashMap<>();
  private final Map<String, Integer> indexOfUid = new HashMap<>();
  private final Set<String> acknowledged = new LinkedHashSet<>();

  @BeforeAll
  void generateAndStart() {
    ExternalTool.assumeInstalled("storescu");
    // Orphans left by the kill are minutes old at the restart; nothing is stored during the sweep.
    node = new AnnalNode("KillIT", List.of("annal.archive.orphan-grace = 5s"));
    dirs = new ArrayList<>();
    for (int i = 0; i < PARALLEL; i++) {
      dirs.add(node.workDir().resolve("input").resolve("part-" + i));
    }
    series = SyntheticCtSeries.write(dirs, INSTANCES, "KILLIT");
    for (int i = 0; i < INSTANCES; i++) {
      uidOfFile.put(series.files().get(i).toString(), series.sopInstanceUids().get(i));
      indexOfUid.put(series.sopInstanceUids().get(i), i);
    }
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
  void killMidStreamLosesNothingAcknowledged() {
    List<ExternalTool.Started> senders = Dcmtk.storescuPerDirectory(
        node.workDir(), "storescu", node.dicomPort(), dirs, series.files());
    Await.until(Duration.ofSeconds(300), KILL_AFTER_SUCCESSES + " Success responses",
        () -> Dcmtk.successesSoFar(senders) >= KILL_AFTER_SUCCESSES,
        () -> "successes so far " + Dcmtk.successesSoFar(senders) + "\n" + node.tail(30));
    assertTrue(senders.stream().anyMatch(s -> s.process().isAlive()),
        "all storescu finished before the kill: raise INSTANCES");
    node.kill();
    long killedAt = System.nanoTime();
    System.out.printf("[it] KillIT killed node and Cassandra after %d successes%n", Dcmtk.successesSoFar(senders));

    long noResponse = 0;
    for (ExternalTool.Started sender : senders) {
      ExternalTool.Run run = sender.await(Duration.ofSeconds(180));
      for (FileResult result : StorescuLog.parse(run.output()).values()) {
        if (result.outcome() == Outcome.SUCCESS) {
          acknowledged.add(uidOfFile.get(result.file()));
        } else if (result.outcome() == Outcome.NO_RESPONSE) {
          noResponse++;
        }
      }
    }
    System.out.printf("[it] KillIT storescu gone %.1f s after the kill: %d acknowledged, %d without a response%n",
        (System.nanoTime() - killedAt) / 1e9, acknowledged.size(), noResponse);
    assertTrue(acknowledged.size() >= KILL_AFTER_SUCCESSES, "parsed fewer successes than were seen");

    node.start();
    StudyApi api = new StudyApi(node.httpPort());
    StoredInstances stored = new StoredInstances(api, new BlobFiles(node.dataDir()));
    StudyApi.Study study = stored.study(series.studyInstanceUid());
    List<String> problems = new ArrayList<>();
    for (String sop : acknowledged) {
      Path file = series.files().get(indexOfUid.get(sop));
      problems.addAll(stored.check(new StoredInstances.Expected(file.getFileName().toString(),
          series.studyInstanceUid(), sop, Dcmtk.EXPLICIT_LE, Part10File.read(file).dataSet())));
    }
    System.out.printf("[it] KillIT after restart: %d instances in the study, %d acknowledged%n",
        study.instances().size(), acknowledged.size());
    assertTrue(problems.isEmpty(), problems.size() + " acknowledged instance(s) lost or damaged:\n"
        + String.join("\n", problems.subList(0, Math.min(30, problems.size()))));
    for (String sop : study.instances().keySet()) {
      assertTrue(indexOfUid.containsKey(sop), "unknown instance " + sop + " in the study");
    }

    // Blobs written before the kill whose event never landed are orphans: the start-up sweep
    // removes them (ARCHITECTURE invariant 1), and says so.
    Await.until(Duration.ofSeconds(120), "the orphan sweep at start-up",
        () -> ExternalTool.read(node.log()).contains("Orphan sweep done"), () -> node.tail(30));
    String sweep = ExternalTool.read(node.log()).lines().filter(l -> l.contains("Orphan sweep done")).findFirst().orElseThrow();
    System.out.printf("[it] KillIT %s%n", sweep.substring(sweep.indexOf("msg=")));
    BlobFiles blobs = new BlobFiles(node.dataDir());
    assertEquals(study.instances().size(), blobs.count(), "blob files after the sweep vs instances; " + sweep);
  }

  @Test
  @Order(2)
  void sendingEverythingAgainCompletesTheStudy() {
    ExternalTool.Run run = ExternalTool.run(node.workDir().resolve("storescu-resend.log"), Duration.ofSeconds(600),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(), series.files()));
    Map<String, FileResult> results = StorescuLog.parse(run.output());
    assertEquals(INSTANCES, StorescuLog.count(results, Outcome.SUCCESS) + StorescuLog.count(results, Outcome.WARNING),
        run.describe());
    StudyApi.Study study = new StudyApi(node.httpPort()).study(series.studyInstanceUid());
    assertEquals(INSTANCES, study.instances().size(), "instances after resending");
    study.listings().forEach((sop, n) -> assertEquals(1, n, sop + " listed " + n + " times"));
  }

  @Test
  @Order(3)
  void verifyPassesAfterTheCrash() {
    assertEquals(0, node.stop(), "exit code after SIGTERM\n" + node.tail(40));
    ExternalTool.Run verify = node.verify("verify.log");
    assertEquals(0, verify.exitCode(), verify.describe());
    Map<String, Long> summary = AnnalNode.verifySummary(verify);
    assertEquals((long) INSTANCES, summary.get("instances"), verify.describe());
    assertEquals((long) INSTANCES, summary.get("ok"), verify.describe());
    assertEquals(0L, summary.get("missing"), verify.describe());
  }

  @Test
  @Order(4)
  void killingOnlyTheNodeJvmLeavesNoStrayCassandra() {
    node.start();
    ProcessHandle oldCassandra = node.cassandraProcess().orElseThrow(() -> new AssertionError("no cassandra.pid"));
    List<Path> parts = List.of(node.workDir().resolve("input2").resolve("a"), node.workDir().resolve("input2").resolve("b"));
    SyntheticCtSeries.Series second = SyntheticCtSeries.write(parts, 200, "KILLIT2");
    List<ExternalTool.Started> senders = Dcmtk.storescuPerDirectory(
        node.workDir(), "storescu-2", node.dicomPort(), parts, second.files());
    Await.until(Duration.ofSeconds(300), "20 Success responses", () -> Dcmtk.successesSoFar(senders) >= 20, () -> node.tail(20));
    node.killNodeOnly();
    Set<String> acked = new LinkedHashSet<>();
    for (ExternalTool.Started sender : senders) {
      for (FileResult result : StorescuLog.parse(sender.await(Duration.ofSeconds(180)).output()).values()) {
        if (result.outcome() == Outcome.SUCCESS) {
          acked.add(second.sopInstanceUids().get(second.files().indexOf(Path.of(result.file()))));
        }
      }
    }
    long begin = System.nanoTime();
    node.start();
    System.out.printf("[it] KillIT node JVM alone killed with %d acknowledged; old Cassandra %s at restart (%.1f s)%n",
        acked.size(), oldCassandra.isAlive() ? "still alive" : "gone", (System.nanoTime() - begin) / 1e9);
    assertTrue(Await.within(Duration.ofSeconds(60), () -> !oldCassandra.isAlive()),
        "the orphaned Cassandra (pid " + oldCassandra.pid() + ") still runs after the restart");
    StoredInstances stored = new StoredInstances(new StudyApi(node.httpPort()), new BlobFiles(node.dataDir()));
    List<String> problems = new ArrayList<>();
    for (String sop : acked) {
      int i = second.sopInstanceUids().indexOf(sop);
      problems.addAll(stored.check(new StoredInstances.Expected(second.files().get(i).getFileName().toString(),
          second.studyInstanceUid(), sop, Dcmtk.EXPLICIT_LE, Part10File.read(second.files().get(i)).dataSet())));
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems.subList(0, Math.min(20, problems.size()))));
    assertEquals(0, node.stop(), "exit code after SIGTERM\n" + node.tail(40));
  }
}
