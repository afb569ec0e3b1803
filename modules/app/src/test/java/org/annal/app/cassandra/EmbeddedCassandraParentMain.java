// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Stands in for the Annal JVM in {@link EmbeddedCassandraIT}: starts an embedded Cassandra, prints
 * its pid once it is ready, then waits to be killed.
 */
public final class EmbeddedCassandraParentMain {
  static final String MARKER = "CASSANDRA_PID ";

  private EmbeddedCassandraParentMain() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedCassandra cassandra =
        EmbeddedCassandra.start(EmbeddedCassandraSettings.forDataDir(Path.of(args[0])).withHeap("512m"));
    cassandra.awaitReady();
    System.out.println(MARKER + cassandra.pid());
    System.out.flush();
    new CountDownLatch(1).await(); // until kill -9
  }
}
