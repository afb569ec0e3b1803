// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {
  @TempDir Path temp;

  @Test
  void secondHolderInTheSameJvmIsRefusedUntilTheFirstCloses() throws Exception {
    Path dir = temp.resolve("data");
    try (DataDirLock first = DataDirLock.acquire(dir, "run")) {
      assertTrue(DataDirLock.isHeld(dir));
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> DataDirLock.acquire(dir, "verify"));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
    assertFalse(DataDirLock.isHeld(dir));
    try (DataDirLock again = DataDirLock.acquire(dir, "verify")) {
      assertTrue(DataDirLock.isHeld(dir));
    }
  }

  @Test
  void lockHeldByAnotherProcessIsRefusedAndNamesIt() throws Exception {
    Path dir = temp.resolve("data");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LockHolder.class.getName(), dir.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine(), "holder did not take the lock");
      assertTrue(DataDirLock.isHeld(dir));
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> DataDirLock.acquire(dir, "verify"));
      assertTrue(e.getMessage().contains("pid=" + holder.pid()), e.getMessage());
    } finally {
      holder.getOutputStream().close(); // the holder exits when its stdin closes
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
    }
    // The OS released the lock with the process: no stale lock file blocks the next run.
    try (DataDirLock next = DataDirLock.acquire(dir, "run")) {
      assertTrue(DataDirLock.isHeld(dir));
    }
  }

  /** Child process: takes the lock, says so, holds it until stdin closes. */
  public static final class LockHolder {
    public static void main(String[] args) throws Exception {
      try (DataDirLock lock = DataDirLock.acquire(Path.of(args[0]), "holder")) {
        System.out.println("locked");
        System.out.flush();
        while (System.in.read() != -1) {
          // wait for EOF
        }
      }
    }
  }
}
