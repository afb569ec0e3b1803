// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a log file, for error messages; reads at most the last 64 KiB. */
final class LogTail {
  private static final int MAX_BYTES = 64 * 1024;

  private LogTail() {}

  static String lastLines(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no " + file.getFileName() + ")";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int n = (int) Math.min(length, MAX_BYTES);
      byte[] bytes = new byte[n];
      raf.seek(length - n);
      raf.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
