// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A DICOM file (PS3.10 §7) in memory: preamble, File Meta Information and data set.
 *
 * @param preamble the 128-byte preamble, or null for a bare data set (no "DICM" prefix)
 * @param fileMetaInformation group 0002 as read (Explicit VR Little Endian), or null for a bare
 *     data set
 * @param transferSyntaxUid the syntax of the data set: from (0002,0010), or guessed for a bare one
 * @param dataset the data set
 */
public record DicomFile(byte[] preamble, Dataset fileMetaInformation, String transferSyntaxUid,
    Dataset dataset) {

  /** A new file with Annal's meta information for a data set in the given syntax. */
  public static DicomFile of(FileMetaInformation meta, Dataset dataset) {
    return new DicomFile(new byte[128], Part10.metaDataset(meta), meta.transferSyntaxUid(),
        dataset);
  }

  /** The meta information as a record, or null for a bare data set. */
  public FileMetaInformation meta() {
    return fileMetaInformation == null ? null : Part10.toRecord(fileMetaInformation);
  }

  public static DicomFile read(Path path) throws IOException {
    return Part10.read(path);
  }

  /** See {@link Part10#write(DicomFile, OutputStream)}. */
  public void write(OutputStream out) throws IOException {
    Part10.write(this, out);
  }

  /** Writes to {@code path}, replacing it. No fsync: durability is the storage layer's job. */
  public void write(Path path) throws IOException {
    try (OutputStream out = Files.newOutputStream(path)) {
      Part10.write(this, out);
    }
  }
}
