// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * Makes the journal ready before the node says it is: recovers a throw-away persistent actor,
 * which loads a snapshot and replays the journal, so pekko-persistence-cassandra opens its session
 * and (in dev, with autocreate on) creates the keyspaces and tables. That takes 6-11 s on a fresh
 * Cassandra; done here, the first C-STORE does not pay for it. Nothing is written: the probe's
 * persistence id never gets an event. Internal API.
 */
public final class JournalWarmup {
  private JournalWarmup() {}

  /** Completes when a recovery went through the journal and the snapshot store. */
  public static CompletionStage<Done> run(ActorSystem<?> system, Duration timeout) {
    PersistenceId id = PersistenceId.ofUniqueId("annal-warmup-" + UUID.randomUUID());
    // A failed recovery stops the probe (logged by Pekko with its cause); the ask then times out.
    return AskPattern.<Recovered, Done>ask(
            system.systemActorOf(new Probe(id), id.id(), Props.empty()),
            Recovered::new, timeout, system.scheduler())
        .exceptionally(e -> {
          throw new IllegalStateException("journal not ready after " + timeout
              + " (Cassandra unreachable, or schema creation failed: see the log)", e);
        });
  }

  /** Asked once; answered when recovery has completed, then the probe stops. */
  private record Recovered(ActorRef<Done> replyTo) {}

  private static final class Probe extends EventSourcedBehavior<Recovered, String, String> {

    Probe(PersistenceId id) {
      super(id);
    }

    @Override
    public String emptyState() {
      return "";
    }

    @Override
    public CommandHandler<Recovered, String, String> commandHandler() {
      // Commands are stashed until recovery has completed, so this only runs after it.
      return newCommandHandlerBuilder().forAnyState().onAnyCommand((state, cmd) -> {
        cmd.replyTo().tell(Done.getInstance());
        return Effect().stop();
      });
    }

    @Override
    public EventHandler<String, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state);
    }
  }
}
