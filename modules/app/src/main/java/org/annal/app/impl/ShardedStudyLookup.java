// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.annal.app.http.StudyLookup;
import org.annal.archive.Study;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Study state for the HTTP API: first asks the journal whether the study has any event (a read,
 * no actor), and only then asks the sharded entity for its state. Asking the entity directly would
 * start one, and so an entity per unknown UID anyone cares to type. Internal API.
 */
public final class ShardedStudyLookup implements StudyLookup {
  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Duration timeout;
  private final ObjectMapper mapper = new ObjectMapper();

  public ShardedStudyLookup(ActorSystem<?> system, String readJournalPluginId, Duration timeout) {
    this.system = system;
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournalPluginId);
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Optional<JsonNode>> find(String studyInstanceUid) {
    String persistenceId = Study.persistenceId(studyInstanceUid).id();
    return journal.currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
        .take(1)
        .runWith(Sink.headOption(), system)
        .thenCompose(first -> first.isEmpty()
            ? CompletableFuture.completedFuture(Optional.<JsonNode>empty())
            : ClusterSharding.get(system).entityRefFor(Study.ENTITY_KEY, studyInstanceUid)
                .<Study.State>ask(Study.GetState::new, timeout)
                .thenApply(state -> Optional.<JsonNode>of(mapper.valueToTree(state))));
  }
}
