// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataSharingTest {
  @TempDir Path dir;

  @Test
  void firstStartDumpsToItsOwnFileAndLaterStartsUseThePublishedArchive() throws Exception {
    List<String> identity = List.of("jvm", "-Xmx512m");
    ClassDataSharing.Plan first = ClassDataSharing.plan(dir, identity);
    ClassDataSharing.Plan concurrent = ClassDataSharing.plan(dir, identity);

    Path partial = first.partial().orElseThrow();
    assertEquals(List.of("-XX:ArchiveClassesAtExit=" + partial), first.jvmOptions());
    assertNotEquals(partial, concurrent.partial().orElseThrow(), "each start dumps to its own file");

    ClassDataSharing.publish(concurrent); // killed with -9: it wrote nothing
    assertFalse(Files.exists(first.archive()));

    Files.write(partial, new byte[] {1, 2, 3}); // what the JVM writes at exit
    ClassDataSharing.publish(first);

    assertTrue(Files.exists(first.archive()));
    assertFalse(Files.exists(partial));
    ClassDataSharing.Plan later = ClassDataSharing.plan(dir, identity);
    assertEquals(List.of("-XX:SharedArchiveFile=" + first.archive()), later.jvmOptions());
    assertTrue(later.partial().isEmpty());
  }

  @Test
  void anotherJvmOrHeapGetsAnotherArchive() {
    Path a = ClassDataSharing.plan(dir, List.of("jvm", "-Xmx512m")).archive();
    Path b = ClassDataSharing.plan(dir, List.of("jvm", "-Xmx1g")).archive();
    assertNotEquals(a, b);
  }

  @Test
  void partialsLeftByADeadDumpAreRemovedWhenStale() throws Exception {
    ClassDataSharing.Plan plan = ClassDataSharing.plan(dir, List.of("x"));
    Path stale = dir.resolve(plan.archive().getFileName() + ".partial-old");
    Path fresh = dir.resolve(plan.archive().getFileName() + ".partial-running");
    Files.write(stale, new byte[10]);
    Files.write(fresh, new byte[10]);
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

    ClassDataSharing.plan(dir, List.of("x"));

    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh), "may still be written by a running JVM");
  }

  @Test
  void anUnwritableDirectoryMeansNoSharing() throws Exception {
    Path file = Files.createFile(dir.resolve("not-a-dir"));
    ClassDataSharing.Plan plan = ClassDataSharing.plan(file.resolve("cds"), List.of("x"));
    assertEquals(List.of(), plan.jvmOptions());
  }
}
