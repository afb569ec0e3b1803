// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.annal.dicom.Dataset;
import org.annal.dicom.json.impl.DatasetJsonWriter;
import org.annal.dicom.json.impl.JsonDatasetReader;
import org.annal.dicom.json.impl.JsonWriter;

/**
 * The DICOM JSON Model (PS3.18 Annex F): data sets to and from JSON, for DICOMweb (QIDO-RS
 * answers, WADO-RS metadata, STOW-RS of JSON).
 *
 * <h2>Writing (PS3.18 §F.2)</h2>
 * <ul>
 *   <li>One member per element, named by the tag as 8 upper-case hex digits, in ascending tag
 *       order (§F.2.2); File Meta Information (group 0002) and group lengths (gggg,0000) are left
 *       out. Each member has {@code "vr"}, then at most one of {@code "Value"},
 *       {@code "InlineBinary"}, {@code "BulkDataURI"}; none when the element is empty (§F.2.5).
 *   <li>Text is decoded with the Specific Character Set in force (PS3.5 §6.1) and written as UTF-8
 *       (RFC 8259); (0008,0005) itself is kept as it was (§F.2.2 note 3; dcm2json rewrites it to
 *       "ISO_IR 192"). Multi-valued VRs are split at the 05/12 byte (§F.2.4: '\', or '¥' read
 *       through JIS X 0201); LT, ST, UT and UR are single-valued. Padding is removed: leading and
 *       trailing spaces (only trailing for LT, ST, UT, whose leading spaces are significant,
 *       PS3.5 §6.2), trailing NUL of UI. An empty value among several is {@code null} (§F.2.5).
 *   <li>PN values are objects with the non-empty component groups {@code Alphabetic},
 *       {@code Ideographic}, {@code Phonetic} (§F.2.2), each as written (e.g. "Doe^John^^Dr"). A
 *       group of delimiters only ("^^^^") is empty, and a name whose groups are all empty is an
 *       empty value, as dcm2json reads it.
 *   <li>IS and DS are JSON numbers (§F.2.3): the value's own text when it is already a valid JSON
 *       number (no precision lost), else its normalized decimal form ({@code "+1.5"} → 1.5,
 *       {@code ".5"} → 0.5, {@code "007"} → 7). A value that is not a decimal number at all
 *       (e.g. {@code "NaN"}, {@code "1,5"}) is written as a JSON string of its text, as Table
 *       F.2.3-1's note allows for IS and DS to keep the original format (dcm2json does the same).
 *   <li>US, SS, UL, SL, FL, FD, SV, UV are JSON numbers. SV and UV beyond ±(2^53−1), which a
 *       JavaScript number cannot hold exactly, are written as strings (Table F.2.3-1 note).
 *       Non-finite FL/FD values (NaN, ±Infinity), which JSON numbers cannot express, are written
 *       as the strings "NaN", "Infinity", "-Infinity". A trailing partial value (a value field
 *       whose length is not a multiple of the VR's size) is ignored. AT values are strings
 *       "GGGGEEEE".
 *   <li>SQ values are arrays of nested objects, an empty item being {@code {}}. A UN element of
 *       undefined length, which PS3.5 §6.2.2 makes a sequence of Implicit VR items, is written as
 *       SQ, as DCMTK's dcm2json does.
 *   <li>OB, OD, OF, OL, OV, OW, UN: {@code "InlineBinary"} (base64 of the little-endian value,
 *       §F.2.7; an odd length, which PS3.5 forbids, padded with a NUL) when the value length is
 *       at most {@link Options#inlineBinaryLimit()} or there is no {@link BulkDataUris}, else
 *       {@code "BulkDataURI"} (§F.2.6) from the callback; a callback answer of null means
 *       "inline". Encapsulated Pixel Data (PS3.5 §A.4) is always a BulkDataURI when a callback is
 *       given; without one its value is <em>left out</em> (only {@code "vr"} is written), because
 *       base64 of the concatenated fragments would be neither the native pixels nor a decodable
 *       encapsulated stream.
 * </ul>
 *
 * <h2>Reading</h2>
 * See {@link #read(InputStream, BulkDataResolver)}. All methods are stateless and thread-safe.
 */
public final class DicomJson {
  private DicomJson() {}

  /**
   * How binary values are written.
   *
   * @param inlineBinaryLimit the largest value length, in bytes, written as InlineBinary when a
   *     {@link BulkDataUris} is given
   * @param bulkData gives the BulkDataURI of larger values; null: every value inline (and
   *     encapsulated Pixel Data left out)
   */
  public record Options(int inlineBinaryLimit, BulkDataUris bulkData) {
    /** Everything InlineBinary, no BulkDataURI. */
    public static final Options INLINE_ALL = new Options(Integer.MAX_VALUE, null);

