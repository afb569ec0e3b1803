// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.annal.archive.impl.EventHashing;

/**
 * The check behind {@code annal audit verify}: one study's journal rows, as stored, against its
 * hash chain (ARCHITECTURE invariant 3, {@link EventHashing} for the canonical bytes) and against
 * its last checkpointed chain head. Pure: rows in, findings out.
 *
 * <p>What each finding means, for rows sorted by sequence number:
 *
 * <ul>
 *   <li>{@link Kind#EDITED}: a row cannot be decoded, or the recomputed hash of event {@code n}
 *       is not the {@code prevHash} that event {@code n+1} recorded (event {@code n} was
 *       altered, or the {@code prevHash} of {@code n+1}), or the first event's {@code prevHash} is
 *       not empty, or a sequence number is stored twice.
 *   <li>{@link Kind#DELETED}: a gap in the sequence numbers ({@code 1..last}).
 *   <li>{@link Kind#REORDERED}: events that are intact but stored at the wrong sequence number.
 *       The links themselves tell where each event belongs: following {@code prevHash} back to the
 *       first event (or to the first event after a gap or an edit, taken to be where it is stored)
 *       gives each event's position in the chain; an event whose position differs from its
 *       sequence number was moved. An edit, by contrast, leaves a {@code prevHash} that matches no
 *       event of the study, so the two are told apart; links into and out of moved events are not
 *       reported again as edits.
 *   <li>{@link Kind#TRUNCATED}: the journal ends before the checkpointed head (the newest events
 *       were cut off), or has no event at all although a head was checkpointed.
 *   <li>{@link Kind#CHECKPOINT_MISMATCH}: the event at the checkpointed sequence number is not the
 *       one checkpointed: the head was altered, or the chain was rewritten consistently from some
 *       event on (an unkeyed hash chain can be recomputed by whoever can write the journal), or
 *       newest events were cut off and others written in their place.
 *   <li>{@link Kind#NO_CHECKPOINT}: a warning, not tampering: the study has events but no head was
 *       checkpointed yet (the checkpoint follows the journal by about a second), so a cut-off of
 *       its newest events could not be seen.
 * </ul>
 */
public final class StudyChainAudit {
  private StudyChainAudit() {}

  /** At most this many moved events are named in a {@link Kind#REORDERED} finding's detail. */
  static final int MAX_NAMED = 20;

  /** The hash of an event: what the next event of its study carries as {@code prevHash}. */
  public static String hash(Study.Event event) {
    return EventHashing.hash(event);
  }

  /**
   * One journal row as stored: its sequence number and, if it could be decoded, its event's
   * recomputed hash and recorded {@code prevHash}; else why not.
   */
  public record Row(long sequenceNr, String hash, String prevHash, String decodeError) {
    public Row {
      if ((decodeError == null) == (hash == null || prevHash == null)) {
        throw new IllegalArgumentException("a row has a hash and prevHash, or a decode error");
      }
    }

    /** A decoded row; its hash is recomputed here. */
    public static Row of(long sequenceNr, Study.Event event) {
      return new Row(sequenceNr, StudyChainAudit.hash(event), event.prevHash(), null);
    }

    /** A row whose event could not be decoded. */
    public static Row undecodable(long sequenceNr, String error) {
      return new Row(sequenceNr, null, null, Objects.requireNonNull(error, "error"));
    }

    boolean decoded() {
      return decodeError == null;
    }
  }

  /** A checkpointed chain head: the study's event {@code sequenceNr} had hash {@code hash}. */
  public record Checkpoint(long sequenceNr, String hash) {}

  /** Kinds of finding; all but {@link #NO_CHECKPOINT} are tampering. */
  public enum Kind { EDITED, DELETED, REORDERED, TRUNCATED, CHECKPOINT_MISMATCH, NO_CHECKPOINT }

  /** One finding about the events {@code fromSequenceNr..toSequenceNr}. */
  public record Finding(Kind kind, long fromSequenceNr, long toSequenceNr, String detail) {
    public boolean tampering() {
      return kind != Kind.NO_CHECKPOINT;
    }
  }

  /** The outcome for one study. */
  public record Result(String persistenceId, long events, long lastSequenceNr,
      Optional<Checkpoint> checkpoint, List<Finding> findings) {
    public Result {
      findings = List.copyOf(findings);
    }

    /** No tampering found (a missing checkpoint is only a warning). */
    public boolean clean() {
      return findings.stream().noneMatch(Finding::tampering);
    }
  }

