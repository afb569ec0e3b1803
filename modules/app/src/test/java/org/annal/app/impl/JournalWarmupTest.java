// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.ReadEvents;
import org.apache.pekko.persistence.testkit.ReadSeqNum$;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JournalWarmupTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = local
          pekko.persistence.snapshot-store.plugin = ""
          """))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create(CONFIG);
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clear() {
    journal.clearAll();
    journal.resetPolicy();
  }

  @Test
  void completesOnceARecoveryWentThroughTheJournalAndWritesNothing() throws Exception {
    List<JournalOperation> operations = new CopyOnWriteArrayList<>();
    journal.withPolicy(new ProcessingPolicy<JournalOperation>() {
      @Override
      public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
        operations.add(operation);
        return ProcessingSuccess$.MODULE$;
      }
    });
    assertEquals(Done.getInstance(), JournalWarmup.run(testKit.system(), Duration.ofSeconds(10))
        .toCompletableFuture().get(15, TimeUnit.SECONDS));
    // Recovery asked the journal (highest sequence number; no events, so no replay).
    assertTrue(operations.stream().anyMatch(op -> op == ReadSeqNum$.MODULE$ || op instanceof ReadEvents),
        operations.toString());
    assertTrue(operations.stream().noneMatch(op -> op instanceof WriteEvents), operations.toString());
  }

  @Test
  void failsWhenTheJournalCannotBeRead() {
    journal.failNextRead();
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> JournalWarmup.run(testKit.system(), Duration.ofSeconds(2))
            .toCompletableFuture().get(15, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().startsWith("journal not ready after PT2S"),
        e.getCause().toString());
  }
}
