// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.annal.archive.StudyChainAudit.Checkpoint;
import org.annal.archive.StudyChainAudit.Finding;
import org.annal.archive.StudyChainAudit.Kind;
import org.annal.archive.StudyChainAudit.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code annal audit verify}: usage errors, and the table and JSON it prints for given results
 * (the chain check itself is StudyChainAuditTest's; a real journal is AuditVerifyIT's).
 */
class AuditVerifyCommandTest {
  static final Result CLEAN = new Result("Study|1.2.3.1", 4, 4,
      Optional.of(new Checkpoint(4, "aa")), List.of());
  static final Result NO_CHECKPOINT = new Result("Study|1.2.3.2", 2, 2, Optional.empty(),
      List.of(new Finding(Kind.NO_CHECKPOINT, 2, 2, "no chain head checkpointed yet")));
  static final Result TAMPERED = new Result("Study|1.2.3.3", 9, 10,
      Optional.of(new Checkpoint(12, "bb")), List.of(
          new Finding(Kind.EDITED, 5, 5, "the hash of event 5 is not the prevHash ..."),
          new Finding(Kind.DELETED, 7, 7, "event 7 is missing"),
          new Finding(Kind.TRUNCATED, 11, 12, "the journal ends at event 10 ...")));

  @Test
  void needsAStudyOrAllButNotBoth() {
    AnnalRun neither = AnnalRun.annal("audit", "verify");
    assertEquals(2, neither.exitCode());
    assertTrue(neither.err().contains("STUDY_UID") && neither.err().contains("--all"),
        neither.err());
    AnnalRun both = AnnalRun.annal("audit", "verify", "1.2.3", "--all");
    assertEquals(2, both.exitCode());
    assertTrue(both.err().contains("mutually exclusive"), both.err());
    AnnalRun bare = AnnalRun.annal("audit");
    assertEquals(2, bare.exitCode());
    assertTrue(bare.err().contains("Missing required subcommand"), bare.err());
  }

  @Test
  void aStudyUidIsCheckedBeforeAnythingStarts(@TempDir Path dir) {
    AnnalRun run = AnnalRun.annal("audit", "verify", "1.2.x", "--data-dir", dir.toString());
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("not a UID"), run.err());
  }

  @Test
  void aDataDirWithoutAnyCassandraIsAClearError(@TempDir Path dir) {
    AnnalRun run = AnnalRun.annal("audit", "verify", "--all", "--data-dir", dir.toString());
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("no embedded Cassandra"), run.err());
  }

  @Test
  void theTableListsStudiesWithFindingsAndTheSummaryCountsThem() {
    StringWriter text = new StringWriter();
    AuditVerifyOutput out = AuditVerifyOutput.text(new PrintWriter(text), "annal.messages",
        "annal.study_chain_heads", false);
    out.study(CLEAN);
    out.study(NO_CHECKPOINT);
    out.study(TAMPERED);
    out.finish(1.25);
    List<String> lines = text.toString().lines().toList();
    assertEquals("RESULT    EVENTS  CHECKPOINT  STUDY", lines.get(0));
    assertEquals("WARNING        2           -  1.2.3.2", lines.get(1));
    assertTrue(lines.get(2).trim().startsWith("NO_CHECKPOINT"), lines.get(2));
    assertEquals("TAMPERED       9          12  1.2.3.3", lines.get(3));
    assertTrue(lines.get(4).contains("EDITED") && lines.get(4).contains("event 5"), lines.get(4));
    assertTrue(lines.get(5).contains("DELETED"), lines.get(5));
    assertTrue(lines.get(6).contains("TRUNCATED"), lines.get(6));
    assertTrue(lines.get(7).startsWith("studies 3, events 15, clean 2, tampered 1, without "
        + "checkpoint 1; tampered studies by kind: edited 1, deleted 1, reordered 0, truncated 1,"
        + " checkpoint mismatch 0;"), lines.get(7));
    assertEquals("audit verify: FAILED", lines.get(8));
    assertEquals(9, lines.size());
    assertEquals(1, out.tally().tampered());
  }

  @Test
  void oneCleanStudyIsListedAndOk() {
    StringWriter text = new StringWriter();
    AuditVerifyOutput out = AuditVerifyOutput.text(new PrintWriter(text), "annal.messages",
        "annal.study_chain_heads", true);
    out.study(CLEAN);
    out.finish(0.1);
    List<String> lines = text.toString().lines().toList();
    assertEquals("CLEAN          4           4  1.2.3.1", lines.get(1));
    assertEquals("audit verify: OK", lines.get(lines.size() - 1));
  }

  @Test
  void jsonListsEveryStudy() throws Exception {
    StringWriter text = new StringWriter();
    AuditVerifyOutput out = AuditVerifyOutput.json(new PrintWriter(text), "annal.messages",
        "annal.study_chain_heads");
    out.study(CLEAN);
    out.study(NO_CHECKPOINT);
    out.study(TAMPERED);
    out.finish(1.25);
    JsonNode doc = new ObjectMapper().readTree(text.toString());
    assertEquals(3, doc.path("studies").size());
    assertEquals("CLEAN", doc.path("studies").get(0).path("status").asText());
    assertEquals(4, doc.path("studies").get(0).path("checkpoint").path("sequenceNr").asLong());
    assertTrue(doc.path("studies").get(1).path("checkpoint").isNull());
    JsonNode tampered = doc.path("studies").get(2);
    assertEquals("1.2.3.3", tampered.path("studyInstanceUid").asText());
    assertEquals("TAMPERED", tampered.path("status").asText());
    assertEquals(List.of("EDITED", "DELETED", "TRUNCATED"),
        tampered.path("findings").findValuesAsText("kind"));
    assertEquals(11, tampered.path("findings").get(2).path("fromSequenceNr").asLong());
    assertEquals(0, doc.path("summary").path("checkpointMismatch").asLong());
    assertEquals(1, doc.path("summary").path("edited").asLong());
    assertEquals(1, doc.path("summary").path("tampered").asLong());
    assertEquals(1, doc.path("summary").path("withoutCheckpoint").asLong());
    assertEquals(false, doc.path("ok").asBoolean(true));
  }

  @Test
  void jsonOfNothingIsStillADocument() throws Exception {
    StringWriter text = new StringWriter();
    AuditVerifyOutput out = AuditVerifyOutput.json(new PrintWriter(text), "a.m", "a.h");
    out.finish(0);
    JsonNode doc = new ObjectMapper().readTree(text.toString());
    assertEquals(0, doc.path("studies").size());
    assertTrue(doc.path("ok").asBoolean());
  }
}
