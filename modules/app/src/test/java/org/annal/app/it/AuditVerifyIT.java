// SPDX-License-Identifier: Apache-2.0
package org.annal.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.annal.app.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tamper evidence end to end: a node on a shared real Cassandra stores six studies with storescu
 * and checkpoints their chain heads; with the node stopped, {@code annal audit verify --all} is
 * clean (exit 0). Then the journal is tampered with directly in Cassandra, with CQL: one event of
 * study A re-encoded with an altered patient name, the newest event of study B deleted, the
 * payloads of two events of study C swapped, a middle event of study F deleted. {@code audit
 * verify} then reports exactly those four studies, each with its kind of tampering at the right
 * events, the other two clean, exit 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditVerifyIT {
  static final int STUDIES = 6;
  static final int INSTANCES = 5;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());

  private Path work;
  private SharedCassandra cassandra;
  private AnnalNode node;
  /** Study Instance UIDs: A (edited), B (truncated), C (reordered), D, E (untouched), F (gap). */
  private final List<String> studies = new ArrayList<>();

  @BeforeAll
  void start() {
    ExternalTool.assumeInstalled("storescu");
    work = AnnalNode.itDirectory("AuditVerifyIT");
    cassandra = new SharedCassandra(work.resolve("cassandra"));
    node = new AnnalNode("AuditVerifyIT-node", List.of(
        "annal.cassandra.external = \"" + cassandra.address() + "\""));
    node.start();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (cassandra != null) {
      cassandra.close();
    }
  }

  @Test
  @Order(1)
  void storedStudiesGetTheirChainHeadsCheckpointed() {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < STUDIES; i++) {
      SyntheticCtSeries.Series series = SyntheticCtSeries.write(
          List.of(work.resolve("input").resolve("study-" + i)), INSTANCES, "AUDIT" + i);
      studies.add(series.studyInstanceUid());
      files.addAll(series.files());
    }
    ExternalTool.Run run = ExternalTool.run(work.resolve("storescu.log"), Duration.ofSeconds(300),
        Dcmtk.storescu(node.dicomPort(), AnnalNode.AE_TITLE, List.of(), files));
    assertEquals(0, run.exitCode(), run.describe());
    try (CqlSession session = cassandra.session()) {
      Await.until(Duration.ofSeconds(60), "every study's head checkpointed at its last event",
          () -> studies.stream().allMatch(uid -> checkpointedSeq(session, uid) == INSTANCES),
          () -> "checkpoints " + checkpoints(session));
      for (String uid : studies) {
        assertEquals(INSTANCES, rows(session, uid).size(), uid);
      }
    }
    assertEquals(0, node.stop(), node.tail(40));
  }

  @Test
  @Order(2)
  void anUntouchedJournalIsClean() throws IOException {
    // In its own JVM, as an operator runs it: text output.
    ExternalTool.Run run = node.cli("audit-verify-clean.log", List.of("audit", "verify", "--all",
        "--data-dir", node.dataDir().toString(), "--cassandra", cassandra.address()));
    assertEquals(0, run.exitCode(), run.describe());
    assertTrue(run.output().contains("studies " + STUDIES + ", events " + STUDIES * INSTANCES
        + ", clean " + STUDIES + ", tampered 0, without checkpoint 0"), run.describe());
    assertTrue(run.output().contains("audit verify: OK"), run.describe());

    Audit audit = auditJson("--all");
    assertEquals(0, audit.exitCode(), audit.err());
    for (String uid : studies) {
      assertEquals("CLEAN", audit.studies().get(uid).path("status").asText(), audit.doc()
          .toPrettyString());
    }

    // Without the checkpoint table: a warning, every study unchecked at its end, still exit 0.
    Path config = work.resolve("no-checkpoints.conf");
    Files.writeString(config, "annal.audit.chain-heads.table = \"no_such_table\"\n");
    Audit unchecked = auditJson("--all", "--config", config.toString());
    assertEquals(0, unchecked.exitCode(), unchecked.err());
    assertTrue(unchecked.err().contains("no checkpoint table annal.no_such_table"),
        unchecked.err());
    for (String uid : studies) {
      JsonNode study = unchecked.studies().get(uid);
      assertEquals("WARNING", study.path("status").asText(), study.toString());
      assertEquals(Map.of("NO_CHECKPOINT", List.of((long) INSTANCES)), findings(study));
    }
  }

  @Test
  @Order(3)
  void editedDeletedAndSwappedEventsAreEachReportedForTheirStudyOnly() throws IOException {
    String a = studies.get(0);
    String b = studies.get(1);
    String c = studies.get(2);
    String f = studies.get(5);
    try (CqlSession session = cassandra.session()) {
      // (a) Study A, event 2: the payload re-encoded with another patient name.
      Row second = rows(session, a).get(1);
      ObjectNode event = (ObjectNode) decode(second.getByteBuffer("event"));
      ((ObjectNode) event.path("instance").path("attributes")).put("PatientName", "FORGED^NAME");
      session.execute("UPDATE annal.messages SET event = ? WHERE persistence_id = ? AND "
              + "partition_nr = 0 AND sequence_nr = ? AND timestamp = ?",
          ByteBuffer.wrap(CBOR.writeValueAsBytes(event)), "Study|" + a, 2L,
          second.getUuid("timestamp"));
      // (b) Study B: its newest event deleted.
      session.execute("DELETE FROM annal.messages WHERE persistence_id = ? AND partition_nr = 0 "
          + "AND sequence_nr = ?", "Study|" + b, (long) INSTANCES);
      // (c) Study C: the payloads of events 2 and 4 swapped.
      List<Row> rows = rows(session, c);
      Row two = rows.get(1);
      Row four = rows.get(3);
      swapInto(session, c, two, four);
      swapInto(session, c, four, two);
      // (d) Study F: event 3 deleted, a gap in the middle (a replay by sequence number may stop
      // there; audit verify reads the rows that are there).
      session.execute("DELETE FROM annal.messages WHERE persistence_id = ? AND partition_nr = 0 "
          + "AND sequence_nr = ?", "Study|" + f, 3L);

      assertEquals(INSTANCES - 1, rows(session, b).size());
      assertEquals("FORGED^NAME", decode(rows(session, a).get(1).getByteBuffer("event"))
          .path("instance").path("attributes").path("PatientName").asText());
    }

    Audit audit = auditJson("--all");
    assertEquals(1, audit.exitCode(), audit.err() + audit.doc().toPrettyString());
    assertEquals(Map.of("EDITED", List.of(2L)), findings(audit.studies().get(a)));
    assertEquals(Map.of("TRUNCATED", List.of((long) INSTANCES)), findings(audit.studies().get(b)));
    assertEquals(Map.of("REORDERED", List.of(2L)), findings(audit.studies().get(c)));
    assertEquals(4, audit.studies().get(c).path("findings").get(0).path("toSequenceNr").asLong());
    assertEquals(Map.of("DELETED", List.of(3L)), findings(audit.studies().get(f)));
    assertEquals(3, audit.studies().get(f).path("findings").get(0).path("toSequenceNr").asLong());
    assertEquals(INSTANCES - 1, audit.studies().get(f).path("events").asInt());
    for (String uid : List.of(a, b, c, f)) {
      assertEquals("TAMPERED", audit.studies().get(uid).path("status").asText());
    }
    for (String uid : studies.subList(3, 5)) {
      assertEquals("CLEAN", audit.studies().get(uid).path("status").asText());
      assertEquals(0, audit.studies().get(uid).path("findings").size());
    }
    JsonNode summary = audit.doc().path("summary");
    assertEquals(4, summary.path("tampered").asInt(), summary.toString());
    assertEquals(2, summary.path("clean").asInt(), summary.toString());
    assertEquals(1, summary.path("edited").asInt());
    assertEquals(1, summary.path("truncated").asInt());
    assertEquals(1, summary.path("reordered").asInt());
    assertEquals(1, summary.path("deleted").asInt());
    assertEquals(false, audit.doc().path("ok").asBoolean(true));

    // One study at a time, in text, from its own JVM: the tampered one fails, a clean one passes.
    ExternalTool.Run one = node.cli("audit-verify-a.log", List.of("audit", "verify", a,
        "--data-dir", node.dataDir().toString(), "--cassandra", cassandra.address()));
    assertEquals(1, one.exitCode(), one.describe());
    assertTrue(one.output().contains("TAMPERED") && one.output().contains("EDITED")
        && one.output().contains("the hash of event 2 is not the prevHash event 3 recorded"),
        one.describe());
    Audit clean = auditJson(studies.get(4));
    assertEquals(0, clean.exitCode(), clean.err());
    assertEquals(List.of(studies.get(4)), List.copyOf(clean.studies().keySet()));
    Audit unknown = auditJson("1.2.3.999999");
    assertEquals(1, unknown.exitCode());
    assertTrue(unknown.err().contains("no study 1.2.3.999999"), unknown.err());
    System.out.printf("[it] AuditVerifyIT %d studies: edited, truncated, reordered, gap each "
        + "reported, 2 clean%n", STUDIES);
  }

  // ------------------------------------------------------------------------------------ helpers

  /** Kind → first sequence numbers of the study's findings. */
  private static Map<String, List<Long>> findings(JsonNode study) {
    Map<String, List<Long>> out = new TreeMap<>();
    for (JsonNode f : study.path("findings")) {
      out.computeIfAbsent(f.path("kind").asText(), k -> new ArrayList<>())
          .add(f.path("fromSequenceNr").asLong());
    }
    return out;
  }

  private record Audit(int exitCode, JsonNode doc, Map<String, JsonNode> studies, String err) {}

  /** {@code annal audit verify ARGS --json} in this JVM (stdout and stderr kept apart). */
  private Audit auditJson(String... args) throws IOException {
    List<String> line = new ArrayList<>(List.of("audit", "verify"));
    line.addAll(List.of(args));
    line.addAll(List.of("--json", "--data-dir", node.dataDir().toString(), "--cassandra",
        cassandra.address()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
        line.toArray(String[]::new));
    if (out.toString().isBlank()) {
      return new Audit(code, JSON.createObjectNode(), Map.of(), err.toString());
    }
    JsonNode doc = JSON.readTree(out.toString());
    Map<String, JsonNode> byStudy = new LinkedHashMap<>();
    doc.path("studies").forEach(s -> byStudy.put(s.path("studyInstanceUid").asText(), s));
    return new Audit(code, doc, byStudy, err.toString());
  }

  private static void swapInto(CqlSession session, String uid, Row target, Row source) {
    session.execute("UPDATE annal.messages SET event = ?, ser_id = ?, ser_manifest = ? WHERE "
            + "persistence_id = ? AND partition_nr = 0 AND sequence_nr = ? AND timestamp = ?",
        source.getByteBuffer("event"), source.getInt("ser_id"), source.getString("ser_manifest"),
        "Study|" + uid, target.getLong("sequence_nr"), target.getUuid("timestamp"));
  }

  private static List<Row> rows(CqlSession session, String uid) {
    return session.execute("SELECT sequence_nr, timestamp, ser_id, ser_manifest, event FROM "
        + "annal.messages WHERE persistence_id = ? AND partition_nr = 0", "Study|" + uid).all();
  }

  private static long checkpointedSeq(CqlSession session, String uid) {
    Row row = session.execute("SELECT sequence_nr FROM annal.study_chain_heads WHERE "
        + "persistence_id = ?", "Study|" + uid).one();
    return row == null ? 0 : row.getLong("sequence_nr");
  }

  private Map<String, Long> checkpoints(CqlSession session) {
    Map<String, Long> out = new TreeMap<>();
    studies.forEach(uid -> out.put(uid, checkpointedSeq(session, uid)));
    return out;
  }

  private static JsonNode decode(ByteBuffer event) {
    byte[] bytes = new byte[event.remaining()];
    event.duplicate().get(bytes);
    try {
      if (bytes.length > 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) {
        bytes = new GZIPInputStream(new ByteArrayInputStream(bytes)).readAllBytes();
      }
      return CBOR.readTree(bytes);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
