// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.annal.query.ChainHeadCheckpoints;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chain heads checkpointed in Cassandra, in the journal's keyspace ({@code
 * annal.study_chain_heads}, see {@link ChainHeadSettings#createTable}), through the journal's own
 * session and write profile. Internal API.
 *
 * <p>Each row is written {@code USING TIMESTAMP <sequence_nr>}: Cassandra keeps the cell with the
 * highest write timestamp, so an older head (a replay after a restart, a slower tag, another node
 * projecting the same study: every node projects every tag) never overwrites a newer one, without
 * a read or a lightweight transaction. The price: a row deleted with an ordinary (current) write
 * time would shadow every later head of that study, so nobody deletes rows from this table.
 *
 * <p>Writes never wait in the projection: {@link #offer} merges heads into a pending map (the
 * highest sequence number per study) and at most one flush is in flight, so a slow Cassandra
 * makes checkpoints later and coarser, not the index; memory is bounded by the number of studies
 * written meanwhile. A failed write is logged and not retried (the study's next group offers a
 * newer head).
 */
public final class CassandraChainHeads implements ChainHeadCheckpoints {
  private static final Logger log = LoggerFactory.getLogger(CassandraChainHeads.class);

  /** Writes in flight at once during a flush. */
  private static final int PARALLELISM = 8;

  private final ActorSystem<?> system;
  private final Function<Head, CompletionStage<Done>> write;
  private final AtomicLong failures = new AtomicLong();
  private Map<String, Head> pending = new HashMap<>();
  private CompletableFuture<Done> flushing;

  /** Writes each head with {@code write} (the CQL insert; a fake in tests). */
  CassandraChainHeads(ActorSystem<?> system, Function<Head, CompletionStage<Done>> write) {
    this.system = system;
    this.write = write;
  }

  /**
   * Creates the table if {@code settings} say so, prepares the write; fails (rather than hangs)
   * after {@code timeout} if Cassandra does not answer.
   */
  public static CassandraChainHeads start(ActorSystem<?> system, ChainHeadSettings settings,
      Duration timeout) {
    CassandraSession session = session(system);
    CompletionStage<Done> table = settings.tableAutocreate()
        ? session.executeDDL(settings.createTable())
        : CompletableFuture.completedFuture(Done.getInstance());
    PreparedStatement insert;
    try {
      insert = table
          .thenCompose(d -> session.prepare("INSERT INTO " + settings.qualifiedTable()
              + " (persistence_id, sequence_nr, hash, written_at) VALUES (?, ?, ?, ?)"
              + " USING TIMESTAMP ?"))
          .toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    } catch (CompletionException e) {
      throw new IllegalStateException("cannot write chain-head checkpoints to "
          + settings.qualifiedTable() + " (create it from cluster-config/production/"
          + "annal-schema.cql, or set annal.audit.chain-heads.enabled = off): "
          + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    }
    String profile = settings.writeProfile();
    log.atInfo().addKeyValue("event", "chain_heads_ready")
        .log("Chain heads checkpointed in {}", settings.qualifiedTable());
    return new CassandraChainHeads(system, head -> session.executeWrite(insert.bind(
            head.persistenceId(), head.sequenceNr(), head.hash(), Instant.now(),
            head.sequenceNr())
        .setExecutionProfileName(profile)));
  }

  /** The journal's session (pekko-persistence-cassandra's config path, shared driver session). */
  public static CassandraSession session(ActorSystem<?> system) {
    return CassandraSessionRegistry.get(system.classicSystem())
        .sessionFor("pekko.persistence.cassandra");
  }

  @Override
  public void offer(List<Head> heads) {
    List<Head> batch;
    synchronized (this) {
      for (Head head : heads) {
        pending.merge(head.persistenceId(), head,
            (a, b) -> b.sequenceNr() > a.sequenceNr() ? b : a);
      }
      if (flushing != null) {
        return; // the flush in flight takes them next
      }
      flushing = new CompletableFuture<>();
      batch = takePending();
    }
    flush(batch);
  }

  /** Completes once every head offered so far is written (or failed). */
  public synchronized CompletionStage<Done> drained() {
    return flushing == null ? CompletableFuture.completedFuture(Done.getInstance())
        : flushing.copy();
  }

  /** Writes that failed since start (each logged). */
  public long failures() {
    return failures.get();
  }

  private List<Head> takePending() {
    List<Head> batch = new ArrayList<>(pending.values());
    pending = new HashMap<>();
    return batch;
  }

  private void flush(List<Head> batch) {
    CompletionStage<Done> written;
    try {
      written = Source.from(batch)
          .mapAsyncUnordered(PARALLELISM, head -> write.apply(head)
              .exceptionally(e -> {
                if (failures.incrementAndGet() % 100 == 1) {
                  log.atWarn().addKeyValue("event", "chain_head_write_failed")
                      .log("Chain head of {} (event {}) not checkpointed ({} failures so far):"
                          + " {}", head.persistenceId(), head.sequenceNr(), failures.get(),
                          e.toString());
                }
                return Done.getInstance();
              }))
          .runWith(Sink.ignore(), system);
    } catch (RuntimeException e) {
      // The system is shutting down: nothing more can be written.
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete((done, error) -> {
      if (error != null) {
        log.warn("Chain head flush failed: {}", error.toString());
      }
      List<Head> next = null;
      CompletableFuture<Done> finished = null;
      synchronized (this) {
        if (pending.isEmpty() || error != null) {
          finished = flushing;
          flushing = null;
        } else {
          next = takePending();
        }
      }
      if (next != null) {
        flush(next);
      } else {
        finished.complete(Done.getInstance());
      }
    });
  }

  /**
   * Settings of the checkpoints ({@code annal.audit.chain-heads}, commented in reference.conf);
   * the table lives in the journal's keyspace and is written with the journal's write profile.
   */
  public record ChainHeadSettings(boolean enabled, String keyspace, String table,
      boolean tableAutocreate, String writeProfile, String readProfile) {

    public static ChainHeadSettings fromConfig(Config root) {
      Config c = root.getConfig("annal.audit.chain-heads");
      Config journal = root.getConfig("pekko.persistence.cassandra.journal");
      return new ChainHeadSettings(c.getBoolean("enabled"), journal.getString("keyspace"),
          c.getString("table"), c.getBoolean("table-autocreate"),
          root.getString("pekko.persistence.cassandra.write-profile"),
          root.getString("pekko.persistence.cassandra.read-profile"));
    }

    public String qualifiedTable() {
      return keyspace + "." + table;
    }

    /** The table, as cluster-config/production/annal-schema.cql also creates it. */
    public String createTable() {
      return "CREATE TABLE IF NOT EXISTS " + qualifiedTable() + " ("
          + "persistence_id text PRIMARY KEY, sequence_nr bigint, hash text, "
          + "written_at timestamp)";
    }
  }
}
