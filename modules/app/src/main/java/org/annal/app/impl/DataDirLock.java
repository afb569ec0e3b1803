// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on {@code DATA_DIR/annal.lock}, held for as long as a process uses the data
 * dir: one node (or one {@code annal verify}) per data dir, since each would otherwise start its own
 * embedded Cassandra on the same files. The lock dies with the process, so a crash leaves no stale
 * lock behind; the file's text (pid, command) only helps the error message. Internal API.
 */
public final class DataDirLock implements AutoCloseable {
  public static final String FILE_NAME = "annal.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, creating the data dir if needed.
   *
   * @throws IllegalStateException if another process holds it, naming that process
   */
  public static DataDirLock acquire(Path dataDir, String command) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(FILE_NAME);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
      channel.close();
      throw new IllegalStateException("data dir " + dataDir + " is in use by another Annal process"
          + (holder.isEmpty() ? "" : " (" + holder + ")") + "; stop it first");
    }
    channel.truncate(0);
    channel.write(java.nio.ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + " command="
        + command + "\n").getBytes(StandardCharsets.UTF_8)));
    channel.force(false);
    return new DataDirLock(channel, lock);
  }

  /** Whether some process holds the lock right now (without taking it for longer than a check). */
  public static boolean isHeld(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    if (channel.isOpen()) {
      lock.release();
      channel.close();
    }
  }
}
