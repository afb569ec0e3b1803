// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the DICOM files among command-line arguments: files as given, directories recursively
 * (sorted, so runs are reproducible). A file is taken as DICOM when it has the PS3.10 §7.1
 * preamble and "DICM" prefix; anything else is skipped with a note. Internal API.
 */
public final class DicomFiles {
  private static final int PREFIX_OFFSET = 128;

  private DicomFiles() {}

  /** The files found, with their total size. */
  public record Found(List<Path> files, long totalBytes, int skipped) {}

  public static Found scan(List<Path> arguments, PrintWriter notes) throws IOException {
    List<Path> files = new ArrayList<>();
    long total = 0;
    int skipped = 0;
    for (Path argument : arguments) {
      if (!Files.exists(argument)) {
        throw new IOException("no such file or directory: " + argument);
      }
      List<Path> candidates;
      if (Files.isDirectory(argument)) {
        try (Stream<Path> walk = Files.walk(argument, FileVisitOption.FOLLOW_LINKS)) {
          candidates = walk.filter(Files::isRegularFile).sorted().toList();
        }
      } else {
        candidates = List.of(argument);
      }
      for (Path file : candidates) {
        if (isPart10(file)) {
          files.add(file);
          total += Files.size(file);
        } else {
          skipped++;
          notes.println("skipping " + file + ": not a DICOM file (no DICM prefix at byte 128)");
        }
      }
    }
    return new Found(List.copyOf(files), total, skipped);
  }

  /** Whether the file has the 128-byte preamble followed by "DICM". */
  public static boolean isPart10(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(PREFIX_OFFSET + 4);
      return head.length == PREFIX_OFFSET + 4
          && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
    } catch (IOException e) {
      return false;
    }
  }
}
