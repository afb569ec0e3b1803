// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.util.concurrent.CompletionStage;
import org.annal.http.HealthProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.healthcheck.CassandraHealthCheck;
import scala.jdk.javaapi.FutureConverters;

/**
 * The journal's own health check (pekko-persistence-cassandra: a CQL query through the journal's
 * session, {@code pekko.persistence.cassandra.healthcheck}). Internal API.
 */
public final class CassandraJournalHealth implements HealthProbe {
  private final CassandraHealthCheck check;

  public CassandraJournalHealth(ActorSystem<?> system) {
    this.check = new CassandraHealthCheck(system.classicSystem());
  }

  @Override
  public CompletionStage<Boolean> journalReachable() {
    return FutureConverters.asJava(check.apply()).thenApply(ok -> Boolean.TRUE.equals(ok));
  }
}
