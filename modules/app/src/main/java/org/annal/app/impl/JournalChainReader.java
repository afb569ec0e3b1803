// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.typesafe.config.Config;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.annal.archive.Study;
import org.annal.archive.StudyJournal;
import org.annal.archive.StudyChainAudit;
import org.annal.archive.StudyChainAudit.Checkpoint;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.javadsl.Sink;
import scala.util.Try;

/**
 * Reads studies' journal rows and checkpointed chain heads straight from Cassandra, for {@code
 * annal audit verify}. Internal API.
 *
 * <p>Not through Pekko Persistence Query: {@code eventsByPersistenceId} follows sequence numbers
 * and may stop or wait at a gap, and it hands out decoded events only; an auditor needs every row
 * that is there, a row it cannot decode included. So the {@code messages} table is read partition
 * by partition ({@code partition_nr = (sequence_nr - 1) / target-partition-size}) and each event
 * decoded with the serializer its row names ({@code ser_id}, {@code ser_manifest}). Reads use the
 * journal's read profile (QUORUM, LOCAL_QUORUM in production).
 */
public final class JournalChainReader {
  private final ActorSystem<?> system;
  private final CassandraSession session;
  private final Serialization serialization;
  private final String messages;
  private final long partitionSize;
  private final CassandraChainHeads.ChainHeadSettings heads;
  private final CompletionStage<PreparedStatement> selectRows;

  public JournalChainReader(ActorSystem<?> system, Config config) {
    this.system = system;
    this.session = CassandraChainHeads.session(system);
    this.serialization = SerializationExtension.get(system.classicSystem());
    Config journal = config.getConfig("pekko.persistence.cassandra.journal");
    this.messages = journal.getString("keyspace") + "." + journal.getString("table");
    this.partitionSize = journal.getLong("target-partition-size");
    this.heads = CassandraChainHeads.ChainHeadSettings.fromConfig(config);
    this.selectRows = session.prepare("SELECT sequence_nr, ser_id, ser_manifest, event FROM "
        + messages + " WHERE persistence_id = ? AND partition_nr = ?");
  }

  /** The journal table read ({@code keyspace.messages}). */
  public String messagesTable() {
    return messages;
  }

  /** The checkpoint table read. */
  public String checkpointTable() {
    return heads.qualifiedTable();
  }

  /** Every study persistence id with at least one row in the journal, sorted. */
  public CompletionStage<SortedSet<String>> studiesInJournal() {
    return session.select(statement("SELECT DISTINCT persistence_id, partition_nr FROM "
            + messages))
        .map(row -> row.getString("persistence_id"))
        .filter(id -> id.startsWith(StudyJournal.PREFIX))
        .runWith(Sink.fold(new TreeSet<String>(), (set, id) -> {
          set.add(id);
          return set;
        }), system)
        .thenApply(set -> set);
  }

  /**
   * Every checkpointed head by persistence id; empty if the table does not exist (checkpoints
   * never enabled), which the caller reports.
   */
  public CompletionStage<Optional<Map<String, Checkpoint>>> checkpoints() {
    return session.select(statement("SELECT persistence_id, sequence_nr, hash FROM "
            + heads.qualifiedTable()))
        .filter(row -> row.getString("persistence_id").startsWith(StudyJournal.PREFIX))
        .runWith(Sink.fold(new HashMap<String, Checkpoint>(), (map, row) -> {
          map.put(row.getString("persistence_id"),
              new Checkpoint(row.getLong("sequence_nr"), row.getString("hash")));
          return map;
        }), system)
        .<Optional<Map<String, Checkpoint>>>thenApply(Optional::of)
        .exceptionally(JournalChainReader::missingTable);
  }

  /** The checkpointed head of one study, if any; empty outer if the table does not exist. */
  public CompletionStage<Optional<Optional<Checkpoint>>> checkpoint(String persistenceId) {
    return session.selectOne(statement("SELECT sequence_nr, hash FROM "
            + heads.qualifiedTable() + " WHERE persistence_id = ?", persistenceId))
        .thenApply(row -> Optional.of(row.map(r ->
            new Checkpoint(r.getLong("sequence_nr"), r.getString("hash")))))
        .exceptionally(JournalChainReader::missingTable);
  }

  private static <T> Optional<T> missingTable(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof InvalidQueryException
        && String.valueOf(cause.getMessage()).contains("table")) {
      return Optional.empty();
    }
    throw e instanceof CompletionException c ? c : new CompletionException(e);
  }

  /**
   * Every row of one study, oldest first, decoded where possible. Reads partitions from 0 on
   * until one is empty and the checkpointed head's partition has been read.
   */
  public CompletionStage<List<StudyChainAudit.Row>> rows(String persistenceId,
      Optional<Checkpoint> checkpoint) {
    long lastPartition = checkpoint.map(c -> (c.sequenceNr() - 1) / partitionSize).orElse(0L);
    return readFrom(persistenceId, 0, lastPartition, new ArrayList<>());
  }

  private CompletionStage<List<StudyChainAudit.Row>> readFrom(String persistenceId,
      long partition, long lastPartition, List<StudyChainAudit.Row> into) {
    return selectRows
        .thenCompose(select -> session.selectAll(select.bind(persistenceId, partition)
            .setExecutionProfileName(heads.readProfile())))
        .thenCompose(rows -> {
          for (Row row : rows) {
            into.add(decode(row));
          }
          if (rows.isEmpty() && partition >= lastPartition) {
            return CompletableFuture.completedFuture(into);
          }
          return readFrom(persistenceId, partition + 1, lastPartition, into);
        });
  }

  private StudyChainAudit.Row decode(Row row) {
    long seq = row.getLong("sequence_nr");
    ByteBuffer buffer = row.getByteBuffer("event");
    if (buffer == null) {
      return StudyChainAudit.Row.undecodable(seq, "no event bytes");
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    try {
      Try<Object> decoded = serialization.deserialize(bytes, row.getInt("ser_id"),
          String.valueOf(row.getString("ser_manifest")));
      if (decoded.isFailure()) {
        return StudyChainAudit.Row.undecodable(seq, oneLine(decoded.failed().get()));
      }
      if (!(decoded.get() instanceof Study.Event event)) {
        return StudyChainAudit.Row.undecodable(seq,
            "not a Study event: " + decoded.get().getClass().getName());
      }
      return StudyChainAudit.Row.of(seq, event);
    } catch (RuntimeException e) {
      // An unknown serializer id, say: the row was altered.
      return StudyChainAudit.Row.undecodable(seq, oneLine(e));
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    message = message.replaceAll("[\\r\\n]+", " ");
    return message.length() > 300 ? message.substring(0, 300) + "..." : message;
  }

  private SimpleStatement statement(String cql, Object... values) {
    return SimpleStatement.newInstance(cql, values).setExecutionProfileName(heads.readProfile());
  }
}