    public Options {
      if (inlineBinaryLimit < 0) {
        throw new IllegalArgumentException("inlineBinaryLimit must not be negative");
      }
    }
  }

  /**
   * Gives the BulkDataURI of a binary element; tagPath is e.g. "7FE00010" or, inside sequences,
   * "00540016.0.00181072" (tags as 8 upper-case hex digits, item index 0-based, joined by '.').
   * Returning null writes the value as InlineBinary instead.
   */
  @FunctionalInterface
  public interface BulkDataUris {
    String uriFor(String tagPath);
  }

  /**
   * Supplies the value behind a BulkDataURI met while reading (PS3.18 §F.2.6), e.g. from the other
   * parts of a STOW-RS request.
   */
  @FunctionalInterface
  public interface BulkDataResolver {
    /**
     * The value field (little-endian for binary VRs) behind {@code uri}.
     *
     * @param tagPath where the element is, in the form {@link BulkDataUris} receives
     * @throws IOException if it cannot be obtained; reading then fails with it
     */
    byte[] resolve(String tagPath, String uri) throws IOException;
  }

  /** Refuses every BulkDataURI: JSON that has any cannot be read without the bulk data. */
  public static final BulkDataResolver NO_BULK_DATA = (tagPath, uri) -> {
    throw new IOException("BulkDataURI of " + tagPath + " (" + uri
        + ") cannot be resolved: no bulk data given");
  };

  /** One data set as a JSON object {"00100010":{"vr":"PN","Value":[{"Alphabetic":"..."}]}, ...}. */
  public static void write(Dataset dataset, OutputStream out, Options options) throws IOException {
    Writer w = utf8(out);
    JsonWriter json = new JsonWriter(w);
    new DatasetJsonWriter(json, options).write(dataset);
    json.flush();
  }

  /** A JSON array of data sets (QIDO-RS and WADO-RS metadata answers). */
  public static void writeArray(List<Dataset> datasets, OutputStream out, Options options)
      throws IOException {
    Writer w = utf8(out);
    JsonWriter json = new JsonWriter(w);
    DatasetJsonWriter writer = new DatasetJsonWriter(json, options);
    json.beginArray();
    for (Dataset d : datasets) {
      writer.write(d);
    }
    json.endArray();
    json.flush();
  }

  /** The JSON object of one data set, as a string. */
  public static String toJson(Dataset dataset, Options options) {
    StringWriter sw = new StringWriter();
    JsonWriter json = new JsonWriter(sw);
    try {
      new DatasetJsonWriter(json, options).write(dataset);
      json.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not throw
    }
    return sw.toString();
  }

  /** The reverse (for tests and a later STOW-RS of JSON): JSON object -> Dataset. */
  public static Dataset read(InputStream in) throws IOException {
    return read(in, NO_BULK_DATA);
  }

  /**
   * Reads one DICOM JSON object (UTF-8) into a data set.
   *
   * <p>Text values are encoded with the Specific Character Set the JSON declares in (0008,0005),
   * as §F.2.2 note 3 intends. If a value cannot be represented in it (or it uses ISO 2022 code
   * extensions, which this encoder does not write), the data set is written in UTF-8 instead:
   * every (0008,0005) becomes "ISO_IR 192", and the top level gets one if it had none. IS and DS
   * take the number's JSON text (or the string given). Binary VRs take InlineBinary, or the bytes
   * {@code bulkData} gives for a BulkDataURI. Sequences are encoded with undefined length.
   *
   * @throws IOException on malformed JSON or input that is not a DICOM JSON object (unknown VR,
   *     bad tag, a value of the wrong JSON type, a number out of the VR's range, bad base64), with
   *     the tag path of the offending element
   */
  public static Dataset read(InputStream in, BulkDataResolver bulkData) throws IOException {
    return JsonDatasetReader.readObject(in, bulkData);
  }

  /** Reads a JSON array of DICOM JSON objects (the form {@link #writeArray} writes). */
  public static List<Dataset> readArray(InputStream in, BulkDataResolver bulkData)
      throws IOException {
    return JsonDatasetReader.readArray(in, bulkData);
  }

  /** Reads a data set from its JSON text; see {@link #read(InputStream, BulkDataResolver)}. */
  public static Dataset fromJson(String json) throws IOException {
    return read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), NO_BULK_DATA);
  }

  private static Writer utf8(OutputStream out) {
    return new java.io.BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 8192);
  }
}
