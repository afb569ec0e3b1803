// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.Element;
import org.annal.dicom.Part10;
import org.annal.dicom.Tag;
import org.apache.pekko.util.ByteString;

/**
 * Internal API. What the head of one STOW-RS part (as {@link PartReader} emits it: preamble,
 * "DICM", File Meta Information, then the start of the data set) says about its instance.
 *
 * <p>The data set's start is read up to Pixel Data with
 * {@link DatasetReader#readUntilPixelData(java.io.InputStream, String, DatasetReader.Limits,
 * Dataset)}, which keeps what it read when the head ends inside an element. When the head stops
 * short of the data set's end and of Pixel Data before Study Instance UID (0020,000D) was read, the
 * study is {@linkplain #studyKnown() unknown}, unless an element after (0020,000D) was read (a
 * data set's elements are in ascending tag order, PS3.5 §7.1, so it is then known to be absent).
 *
 * @param sopClassUid SOP Class UID (0008,0016) of the data set when the head holds it, else
 *     Media Storage SOP Class UID (0002,0002), or null
 * @param sopInstanceUid SOP Instance UID (0008,0018) of the data set when the head holds it,
 *     else Media Storage SOP Instance UID (0002,0003), or null
 * @param transferSyntaxUid Transfer Syntax UID (0002,0010) of the data set
 * @param studyInstanceUid (0020,000D) from the data set, or null (absent or not known)
 * @param seriesInstanceUid (0020,000E) from the data set, or null (absent or not known)
 * @param studyKnown whether {@code studyInstanceUid} is the data set's (null meaning absent)
 * @param datasetStart the data set bytes held in the head, to be stored before the rest
 */
public record PartHead(
    String sopClassUid,
    String sopInstanceUid,
    String transferSyntaxUid,
    String studyInstanceUid,
    String seriesInstanceUid,
    boolean studyKnown,
    ByteString datasetStart) {


  /**
   * @param head what {@link PartReader} emitted first
   * @param headBytes the data set bytes it buffers at most before emitting: a head holding that
   *     many (or more) may be cut short of the data set's end
   * @throws PartFailure (Cannot understand) if the File Meta Information cannot be read, or if a
   *     data set held whole in the head cannot be parsed
   */
  public static PartHead parse(ByteString head, int headBytes) {
    byte[] bytes = head.toArray();
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    Dataset meta;
    try {
      meta = Part10.readFileMetaDataset(in, null);
    } catch (IOException | RuntimeException e) {
      throw PartFailure.notPart10("File Meta Information: " + e.getMessage());
    }
    if (meta == null) {
      throw PartFailure.notPart10("no \"DICM\" prefix at byte 128 (PS3.10 §7.1)");
    }
    int metaEnd = bytes.length - in.available();
    String ts = meta.getString(Tag.TransferSyntaxUID);
    if (ts == null || ts.isBlank()) {
      throw PartFailure.notPart10("File Meta Information lacks Transfer Syntax UID (0002,0010)");
    }
    int datasetLength = bytes.length - metaEnd;
    boolean mayBeCut = datasetLength >= headBytes;
    Dataset start = new Dataset();
    try {
      DatasetReader.readUntilPixelData(
          new ByteArrayInputStream(bytes, metaEnd, datasetLength), ts,
          new DatasetReader.Limits(Math.max(datasetLength, 1),
              DatasetReader.DEFAULT_LIMITS.maxDepth()), start);
    } catch (IOException | RuntimeException e) {
      if (!mayBeCut) {
        throw new PartFailure(PartFailure.CANNOT_UNDERSTAND,
            "cannot parse the data set: " + e.getMessage());
      }
      // Cut inside an element: the elements before it were read.
    }
    String study = start.getString(Tag.StudyInstanceUID);
    String series = start.getString(Tag.SeriesInstanceUID);
    // Elements come in ascending tag order (PS3.5 §7.1): one read after (0020,000D) means it is
    // absent, not beyond the head.
    boolean studyKnown = study != null || !mayBeCut || lastTag(start) > Tag.StudyInstanceUID;
    // The data set's own SOP Class / Instance UIDs, as a C-STORE SCU sends them in its request
    // (some files' meta information disagrees with their data set); the meta's when the head
    // does not hold them.
    String sopClass = start.getString(Tag.SOPClassUID);
    String sopInstance = start.getString(Tag.SOPInstanceUID);
    return new PartHead(
        isBlank(sopClass) ? meta.getString(Tag.MediaStorageSOPClassUID) : sopClass.trim(),
        isBlank(sopInstance) ? meta.getString(Tag.MediaStorageSOPInstanceUID) : sopInstance.trim(),
        ts.trim(), study, series, studyKnown, head.drop(metaEnd));
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static long lastTag(Dataset dataset) {
    long last = -1;
    for (Element e : dataset.elements()) {
      last = Math.max(last, e.tag() & 0xFFFFFFFFL);
    }
    return last;
  }
}
