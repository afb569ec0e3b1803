// SPDX-License-Identifier: Apache-2.0
package org.annal.cassandra.dist;

import java.io.IOException;
import java.io.InputStream;

/**
 * Main class of the embedded Cassandra JVM: ties Cassandra's life to its parent's, then runs
 * {@code org.apache.cassandra.service.CassandraDaemon}.
 *
 * <p>The parent (Annal's {@code EmbeddedCassandra}) keeps the write end of this process's stdin
 * open and never writes to it. When the parent dies, even by {@code kill -9}, the kernel closes that
 * pipe, a daemon thread here reads end-of-file and calls {@link System#exit}, which runs
 * Cassandra's own shutdown hook (drain). If that hook does not finish within
 * {@code annal.orphan.halt-after-ms} (default 30 s) the JVM is halted. Without this, an orphaned
 * Cassandra would keep its ports and data directory locked.
 *
 * <p>Kept free of dependencies (it is loaded before Cassandra) and of anything that reads stdin.
 */
public final class OrphanGuard {
  static final String DAEMON_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  private OrphanGuard() {}

  public static void main(String[] args) throws ReflectiveOperationException {
    long haltAfterMillis = Long.getLong("annal.orphan.halt-after-ms", 30_000L);
    Thread watcher =
        new Thread(
            () -> {
              watchParent(System.in);
              exit(haltAfterMillis);
            },
            "annal-orphan-guard");
    watcher.setDaemon(true);
    watcher.start();
    // Reflection keeps this class compilable without cassandra-all on the compile classpath.
    Class.forName(DAEMON_CLASS)
        .getMethod("main", String[].class)
        .invoke(null, (Object) args);
  }

  /** Returns when {@code parentPipe} ends or breaks: the parent holds its other end until it dies. */
  static void watchParent(InputStream parentPipe) {
    byte[] sink = new byte[256];
    try {
      while (parentPipe.read(sink) >= 0) {
        // The parent never writes; anything it might is ignored.
      }
    } catch (IOException closed) {
      // A broken pipe means the same as end-of-file: the parent is gone.
    }
  }

  /** System.exit (Cassandra's shutdown hook drains), and a halt if that takes too long. */
  private static void exit(long haltAfterMillis) {
    System.err.println("annal-orphan-guard: parent process is gone (stdin closed), exiting");
    Thread halter =
        new Thread(
            () -> {
              try {
                Thread.sleep(haltAfterMillis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              System.err.println("annal-orphan-guard: shutdown hooks still running, halting");
              Runtime.getRuntime().halt(3);
            },
            "annal-orphan-halter");
    halter.setDaemon(true);
    halter.start();
    System.exit(2);
  }
}
