// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;

/**
 * Internal API. Reads what the archive needs from a data set's header (everything before Pixel
 * Data): the identifying UIDs and the {@link IndexedAttributes}.
 */
public final class HeaderParser {
  private HeaderParser() {}

  /** The identifying UIDs (null if absent) and the indexed attributes of one data set. */
  public record Header(
      String sopClassUid,
      String sopInstanceUid,
      String studyInstanceUid,
      String seriesInstanceUid,
      Map<String, String> attributes) {}

  /**
   * Parses a data set (or its stored copy) up to Pixel Data.
   *
   * @param datasetLength the data set's full length: element lengths are checked against it
   *     before anything is allocated
   */
  public static Header parse(InputStream in, long datasetLength, String transferSyntaxUid)
      throws IOException {
    return toHeader(
        DatasetReader.read(in, datasetLength, 0, transferSyntaxUid, HEADER_LIMITS, true));
  }

  /**
   * Largest single value read while parsing a header (invariant 5: memory per C-STORE is bounded
   * by configuration, not by what a sender puts before Pixel Data, e.g. an encapsulated PDF). A
   * larger value fails the parse, and the C-STORE is answered with a Cannot Understand status.
   */
  static final DatasetReader.Limits HEADER_LIMITS = new DatasetReader.Limits(64 << 20, 32);

  /**
   * Parses the bounded prefix of a data set. Empty if the prefix was cut short of the data set's
   * end and the header may continue beyond it (the parser ran out of bytes, cleanly or in the
   * middle of an element): the caller must then parse the stored blob instead.
   *
   * @throws IOException if the data set is malformed within a prefix that is the whole data set
   */
  public static Optional<Header> parsePrefix(byte[] prefix, long datasetLength,
      String transferSyntaxUid) throws IOException {
    boolean truncated = datasetLength > prefix.length;
    CountingInput in = new CountingInput(prefix);
    try {
      Header header = parse(in, datasetLength, transferSyntaxUid);
      return truncated && in.exhausted() ? Optional.empty() : Optional.of(header);
    } catch (IOException e) {
      if (truncated) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Longest attribute value copied into an event, in chars. The standard caps these VRs at 64 (LO,
   * PN per group) or less, multi-values aside; a sender ignoring that must not bloat the journal.
   * The blob keeps the full value.
   */
  public static final int MAX_VALUE_CHARS = 1024;

  static Header toHeader(Dataset ds) {
    Map<String, String> attributes = new HashMap<>();
    for (IndexedAttributes.Attribute a : IndexedAttributes.all().values()) {
      String v = ds.getString(a.tag());
      if (v != null && !v.isEmpty()) {
        attributes.put(a.keyword(),
            v.length() > MAX_VALUE_CHARS ? v.substring(0, MAX_VALUE_CHARS) : v);
      }
    }
    return new Header(
        ds.getString(IndexedAttributes.SOP_CLASS_UID),
        ds.getString(IndexedAttributes.SOP_INSTANCE_UID),
        ds.getString(IndexedAttributes.STUDY_INSTANCE_UID),
        ds.getString(IndexedAttributes.SERIES_INSTANCE_UID),
        attributes);
  }

  /** A byte array stream that can tell whether the reader reached its end. */
  private static final class CountingInput extends java.io.ByteArrayInputStream {
    CountingInput(byte[] bytes) {
      super(bytes);
    }

    boolean exhausted() {
      return pos >= count;
    }
  }
}
