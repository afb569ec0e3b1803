// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.annal.query.ChainHeadCheckpoints.Head;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint writer's flow control, with a fake write: at most one flush in flight, heads
 * offered meanwhile merged (the newest per study) into the next flush, a failed write logged and
 * counted without stopping later ones; and its settings from the configuration.
 */
class CassandraChainHeadsTest {
  // Local: the app's reference.conf asks for the cluster provider on port 25520, which another
  // test or a node running on this machine may hold.
  static final ActorTestKit testKit = ActorTestKit.create("CassandraChainHeadsTest",
      ConfigFactory.parseString("pekko.actor.provider = local")
          .withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Writes that complete only when the test says so. */
  static final class FakeWrites {
    final List<Head> started = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Done>> results = new CopyOnWriteArrayList<>();

    CompletableFuture<Done> write(Head head) {
      CompletableFuture<Done> result = new CompletableFuture<>();
      started.add(head);
      results.add(result);
      return result;
    }

    void completeAll() {
      results.forEach(r -> r.complete(Done.getInstance()));
    }
  }

  static Head head(String study, long seq) {
    return new Head("Study|" + study, seq, "h" + seq);
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }

  @Test
  void headsOfferedDuringAFlushAreMergedIntoTheNext() throws Exception {
    FakeWrites writes = new FakeWrites();
    CassandraChainHeads heads = new CassandraChainHeads(testKit.system(), writes::write);
    heads.offer(List.of(head("1", 1), head("2", 4)));
    await(() -> writes.started.size() == 2);
    // While those two are in flight: three heads of study 1, one of study 3.
    heads.offer(List.of(head("1", 3), head("3", 1)));
    heads.offer(List.of(head("1", 2)));
    heads.offer(List.of(head("1", 5)));
    Thread.sleep(100);
    assertEquals(2, writes.started.size(), "nothing more while a flush is in flight");
    assertFalse(heads.drained().toCompletableFuture().isDone());
    writes.completeAll();
    await(() -> writes.started.size() == 4);
    Map<String, Long> second = new TreeMap<>();
    writes.started.subList(2, 4).forEach(h -> second.put(h.persistenceId(), h.sequenceNr()));
    assertEquals(Map.of("Study|1", 5L, "Study|3", 1L), second);
    writes.completeAll();
    heads.drained().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(0, heads.failures());
  }

  @Test
  void aFailedWriteIsCountedAndLaterHeadsStillGo() throws Exception {
    FakeWrites writes = new FakeWrites();
    CassandraChainHeads heads = new CassandraChainHeads(testKit.system(), writes::write);
    heads.offer(List.of(head("1", 1)));
    await(() -> writes.started.size() == 1);
    writes.results.get(0).completeExceptionally(new RuntimeException("write timeout"));
    heads.drained().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(1, heads.failures());
    heads.offer(List.of(head("1", 2)));
    await(() -> writes.started.size() == 2);
    writes.completeAll();
    heads.drained().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(2, writes.started.get(1).sequenceNr());
  }

  @Test
  void nothingOfferedIsDrainedAtOnce() {
    CassandraChainHeads heads =
        new CassandraChainHeads(testKit.system(), h -> new CompletableFuture<>());
    assertTrue(heads.drained().toCompletableFuture().isDone());
  }

  @Test
  void settingsFollowTheJournalsKeyspaceAndAutocreate() {
    var config = ConfigFactory.parseString("""
        pekko.persistence.cassandra.journal.keyspace = "site_a"
        pekko.persistence.cassandra.journal.tables-autocreate = false
        """).withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve();
    var settings = CassandraChainHeads.ChainHeadSettings.fromConfig(config);
    assertTrue(settings.enabled());
    assertEquals("site_a.study_chain_heads", settings.qualifiedTable());
    assertFalse(settings.tableAutocreate());
    assertEquals("pekko-persistence-cassandra-profile", settings.writeProfile());
    assertTrue(settings.createTable().startsWith(
        "CREATE TABLE IF NOT EXISTS site_a.study_chain_heads (persistence_id text PRIMARY KEY"));
  }
}
