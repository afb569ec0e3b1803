// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.annal.archive.impl.EventHashing;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByTagQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Reads studies back from the journal with Pekko Persistence Query (read side only, ARCHITECTURE
 * invariant 2): the study persistence ids, and each study's events folded into its {@link
 * Study.State} with the hash chain checked. Shared by {@link StudyVerifier} and {@link
 * OrphanSweeper}.
 *
 * <p>Persistence ids come from {@link CurrentPersistenceIdsQuery} when the read journal offers it
 * (Cassandra does); otherwise from the fixed projection tags {@link Study#TAGS} (the in-memory test
 * journal), which every Study event carries.
 */
public final class StudyJournal {
  /** What every study's persistence id starts with ({@link Study#persistenceId}). */
  public static final String PREFIX = Study.ENTITY_KEY.name() + "|";

  private final ActorSystem<?> system;
  private final ReadJournal journal;

  private StudyJournal(ActorSystem<?> system, ReadJournal journal) {
    if (!(journal instanceof CurrentEventsByPersistenceIdQuery)) {
      throw new IllegalArgumentException(
          journal.getClass().getName() + " does not offer CurrentEventsByPersistenceIdQuery");
    }
    if (!(journal instanceof CurrentPersistenceIdsQuery)
        && !(journal instanceof CurrentEventsByTagQuery)) {
      throw new IllegalArgumentException(journal.getClass().getName()
          + " offers neither CurrentPersistenceIdsQuery nor CurrentEventsByTagQuery");
    }
    this.system = system;
    this.journal = journal;
  }

  /** The Java DSL read journal registered under {@code readJournalPluginId}. */
  public static StudyJournal create(ActorSystem<?> system, String readJournalPluginId) {
    return new StudyJournal(system, PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(ReadJournal.class, readJournalPluginId));
  }

  /**
   * One study as the journal tells it.
   *
   * @param brokenAtEvent 0 if every event's prevHash matches the hash of the one before; else the
   *     1-based position of the first event that does not
   * @param referencedBlobKeys every blob key that an InstanceStored event of this study placed on
   *     {@code nodeId} (also superseded ones: their history is kept)
   */
  public record Replay(
      String persistenceId, Study.State state, long brokenAtEvent, Set<String> referencedBlobKeys) {}

  /** Persistence ids of all studies ({@code Study|...}), each once. */
  public Source<String, NotUsed> studyPersistenceIds() {
    if (journal instanceof CurrentPersistenceIdsQuery ids) {
      return ids.currentPersistenceIds().filter(id -> id.startsWith(PREFIX));
    }
    CurrentEventsByTagQuery byTag = (CurrentEventsByTagQuery) journal;
    return Source.from(Study.TAGS)
        .flatMapConcat(tag -> byTag.currentEventsByTag(tag, Offset.noOffset()))
        .map(EventEnvelope::persistenceId)
        .filter(id -> id.startsWith(PREFIX))
        .statefulMap(
            () -> new HashSet<String>(),
            (seen, id) -> Pair.create(seen, seen.add(id) ? Optional.of(id) : Optional.<String>empty()),
            seen -> Optional.empty())
        .filter(Optional::isPresent)
        .map(Optional::get);
  }

  /**
   * One event of a study as an auditor reads it: its journal sequence number and its hash (the
   * {@code prevHash} of the next event when the chain is intact).
   */
  public record HistoryEntry(long sequenceNr, Study.Event event, String hash) {}

  /** The events of one study, oldest first, with sequence numbers and hashes. */
  public Source<HistoryEntry, NotUsed> history(String persistenceId) {
    return ((CurrentEventsByPersistenceIdQuery) journal)
        .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .map(envelope -> {
          Study.Event event = (Study.Event) envelope.event();
          return new HistoryEntry(envelope.sequenceNr(), event, EventHashing.hash(event));
        });
  }

  /**
   * The study's state replayed from its events up to {@code asOfEpochMillis}: the events from the
   * first on while their time ({@link Study.Event#at}) is at or before it. Empty if the study has
   * no event at all; a state with no event if its first one is later. One read, which stops at the
   * first later event.
   */
  public CompletionStage<Optional<Study.State>> stateAsOf(String persistenceId,
      long asOfEpochMillis) {
    Study.State empty = Study.State.empty(studyUidOf(persistenceId));
    return events(persistenceId)
        .takeWhile(event -> event.at() <= asOfEpochMillis, true) // the first later one too
        .runWith(Sink.fold(Optional.<Study.State>empty(), (state, event) -> Optional.of(
            event.at() <= asOfEpochMillis ? state.orElse(empty).apply(event)
                : state.orElse(empty))), system);
  }

