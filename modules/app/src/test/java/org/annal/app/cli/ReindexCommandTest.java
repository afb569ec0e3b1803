// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.annal.app.cli.AnnalRun.annal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.annal.app.impl.DataDirLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code annal reindex} refusals and report; the deletion itself is
 * {@code StudyIndexProjection.reindex}, tested in annal-query, and needs a Cassandra.
 */
class ReindexCommandTest {
  @TempDir Path temp;

  @Test
  void aMissingDataDirIsAnError() {
    AnnalRun r = annal("reindex", "--data-dir", temp.resolve("nope").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("annal: no data dir "), r.err());
    assertTrue(!Files.exists(temp.resolve("nope")), "not created");
  }

  @Test
  void aDataDirWithoutCassandraIsAnError() {
    AnnalRun r = annal("reindex", "--data-dir", temp.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("no embedded Cassandra in "), r.err());
  }

  @Test
  void itRefusesWhileANodeHoldsTheDataDir() throws Exception {
    Files.createDirectories(temp.resolve("cassandra"));
    try (DataDirLock lock = DataDirLock.acquire(temp, "run")) {
      AnnalRun r = annal("reindex", "--data-dir", temp.toString());
      assertEquals(1, r.exitCode());
      assertTrue(r.err().contains("is in use by another Annal process"), r.err());
    }
  }

  @Test
  void theReportSaysWhatWasDeleted() {
    StringWriter out = new StringWriter();
    ReindexCommand.print(new PrintWriter(out), Path.of("/data/index"), "g1",
        new long[] {12, 3_400_000}, "node a");
    assertEquals("""
        deleted query index /data/index (12 files, 3.4 MB, generation g1)
        cleared the offsets of its projections (query-index.node_a.g1, one per tag)
        the next 'annal run' rebuilds the index from the journal; C-FIND answers are incomplete \
        until it has caught up
        """, out.toString());
    StringWriter none = new StringWriter();
    ReindexCommand.print(new PrintWriter(none), Path.of("/data/index"), null, new long[2], "n");
    assertTrue(none.toString().startsWith("no query index at /data/index: nothing to delete\n"),
        none.toString());
  }
}
