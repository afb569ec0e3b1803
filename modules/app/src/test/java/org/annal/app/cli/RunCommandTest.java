// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.annal.app.Main;
import org.annal.app.impl.DataDirLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code annal run} when start-up cannot succeed: a clear one-line error, exit 1, nothing left. */
class RunCommandTest {
  @TempDir Path temp;

  @Test
  void unreachableCassandraFailsStartUpCleanly() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path conf = Files.writeString(temp.resolve("fast.conf"), """
        annal.startup.journal-timeout = 3s
        annal.startup.orphan-sweep = off
        datastax-java-driver.advanced.connection.init-query-timeout = 1s
        """);
    Path dataDir = temp.resolve("data");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "run",
        "--data-dir", dataDir.toString(), "--cassandra", "127.0.0.1:" + closedPort,
        "--cluster-port", "0", "--dicom-port", "0", "--http-port", "0", "--management-port", "0",
        "--config", conf.toString());

    assertEquals(1, code, err.toString());
    String[] lines = err.toString().strip().split("\\R");
    assertEquals(1, lines.length, "one line: " + err);
    assertTrue(lines[0].startsWith("annal: start-up failed: journal not ready after PT3S"), lines[0]);
    assertFalse(DataDirLock.isHeld(dataDir), "the lock is released");
    assertTrue(Files.exists(dataDir.resolve("logs/annal.log")), "the log file has the details");
  }
}
