// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.annal.archive.Study;
import org.annal.archive.StudyJournal;
import org.annal.archive.audit.AuditMessage;
import org.annal.archive.audit.AuditXml;
import org.annal.archive.audit.QueryAudit;
import org.annal.archive.audit.StudyAudit;
import org.annal.http.AuditTrail;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.TimeBasedUUID;

/**
 * The node's audit trail (PS3.15 §A.5) for {@code GET /api/audit}: the study events of the window
 * from the journal's change feed ({@link StudyJournal#changes}, every study, offset order) rendered
 * by {@link StudyAudit}, and this node's C-FINDs from its audit log ({@link AuditLogQueries})
 * rendered by {@link QueryAudit}; merged by EventDateTime, at most {@code limit}.
 *
 * <p>The feed starts at the time-based UUID of {@code from} (Cassandra offsets are version-1
 * UUIDs; {@link Uuids#startOf} is what the plugin's {@code timeBasedUUIDFrom} uses) and stops at
 * the first event written more than {@link #WRITE_SLACK_MS} after {@code to}: an event's {@code at}
 * is taken just before its write, so its offset is never earlier, and is later by the write's
 * latency only. Events are kept by their own {@code at}. A StudyAccessed names neither patient
 * nor SOP Classes: the study's state supplies them (one journal read per study accessed).
 *
 * <p>Queries are the ones this node answered: in a cluster, export from each node for all of them.
 * Internal API.
 */
public final class JournalAuditTrail implements AuditTrail {
  /** How much later than its {@code at} an event may be written and still be found. */
  static final long WRITE_SLACK_MS = 60_000;
  private static final int PAGE = 500;

  private final StudyJournal journal;
  private final AuditLogQueries queries;
  private final Executor blocking;

  public JournalAuditTrail(StudyJournal journal, AuditLogQueries queries, Executor blocking) {
    this.journal = journal;
    this.queries = queries;
    this.blocking = blocking;
  }

  @Override
  public CompletionStage<byte[]> export(Instant from, Instant to, int limit) {
    CompletionStage<List<QueryAudit.Query>> logged =
        CompletableFuture.supplyAsync(() -> queries.read(from, to, limit + 1), blocking);
    Offset start = Offset.timeBasedUUID(Uuids.startOf(from.toEpochMilli()));
    return collect(start, from.toEpochMilli(), to.toEpochMilli(), limit + 1, new ArrayList<>())
        .thenCompose(found -> render(found).thenApply(messages -> new Journal(found, messages)))
        .thenCombine(logged, (journal, found) -> {
          List<AuditMessage> all = new ArrayList<>(journal.messages());
          // The feed stopped early (enough events): later queries could jump the events it
          // did not read, so only queries up to its last event take part.
          boolean cut = journal.changes().size() > limit;
          long last = cut ? journal.changes().get(journal.changes().size() - 1).event().at()
              : Long.MAX_VALUE;
          found.stream().filter(q -> q.at().toEpochMilli() <= last)
              .forEach(q -> all.add(QueryAudit.message(q)));
          all.sort(Comparator.comparing(AuditMessage::at)); // stable: journal order on ties
          boolean truncated = cut || found.size() > limit || all.size() > limit;
          List<AuditMessage> page = all.size() > limit ? all.subList(0, limit) : all;
          Map<String, String> root = new LinkedHashMap<>();
          root.put("from", from.toString());
          root.put("to", to.toString());
          root.put("count", Integer.toString(page.size()));
          root.put("truncated", Boolean.toString(truncated));
          return AuditXml.document(root, page);
        });
  }

  private record Journal(List<StudyJournal.Change> changes, List<AuditMessage> messages) {}

  /** The window's study events, journal order, until the feed passes {@code to} or has enough. */
  private CompletionStage<List<StudyJournal.Change>> collect(Offset after, long from, long to,
      int enough, List<StudyJournal.Change> found) {
    return journal.changes(after, PAGE).thenCompose(page -> {
      for (StudyJournal.Change c : page) {
        if (c.offset() instanceof TimeBasedUUID t
            && Uuids.unixTimestamp(t.value()) > to + WRITE_SLACK_MS) {
          return CompletableFuture.completedFuture(found);
        }
        long at = c.event().at();
        if (at >= from && at <= to) {
          found.add(c);
          if (found.size() >= enough) {
            return CompletableFuture.completedFuture(found);
          }
        }
      }
      if (page.size() < PAGE) {
        return CompletableFuture.completedFuture(found);
      }
      return collect(page.get(page.size() - 1).offset(), from, to, enough, found);
    });
  }

  /**
   * Renders in journal order (duplicates resolved). The accesses need their study's patient and
   * SOP Classes: one replay per study, as of its last access in the window (the instances an
   * access names were stored before it; a patient attribute changed since then is the one
   * detail this can show newer).
   */
  private CompletionStage<List<AuditMessage>> render(List<StudyJournal.Change> changes) {
    Map<String, Long> lastAccess = new LinkedHashMap<>();
    for (StudyJournal.Change c : changes) {
      if (c.event() instanceof Study.StudyAccessed) {
        lastAccess.merge(c.persistenceId(), c.event().at(), Math::max);
      }
    }
    Map<String, CompletableFuture<Optional<Study.State>>> states = new LinkedHashMap<>();
    lastAccess.forEach((id, at) -> states.put(id, journal.stateAsOf(id, at).toCompletableFuture()));
    return CompletableFuture.allOf(states.values().toArray(CompletableFuture[]::new))
        .thenApply(x -> {
          StudyAudit audit = new StudyAudit();
          List<AuditMessage> out = new ArrayList<>();
          for (StudyJournal.Change c : changes) {
            CompletableFuture<Optional<Study.State>> state = states.get(c.persistenceId());
            out.addAll(audit.messages(StudyJournal.studyUidOf(c.persistenceId()), c.event(),
                c.event() instanceof Study.StudyAccessed && state != null
                    ? state.join().orElse(null) : null));
          }
          return out;
        });
  }
}
