// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * Three nodes and one Cassandra, each node its own JVM, data dir and DICOM/HTTP ports (issue 3):
 * ingest through all three at once; kill -9 of one node mid-ingest; SIGTERM of one node
 * mid-ingest; the same study state from every node; the journal free of duplicate sequence
 * numbers; {@code annal verify} clean on every node at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  static final int NODES = 3;
  static final int PER_ASSOCIATION = 15;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Path work;
  private SharedCassandra cassandra;
  private final List<AnnalNode> nodes = new ArrayList<>();
  /** Every instance a peer was answered Success for: study → SOP Instance UID → node id. */
  private final Map<String, Map<String, String>> acknowledged = new LinkedHashMap<>();
  private int studies;

  @BeforeAll
  void startCluster() {
    ExternalTool.assumeInstalled("storescu");
    work = AnnalNode.itDirectory("ClusterIT");
    cassandra = new SharedCassandra(work.resolve("cassandra"));
    List<Integer> clusterPorts = List.of(FreePorts.next(), FreePorts.next(), FreePorts.next());
    String seeds = "pekko.cluster.seed-nodes = [" + String.join(", ", clusterPorts.stream()
        .map(p -> "\"pekko://annal@127.0.0.1:" + p + "\"").toList()) + "]";
    for (int i = 0; i < NODES; i++) {
      nodes.add(new AnnalNode("ClusterIT-" + nodeId(i), List.of(
          "annal.node-id = \"" + nodeId(i) + "\"",
          "annal.cassandra.external = \"" + cassandra.address() + "\"",
          seeds,
          "annal.cluster.secret = \"cluster-it-secret\"",
          // A dead node is downed after ~3 s of silence + 5 s stable: its studies come back on the
          // survivors while the C-STOREs waiting for them are still within their ask timeout.
          "pekko.cluster.split-brain-resolver.stable-after = 5s",
          "annal.archive.ask-timeout = 60s"))
          .clusterPort(clusterPorts.get(i)));
    }
    // The first seed forms the cluster and creates the journal's tables; then the others join.
    nodes.get(0).start();
    CompletableFuture.allOf(
        CompletableFuture.runAsync(() -> nodes.get(1).start()),
        CompletableFuture.runAsync(() -> nodes.get(2).start())).join();
    Await.until(Duration.ofSeconds(60), "3 members Up on every node", () -> nodes.stream()
        .allMatch(n -> upMembers(n) == NODES));
  }

  @AfterAll
  void stopCluster() {
    nodes.forEach(AnnalNode::close);
    if (cassandra != null) {
      cassandra.close();
    }
  }

  private static String nodeId(int i) {
    return "node-" + (i + 1);
  }

  @Test
  @Order(1)
  void ingestThroughAllThreeAtOnce() throws Exception {
    for (AnnalNode node : nodes) {
      // Pekko Management: member Up and the journal answering (our readiness check).
      assertEquals(200, status(node.managementPort(), "/ready"), "ready " + node.log());
      assertEquals(200, status(node.managementPort(), "/alive"));
    }
    // One study shared by all nodes (two associations each) and one study per node (two more).
    Ingest shared = new Ingest("shared", 2 * NODES);
    List<Ingest> own = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      own.add(new Ingest("own-" + nodeId(i), 2));
    }
    List<Sender> senders = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      senders.addAll(shared.send(i, List.of(2 * i, 2 * i + 1)));
      senders.addAll(own.get(i).send(i, List.of(0, 1)));
    }
    Map<Outcome, Integer> outcomes = collect(senders);
    assertEquals(Map.of(Outcome.SUCCESS, 4 * NODES * PER_ASSOCIATION), outcomes,
        "C-STORE outcomes of 12 associations");

    for (Ingest ingest : append(own, shared)) {
      List<JsonNode> answers = new ArrayList<>();
      for (AnnalNode node : nodes) {
        answers.add(state(node, ingest.series.studyInstanceUid()));
      }
      assertEquals(answers.get(0), answers.get(1), "state from node-1 vs node-2");
      assertEquals(answers.get(0), answers.get(2), "state from node-1 vs node-3");
      JsonNode state = answers.get(0);
      Map<String, String> expected = acknowledged.get(ingest.series.studyInstanceUid());
      assertEquals(expected.keySet(), fieldNames(state.get("instances")), ingest.label);
      // One event per instance: nothing recorded twice.
      assertEquals(expected.size(), state.get("eventCount").asLong(), ingest.label + " events");
      for (var e : expected.entrySet()) {
        JsonNode placements = state.get("instances").get(e.getKey()).get("placements");
        assertEquals(1, placements.size(), e.getKey());
        assertEquals(e.getValue(), placements.get(0).get("nodeId").asText(),
            "placement of " + e.getKey() + " names the node that received it");
      }
    }
    long blobs = nodes.stream().mapToLong(n -> new BlobFiles(n.dataDir()).count()).sum();
    assertEquals(acknowledged.values().stream().mapToLong(Map::size).sum(), blobs,
        "blob files on the three nodes together vs instances");
  }

  @Test
  @Order(2)
  void anyNodeServesAnInstanceStoredOnAnother() throws Exception {
    String study = acknowledged.keySet().iterator().next();
    JsonNode state = state(nodes.get(0), study);
    int checked = 0;
    for (var e : acknowledged.get(study).entrySet()) {
      if (checked == 3) {
        break;
      }
      // The next node after the one that stored it.
      AnnalNode reader = nodes.get((Integer.parseInt(e.getValue().substring(5)) % NODES));
      HttpResponse<byte[]> file = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + reader.httpPort() + "/api/studies/" + study + "/instances/" + e.getKey())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, file.statusCode(), new String(file.body()));
      JsonNode instance = state.get("instances").get(e.getKey());
      assertEquals(instance.get("size").asLong(), file.body().length);
      assertEquals(instance.get("sha256").asText(), StoredInstances.sha256(file.body()),
          "bytes of " + e.getKey() + " read through another node");
      checked++;
    }
    assertEquals(3, checked);
  }

  @Test
  @Order(3)
  void killOneNodeMidIngestLosesNothingAcknowledged() throws Exception {
    AnnalNode victim = nodes.get(2);
    Ingest during = new Ingest("during-kill", 2 * NODES);
    List<Sender> toVictim = during.send(2, List.of(4, 5));
    List<Sender> toOthers = new ArrayList<>(during.send(0, List.of(0, 1)));
    toOthers.addAll(during.send(1, List.of(2, 3)));
    Await.until(Duration.ofSeconds(300), "20 Success responses before the kill",
        () -> successes(toVictim) + successes(toOthers) >= 20);
    String shardsOfVictim = get(victim.managementPort(), "/cluster/shards/Study");
    victim.kill();
    long killedAt = System.nanoTime();
    // Right after the kill, one new instance of every study so far through node-1: those whose
    // shard lived on node-3 wait until the Split Brain Resolver downs it and the shard starts on
    // a survivor; each must still end in Success.
    List<ExtraInstance> extras = new ArrayList<>();
    for (String study : acknowledged.keySet()) {
      extras.add(new ExtraInstance(study, extras.size()));
    }
    Map<Outcome, Integer> extraOutcomes = new HashMap<>();
    List<Double> secondsToSuccess = new ArrayList<>();
    for (ExtraInstance extra : extras) {
      Outcome outcome = extra.await(killedAt);
      extraOutcomes.merge(outcome, 1, Integer::sum);
      secondsToSuccess.add(extra.seconds);
    }
    System.out.printf("[it] ClusterIT kill: node-3 held shards %s; one store per study after the kill"
        + " answered after %s s%n", shardsOfVictim, secondsToSuccess);
    assertEquals(Map.of(Outcome.SUCCESS, extras.size()), extraOutcomes,
        "every study, node-3's among them, accepts stores again after the kill");
    Map<Outcome, Integer> others = collect(toOthers);
    double othersDone = (System.nanoTime() - killedAt) / 1e9;
    Map<Outcome, Integer> victims = collect(toVictim);
    System.out.printf("[it] ClusterIT kill: others %s (done %.1f s after the kill), victim's %s%n",
        others, othersDone, victims);
    assertEquals(Map.of(Outcome.SUCCESS, 4 * PER_ASSOCIATION), others,
        "associations to the surviving nodes go on: every C-STORE Success");

    victim.start();
    Await.until(Duration.ofSeconds(60), "3 members Up again", () -> upMembers(nodes.get(0)) == NODES);
    assertAllAcknowledgedPresent();
  }

  @Test
  @Order(4)
  void sigtermOneNodeMidIngestFailsNothingElsewhere() throws Exception {
    AnnalNode leaving = nodes.get(1);
    Ingest during = new Ingest("during-sigterm", 2 * NODES);
    List<Sender> toLeaving = during.send(1, List.of(2, 3));
    List<Sender> toOthers = new ArrayList<>(during.send(0, List.of(0, 1)));
    toOthers.addAll(during.send(2, List.of(4, 5)));
    Await.until(Duration.ofSeconds(300), "20 Success responses before SIGTERM",
        () -> successes(toLeaving) + successes(toOthers) >= 20);
    long begin = System.nanoTime();
    assertEquals(0, leaving.stop(), "exit code after SIGTERM\n" + leaving.tail(40));
    System.out.printf("[it] ClusterIT SIGTERM: node-2 exited after %.1f s%n", (System.nanoTime() - begin) / 1e9);
    Map<Outcome, Integer> others = collect(toOthers);
    Map<Outcome, Integer> leavings = collect(toLeaving);
    System.out.printf("[it] ClusterIT SIGTERM: others %s, leaving node's %s%n", others, leavings);
    assertEquals(Map.of(Outcome.SUCCESS, 4 * PER_ASSOCIATION), others,
        "zero failed C-STOREs on the other nodes");
    leaving.start();
    Await.until(Duration.ofSeconds(60), "3 members Up again", () -> upMembers(nodes.get(0)) == NODES);
    assertAllAcknowledgedPresent();
  }

  @Test
  @Order(5)
  void journalHasNoSequenceNumberTwiceAndVerifyPassesOnEveryNode() throws Exception {
    try (CqlSession session = cassandra.session()) {
      Map<String, List<Long>> seqs = new HashMap<>();
      for (Row row : session.execute(
          "SELECT persistence_id, sequence_nr FROM annal.messages")) {
        seqs.computeIfAbsent(row.getString(0), k -> new ArrayList<>()).add(row.getLong(1));
      }
      assertEquals(studies, seqs.keySet().stream().filter(id -> id.startsWith("Study|")).count(),
          "studies in the journal " + seqs.keySet());
      for (var e : seqs.entrySet()) {
        List<Long> sorted = e.getValue().stream().sorted().toList();
        for (int i = 0; i < sorted.size(); i++) {
          assertEquals(i + 1, sorted.get(i), e.getKey() + ": sequence numbers " + sorted);
        }
      }
    }
    long onRecord = 0;
    for (String study : acknowledged.keySet()) {
      onRecord += state(nodes.get(0), study).get("instances").size();
    }
    for (AnnalNode node : nodes) {
      assertEquals(0, node.stop(), "exit code after SIGTERM\n" + node.tail(40));
    }
    long verified = 0;
    for (AnnalNode node : nodes) {
      ExternalTool.Run verify = node.verify("verify.log");
      assertEquals(0, verify.exitCode(), verify.describe());
      Map<String, Long> summary = AnnalNode.verifySummary(verify);
      assertEquals(0L, summary.get("missing"), verify.describe());
      assertEquals(summary.get("instances") - summary.get("on other nodes"), summary.get("ok"),
          verify.describe());
      verified += summary.get("ok");
    }
    // Each instance on record is verified on exactly one node: the one that holds its blob.
    assertEquals(onRecord, verified, "instances verified on their nodes together vs on record");
    assertTrue(onRecord >= acknowledged.values().stream().mapToLong(Map::size).sum());
  }

  // ------------------------------------------------------------------------------ helpers

  /** Every acknowledged instance is in its study, read from node-1, and readable from node-1. */
  private void assertAllAcknowledgedPresent() throws Exception {
    for (var study : acknowledged.entrySet()) {
      JsonNode state = state(nodes.get(0), study.getKey());
      Set<String> missing = new LinkedHashSet<>(study.getValue().keySet());
      missing.removeAll(fieldNames(state.get("instances")));
      assertTrue(missing.isEmpty(), missing.size() + " acknowledged instance(s) missing from "
          + study.getKey() + ": " + missing);
      for (AnnalNode other : nodes.subList(1, NODES)) {
        assertEquals(state, state(other, study.getKey()), "same state from every node");
      }
    }
  }

  private final class Ingest {
    final String label;
    final SyntheticCtSeries.Series series;
    final List<Path> dirs = new ArrayList<>();

    Ingest(String label, int associations) {
      this.label = label;
      for (int i = 0; i < associations; i++) {
        dirs.add(work.resolve("input").resolve(label).resolve("part-" + i));
      }
      series = SyntheticCtSeries.write(dirs, associations * PER_ASSOCIATION, label.toUpperCase());
      acknowledged.put(series.studyInstanceUid(), new LinkedHashMap<>());
      studies++;
    }

    /** One storescu per listed part, all to node {@code node}. */
    List<Sender> send(int node, List<Integer> parts) {
      List<Sender> senders = new ArrayList<>();
      for (int part : parts) {
        List<ExternalTool.Started> started = Dcmtk.storescuPerDirectory(work,
            "storescu-" + label + "-" + part, nodes.get(node).dicomPort(), List.of(dirs.get(part)),
            series.files());
        senders.add(new Sender(this, nodeId(node), started.get(0)));
      }
      return senders;
    }
  }

  private record Sender(Ingest ingest, String nodeId, ExternalTool.Started process) {}

  /** One new instance of an existing study, sent at once through node-1. */
  private final class ExtraInstance {
    final String study;
    final String sop = SyntheticCtSeries.newUid();
    final ExternalTool.Started process;
    double seconds;

    ExtraInstance(String study, int n) {
      this.study = study;
      Path file = work.resolve("input").resolve("extra").resolve("extra-" + n + ".dcm");
      try {
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.write(file, SyntheticCtSeries.encode("EXTRA", study,
            SyntheticCtSeries.newUid(), sop, 9000 + n));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      process = ExternalTool.start(work.resolve("storescu-extra-" + n + ".log"),
          Dcmtk.storescu(nodes.get(0).dicomPort(), AnnalNode.AE_TITLE, List.of(), List.of(file)));
    }

    Outcome await(long since) {
      ExternalTool.Run run = process.await(Duration.ofSeconds(300));
      seconds = Math.round((System.nanoTime() - since) / 1e8) / 10.0;
      Outcome outcome = StorescuLog.parse(run.output()).values().stream().map(FileResult::outcome)
          .findFirst().orElse(Outcome.NO_RESPONSE);
      if (outcome == Outcome.SUCCESS) {
        acknowledged.get(study).put(sop, nodeId(0));
      }
      return outcome;
    }
  }

  /** Waits for the senders; records their Success instances; counts outcomes. */
  private Map<Outcome, Integer> collect(List<Sender> senders) {
    Map<Outcome, Integer> outcomes = new HashMap<>();
    for (Sender s : senders) {
      ExternalTool.Run run = s.process().await(Duration.ofSeconds(600));
      for (FileResult r : StorescuLog.parse(run.output()).values()) {
        outcomes.merge(r.outcome(), 1, Integer::sum);
        if (r.outcome() == Outcome.SUCCESS) {
          int i = s.ingest().series.files().indexOf(Path.of(r.file()));
          acknowledged.get(s.ingest().series.studyInstanceUid())
              .put(s.ingest().series.sopInstanceUids().get(i), s.nodeId());
        }
      }
    }
    return outcomes;
  }

  private static long successes(List<Sender> senders) {
    return Dcmtk.successesSoFar(senders.stream().map(Sender::process).toList());
  }

  private static JsonNode state(AnnalNode node, String study) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + node.httpPort() + "/api/studies/" + study)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static int status(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static String get(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Members with status Up, as node's management HTTP lists them; -1 if it does not answer. */
  private static int upMembers(AnnalNode node) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + node.managementPort() + "/cluster/members")).build(),
          HttpResponse.BodyHandlers.ofString());
      int up = 0;
      for (JsonNode m : JSON.readTree(r.body()).get("members")) {
        if (m.get("status").asText().equals("Up")) {
          up++;
        }
      }
      return up - JSON.readTree(r.body()).get("unreachable").size();
    } catch (Exception e) {
      return -1;
    }
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new LinkedHashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static <T> List<T> append(List<T> list, T last) {
    List<T> all = new ArrayList<>(list);
    all.add(last);
    return all;
  }
}
