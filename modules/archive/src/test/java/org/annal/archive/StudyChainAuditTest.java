// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.annal.archive.Fixtures.instance;
import static org.annal.archive.Fixtures.sha;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.annal.archive.StudyChainAudit.Checkpoint;
import org.annal.archive.StudyChainAudit.Finding;
import org.annal.archive.StudyChainAudit.Kind;
import org.annal.archive.StudyChainAudit.Result;
import org.annal.archive.StudyChainAudit.Row;
import org.junit.jupiter.api.Test;

/**
 * The chain check on in-memory journals: a clean chain, and each kind of tampering (edited,
 * deleted, reordered, truncated, rewritten) reported as exactly that kind at the right events.
 */
class StudyChainAuditTest {
  static final String PID = "Study|1.9.9";

  /** Ten chained events, as the entity writes them. */
  static List<Study.Event> chain(int n) {
    List<Study.Event> events = new ArrayList<>();
    String prev = "";
    for (int i = 1; i <= n; i++) {
      Study.Event e = new Study.InstanceStored(
          instance("1.2.3." + i, sha('a'), "0000aaaa-" + i), prev, "n", "s", 1000 + i);
      events.add(e);
      prev = StudyChainAudit.hash(e);
    }
    return events;
  }

  /** Rows 1..n holding {@code events} in the given order. */
  static List<Row> rows(List<Study.Event> events) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      rows.add(Row.of(i + 1, events.get(i)));
    }
    return rows;
  }

  static Optional<Checkpoint> headOf(List<Study.Event> events) {
    return Optional.of(new Checkpoint(events.size(),
        StudyChainAudit.hash(events.get(events.size() - 1))));
  }

  static List<String> kinds(Result r) {
    return r.findings().stream().map(f -> f.kind() + "@" + f.fromSequenceNr() + "-"
        + f.toSequenceNr()).toList();
  }

  @Test
  void anIntactChainWithItsHeadCheckpointedIsClean() {
    List<Study.Event> events = chain(10);
    Result r = StudyChainAudit.audit(PID, rows(events), headOf(events));
    assertEquals(List.of(), r.findings());
    assertTrue(r.clean());
    assertEquals(10, r.events());
    assertEquals(10, r.lastSequenceNr());
  }

  @Test
  void aCheckpointBehindTheJournalIsNormal() {
    List<Study.Event> events = chain(10);
    Result r = StudyChainAudit.audit(PID, rows(events), headOf(events.subList(0, 7)));
    assertEquals(List.of(), r.findings());
  }

  @Test
  void noCheckpointIsAWarningOnly() {
    Result r = StudyChainAudit.audit(PID, rows(chain(3)), Optional.empty());
    assertEquals(List.of("NO_CHECKPOINT@3-3"), kinds(r));
    assertTrue(r.clean());
  }

  @Test
  void anEditedEventIsReportedAtThatEvent() {
    List<Study.Event> events = new ArrayList<>(chain(10));
    Study.InstanceStored original = (Study.InstanceStored) events.get(4);
    ReceivedInstance in = original.instance();
    Map<String, String> attributes = new java.util.HashMap<>(in.attributes());
    attributes.put("PatientName", "Forged^Name");
    events.set(4, new Study.InstanceStored(new ReceivedInstance(in.studyInstanceUid(),
        in.seriesInstanceUid(), in.sopInstanceUid(), in.sopClassUid(), in.transferSyntaxUid(),
        in.size(), in.sha256(), in.datasetSha256(), in.placement(), in.source(), in.receivedAt(),
        attributes), original.prevHash(), original.node(), original.site(), original.at()));
    Result r = StudyChainAudit.audit(PID, rows(events), headOf(chain(10)));
    assertEquals(List.of("EDITED@5-5"), kinds(r));
    assertFalse(r.clean());
  }

  @Test
  void anEditedPrevHashBreaksBothLinksOfThatEvent() {
    List<Study.Event> events = new ArrayList<>(chain(6));
    Study.InstanceStored e3 = (Study.InstanceStored) events.get(2);
    events.set(2, new Study.InstanceStored(e3.instance(), sha('f'), e3.node(), e3.site(), e3.at()));
    Result r = StudyChainAudit.audit(PID, rows(events), headOf(chain(6)));
    assertEquals(List.of("EDITED@2-2", "EDITED@3-3"), kinds(r));
  }

  @Test
  void anUndecodableRowIsEdited() {
    List<Row> rows = new ArrayList<>(rows(chain(5)));
    rows.set(1, Row.undecodable(2, "CBOR: unexpected end of input"));
    Result r = StudyChainAudit.audit(PID, rows, headOf(chain(5)));
    assertEquals(List.of("EDITED@2-2"), kinds(r));
    assertTrue(r.findings().get(0).detail().contains("unexpected end of input"));
  }

  @Test
  void aDeletedMiddleEventIsAGap() {
    List<Row> rows = new ArrayList<>(rows(chain(10)));
    rows.remove(3);
    rows.remove(3);
    Result r = StudyChainAudit.audit(PID, rows, headOf(chain(10)));
    assertEquals(List.of("DELETED@4-5"), kinds(r));
  }

  @Test
  void aDeletedFirstEventIsAGap() {
    List<Row> rows = new ArrayList<>(rows(chain(4)));
    rows.remove(0);
    assertEquals(List.of("DELETED@1-1"), kinds(StudyChainAudit.audit(PID, rows, headOf(chain(4)))));
  }

  @Test
  void deletedNewestEventsAreATruncationOnlyTheCheckpointSees() {
    List<Study.Event> events = chain(10);
    List<Row> rows = rows(events).subList(0, 8);
    assertEquals(List.of("TRUNCATED@9-10"), kinds(StudyChainAudit.audit(PID, rows,
        headOf(events))));
    // Without the checkpoint the shorter chain is consistent: that is what the checkpoint is for.
    assertEquals(List.of("NO_CHECKPOINT@8-8"),
        kinds(StudyChainAudit.audit(PID, rows, Optional.empty())));
  }

  @Test
  void everyEventDeletedIsATruncation() {
    assertEquals(List.of("TRUNCATED@1-10"),
        kinds(StudyChainAudit.audit(PID, List.of(), headOf(chain(10)))));
  }

  @Test
  void twoSwappedEventsAreReorderedNotEdited() {
    List<Study.Event> events = new ArrayList<>(chain(10));
    Study.Event third = events.get(2);
    events.set(2, events.get(6));
    events.set(6, third);
    Result r = StudyChainAudit.audit(PID, rows(events), headOf(chain(10)));
    assertEquals(List.of("REORDERED@3-7"), kinds(r));
    Finding f = r.findings().get(0);
    assertTrue(f.detail().contains("3 belongs at 7") && f.detail().contains("7 belongs at 3"),
        f.detail());
  }

  @Test
  void twoAdjacentSwappedEventsAreReordered() {
    List<Study.Event> events = new ArrayList<>(chain(5));
    Study.Event second = events.get(1);
    events.set(1, events.get(2));
    events.set(2, second);
    assertEquals(List.of("REORDERED@2-3"),
        kinds(StudyChainAudit.audit(PID, rows(events), headOf(chain(5)))));
  }

  @Test
  void swappingTheFirstEventIsReordered() {
    List<Study.Event> events = new ArrayList<>(chain(4));
    Study.Event first = events.get(0);
    events.set(0, events.get(3));
    events.set(3, first);
    // The head moved too: the event now at 4 is not the checkpointed one.
    assertEquals(List.of("REORDERED@1-4", "CHECKPOINT_MISMATCH@4-4"),
        kinds(StudyChainAudit.audit(PID, rows(events), headOf(chain(4)))));
  }

  @Test
  void anEditedHeadOrARewrittenChainIsACheckpointMismatch() {
    List<Study.Event> original = chain(6);
    // Rewritten from event 4 on, every link recomputed: the chain itself is consistent.
    List<Study.Event> rewritten = new ArrayList<>(original.subList(0, 3));
    String prev = StudyChainAudit.hash(rewritten.get(2));
    for (int i = 4; i <= 6; i++) {
      Study.Event e = new Study.InstanceStored(
          instance("9.9.9." + i, sha('d'), "0000bbbb-" + i), prev, "n", "s", 5000 + i);
      rewritten.add(e);
      prev = StudyChainAudit.hash(e);
    }
    assertEquals(List.of("CHECKPOINT_MISMATCH@6-6"),
        kinds(StudyChainAudit.audit(PID, rows(rewritten), headOf(original))));
    // Checkpointed at 3, before the rewrite: not detectable, and so not reported.
    assertEquals(List.of(), kinds(StudyChainAudit.audit(PID, rows(rewritten),
        headOf(original.subList(0, 3)))));
  }

  @Test
  void aSequenceNumberStoredTwiceIsEdited() {
    List<Row> rows = new ArrayList<>(rows(chain(3)));
    rows.add(rows.get(1));
    assertEquals(List.of("EDITED@2-2"),
        kinds(StudyChainAudit.audit(PID, rows, headOf(chain(3)))));
  }

  @Test
  void severalKindsInOneStudyAreEachReported() {
    List<Study.Event> events = new ArrayList<>(chain(12));
    Study.Event second = events.get(1);
    events.set(1, events.get(3));
    events.set(3, second);
    List<Row> rows = new ArrayList<>(rows(events));
    rows.remove(7); // event 8
    Result r = StudyChainAudit.audit(PID, rows.subList(0, 10), headOf(chain(12)));
    assertEquals(List.of("DELETED@8-8", "REORDERED@2-4", "TRUNCATED@12-12"), kinds(r));
  }

  @Test
  void aRowIsEitherDecodedOrNot() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Row(1, "h", "p", "error"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Row(1, null, "p", null));
  }
}