  /** Audits one study: {@code rows} in any order, its checkpoint if there is one. */
  public static Result audit(String persistenceId, List<Row> rows,
      Optional<Checkpoint> checkpoint) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingLong(Row::sequenceNr));
    List<Finding> findings = new ArrayList<>();
    long[] position = chainPositions(sorted);

    List<Long> moved = new ArrayList<>();
    List<String> belongs = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      Row row = sorted.get(i);
      if (!row.decoded()) {
        findings.add(new Finding(Kind.EDITED, row.sequenceNr(), row.sequenceNr(),
            "event " + row.sequenceNr() + " cannot be decoded: " + row.decodeError()));
      } else if (position[i] != row.sequenceNr()) {
        moved.add(row.sequenceNr());
        if (belongs.size() < MAX_NAMED) {
          belongs.add(row.sequenceNr() + " belongs at " + position[i]);
        }
      }
    }
    if (!moved.isEmpty()) {
      findings.add(new Finding(Kind.REORDERED, moved.get(0), moved.get(moved.size() - 1),
          moved.size() + " events stored out of chain order (" + String.join(", ", belongs)
              + (moved.size() > MAX_NAMED ? ", ..." : "") + ")"));
    }

    long expected = 1;
    Row previous = null;
    int previousIndex = -1;
    for (int i = 0; i < sorted.size(); i++) {
      Row row = sorted.get(i);
      long seq = row.sequenceNr();
      if (seq < expected) {
        findings.add(new Finding(Kind.EDITED, seq, seq,
            "sequence number " + seq + " is stored more than once"));
        continue;
      }
      if (seq > expected) {
        findings.add(new Finding(Kind.DELETED, expected, seq - 1, seq - 1 == expected
            ? "event " + expected + " is missing" : "events " + expected + ".." + (seq - 1)
                + " are missing"));
      } else if (row.decoded() && position[i] == seq) {
        if (previous == null && !row.prevHash().isEmpty()) {
          findings.add(new Finding(Kind.EDITED, seq, seq,
              "the first event's prevHash is not empty: it was altered"));
        } else if (previous != null && previous.decoded() && position[previousIndex]
            == previous.sequenceNr() && !row.prevHash().equals(previous.hash())) {
          long p = previous.sequenceNr();
          findings.add(new Finding(Kind.EDITED, p, p, "the hash of event " + p
              + " is not the prevHash event " + seq + " recorded: event " + p
              + " was altered (or the prevHash of event " + seq + ")"));
        }
      }
      expected = seq + 1;
      previous = row;
      previousIndex = i;
    }

    long last = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).sequenceNr();
    if (checkpoint.isEmpty()) {
      if (!sorted.isEmpty()) {
        findings.add(new Finding(Kind.NO_CHECKPOINT, last, last, "no chain head checkpointed "
            + "yet: newest events cut off could not be detected"));
      }
    } else {
      Checkpoint head = checkpoint.get();
      if (last < head.sequenceNr()) {
        findings.add(new Finding(Kind.TRUNCATED, last + 1, head.sequenceNr(), sorted.isEmpty()
            ? "no event left, but event " + head.sequenceNr() + " was checkpointed"
            : "the journal ends at event " + last + ", but event " + head.sequenceNr()
                + " was checkpointed: the newest events were cut off"));
      } else {
        sorted.stream().filter(r -> r.sequenceNr() == head.sequenceNr() && r.decoded())
            .findFirst()
            .filter(r -> !r.hash().equals(head.hash()))
            .ifPresent(r -> findings.add(new Finding(Kind.CHECKPOINT_MISMATCH, r.sequenceNr(),
                r.sequenceNr(), "event " + r.sequenceNr() + " has hash " + r.hash()
                    + ", the checkpoint says " + head.hash()
                    + ": the event was altered or the chain rewritten")));
      }
    }
    findings.sort(Comparator.comparing(Finding::kind).thenComparingLong(Finding::fromSequenceNr));
    return new Result(persistenceId, sorted.size(), last, checkpoint, findings);
  }

  /**
   * Each row's position in the chain its links describe: 1 for an event with an empty
   * {@code prevHash}, one after its predecessor for an event whose {@code prevHash} is another
   * row's hash, and its own sequence number for any other event (after a gap or an edit: nothing
   * better is known) and for undecodable rows.
   */
  private static long[] chainPositions(List<Row> sorted) {
    Map<String, Integer> byHash = new HashMap<>();
    for (int i = 0; i < sorted.size(); i++) {
      Row row = sorted.get(i);
      if (row.decoded()) {
        byHash.putIfAbsent(row.hash(), i);
      }
    }
    long[] position = new long[sorted.size()];
    boolean[] visiting = new boolean[sorted.size()];
    for (int i = 0; i < sorted.size(); i++) {
      // Walk back to a row whose position is known (or a root), then fill in forwards.
      List<Integer> path = new ArrayList<>();
      int at = i;
      long base = 0;
      while (true) {
        if (position[at] != 0) {
          base = position[at];
          break;
        }
        Row row = sorted.get(at);
        Integer parent = row.decoded() && !row.prevHash().isEmpty()
            ? byHash.get(row.prevHash()) : null;
        if (parent == null || visiting[parent] || parent == at) {
          // A root: the first event, an event after a gap or edit, or a (forged) loop.
          position[at] = row.decoded() && row.prevHash().isEmpty() ? 1 : row.sequenceNr();
          base = position[at];
          break;
        }
        visiting[at] = true;
        path.add(at);
        at = parent;
      }
      for (int k = path.size() - 1; k >= 0; k--) {
        position[path.get(k)] = ++base;
        visiting[path.get(k)] = false;
      }
    }
    return position;
  }
}
