// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.FileMetaInformation;
import org.annal.dicom.Part10;
import org.annal.dicom.Tag;

/**
 * A PS3.10 file about to be sent with C-STORE: what its File Meta Information says (PS3.10 §7.1)
 * and where its data set starts, since C-STORE carries the data set without the meta header
 * (PS3.7 §9.1.1). Internal API.
 *
 * @param datasetOffset bytes before the data set (preamble, "DICM", group 0002)
 */
public record FileToSend(Path path, long size, String sopClassUid, String sopInstanceUid,
    String transferSyntaxUid, long datasetOffset) {

  public long datasetLength() {
    return size - datasetOffset;
  }

  /** Group 0002 is small; a file whose meta information exceeds this is refused. */
  private static final int MAX_HEADER = 1 << 20;

  /** Reads the meta information and the data set's SOP Class and Instance UIDs. */
  public static FileToSend read(Path path) throws IOException {
    long size = Files.size(path);
    byte[] head;
    try (InputStream file = Files.newInputStream(path)) {
      head = file.readNBytes((int) Math.min(size, MAX_HEADER));
    }
    ByteArrayInputStream in = new ByteArrayInputStream(head);
    FileMetaInformation meta = Part10.readFileMetaInformation(in);
    if (meta == null) {
      throw new IOException("no DICM prefix");
    }
    if (meta.transferSyntaxUid() == null || meta.transferSyntaxUid().isBlank()) {
      throw new IOException("File Meta Information lacks Transfer Syntax UID (0002,0010)");
    }
    String transferSyntax = meta.transferSyntaxUid().strip();
    long offset = head.length - in.available();
    // Like storescu, the data set's own UIDs (0008,0016)/(0008,0018) are what is sent as Affected
    // SOP Class/Instance UID: the receiver checks the command against the data set, and files
    // whose meta information disagrees with their data set exist.
    // A data set we cannot parse is still sent (the receiver decides), under the meta's UIDs.
    String sopClass = null;
    String sopInstance = null;
    try (InputStream data = new BufferedInputStream(Files.newInputStream(path), 65536)) {
      data.skipNBytes(offset);
      Dataset dataset = DatasetReader.readUntilPixelData(data, transferSyntax);
      sopClass = dataset.getString(Tag.SOPClassUID);
      sopInstance = dataset.getString(Tag.SOPInstanceUID);
    } catch (IOException | RuntimeException e) {
      // fall back to the meta information below
    }
    sopClass = firstNonBlank(sopClass, meta.mediaStorageSopClassUid());
    sopInstance = firstNonBlank(sopInstance, meta.mediaStorageSopInstanceUid());
    if (sopClass == null || sopInstance == null) {
      throw new IOException("no SOP Class UID or SOP Instance UID, neither in the data set nor in"
          + " the File Meta Information");
    }
    return new FileToSend(path, size, sopClass, sopInstance, transferSyntax, offset);
  }

  private static String firstNonBlank(String a, String b) {
    if (a != null && !a.isBlank()) {
      return a.strip();
    }
    return b == null || b.isBlank() ? null : b.strip();
  }
}
