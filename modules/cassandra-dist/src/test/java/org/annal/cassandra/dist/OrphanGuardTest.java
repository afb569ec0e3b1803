// SPDX-License-Identifier: Apache-2.0
package org.annal.cassandra.dist;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The watch part of the guard; the exit part is covered by EmbeddedCassandraIT in modules/app. */
class OrphanGuardTest {

  @Test
  void watchReturnsOnlyWhenTheParentsEndCloses() throws Exception {
    PipedOutputStream parentEnd = new PipedOutputStream();
    PipedInputStream childStdin = new PipedInputStream(parentEnd);
    CompletableFuture<Void> watching = CompletableFuture.runAsync(() -> OrphanGuard.watchParent(childStdin));

    // Bytes from the parent are not a death notice.
    parentEnd.write("anything\n".getBytes());
    parentEnd.flush();
    assertThrows(TimeoutException.class, () -> watching.get(300, TimeUnit.MILLISECONDS));
    assertFalse(watching.isDone());

    parentEnd.close();

    watching.get(10, TimeUnit.SECONDS);
    assertTrue(watching.isDone());
  }
}