  /** The Study Instance UID of a study's persistence id ({@code Study|<uid>}). */
  public static String studyUidOf(String persistenceId) {
    return persistenceId.substring(PREFIX.length());
  }

  /**
   * One event in the change feed across all studies.
   *
   * @param offset where the feed resumes after this event ({@code after} of the next page)
   */
  public record Change(Offset offset, String persistenceId, long sequenceNr, Study.Event event) {}

  /**
   * The next {@code limit} events of all studies after {@code after}, in journal offset order (the
   * study tags merged by offset). The journal lists an event only once it is older than its
   * eventual-consistency delay, so the feed does not run ahead of what is settled.
   */
  public CompletionStage<List<Change>> changes(Offset after, int limit) {
    if (!(journal instanceof CurrentEventsByTagQuery byTag)) {
      throw new UnsupportedOperationException(journal.getClass().getName()
          + " does not offer CurrentEventsByTagQuery");
    }
    return Source.from(Study.TAGS)
        .flatMapMerge(Study.TAGS.size(), tag -> byTag.currentEventsByTag(tag, after).take(limit))
        .filter(envelope -> envelope.persistenceId().startsWith(PREFIX))
        .runWith(Sink.seq(), system)
        .thenApply(all -> {
          List<EventEnvelope> sorted = new ArrayList<>(all);
          sorted.sort(Comparator.comparing(EventEnvelope::offset, StudyJournal::compareOffsets)
              .thenComparing(EventEnvelope::persistenceId)
              .thenComparingLong(EventEnvelope::sequenceNr));
          List<Change> page = new ArrayList<>();
          for (EventEnvelope envelope : sorted.subList(0, Math.min(limit, sorted.size()))) {
            page.add(new Change(envelope.offset(), envelope.persistenceId(),
                envelope.sequenceNr(), (Study.Event) envelope.event()));
          }
          return List.copyOf(page);
        });
  }

  /** Journal offsets in time order (time-based UUIDs by their time, sequences by value). */
  static int compareOffsets(Offset a, Offset b) {
    if (a instanceof TimeBasedUUID x && b instanceof TimeBasedUUID y) {
      return x.compare(y);
    }
    if (a instanceof Sequence x && b instanceof Sequence y) {
      return Long.compare(x.value(), y.value());
    }
    throw new IllegalArgumentException("offsets of different kinds: " + a + ", " + b);
  }

  /** The events of one study, oldest first. */
  public Source<Study.Event, NotUsed> events(String persistenceId) {
    return ((CurrentEventsByPersistenceIdQuery) journal)
        .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .map(envelope -> (Study.Event) envelope.event());
  }

  /** Folds one study's events, checking the chain and collecting the blob keys on {@code nodeId}. */
  public CompletionStage<Replay> replay(String persistenceId, String nodeId) {
    String studyUid = studyUidOf(persistenceId);
    // A fresh accumulator per call; the fold runs in one stage, so mutating it is safe.
    return events(persistenceId)
        .runWith(Sink.fold(new Accumulator(studyUid, nodeId), Accumulator::add), system)
        .thenApply(acc -> new Replay(persistenceId, acc.state, acc.brokenAt, Set.copyOf(acc.keys)));
  }

  private static final class Accumulator {
    private final String nodeId;
    private final Set<String> keys = new HashSet<>();
    private Study.State state;
    private long brokenAt;

    Accumulator(String studyUid, String nodeId) {
      this.state = Study.State.empty(studyUid);
      this.nodeId = nodeId;
    }

    Accumulator add(Study.Event event) {
      if (brokenAt == 0 && !event.prevHash().equals(state.headHash())) {
        brokenAt = state.eventCount() + 1;
      }
      if (event instanceof Study.InstanceStored stored
          && stored.instance().placement().nodeId().equals(nodeId)) {
        keys.add(stored.instance().placement().blobKey());
      }
      state = state.apply(event);
      return this;
    }
  }
}
