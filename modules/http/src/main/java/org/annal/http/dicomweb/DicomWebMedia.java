// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.util.Map;
import org.annal.dicom.Uid;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaTypes;

/** Media types of PS3.18 §8.7 (Table 8.7.3-2 .. 8.7.4-2) as this server uses them. */
public final class DicomWebMedia {
  private DicomWebMedia() {}

  public static final String APPLICATION_DICOM = "application/dicom";
  public static final String DICOM_JSON_TYPE = "application/dicom+json";
  public static final String OCTET_STREAM = "application/octet-stream";

  public static final ContentType DICOM_JSON =
      ContentTypes.create(MediaTypes.applicationBinary("dicom+json", true));
  public static final ContentType DICOM =
      ContentTypes.create(MediaTypes.applicationBinary("dicom", false));
  public static final ContentType JPEG = ContentTypes.create(MediaTypes.IMAGE_JPEG);
  public static final ContentType PNG = ContentTypes.create(MediaTypes.IMAGE_PNG);

  /** Media type of a compressed frame by transfer syntax (PS3.18 Table 8.7.4-2). */
  private static final Map<String, String> FRAME_TYPES = Map.ofEntries(
      Map.entry("1.2.840.10008.1.2.4.50", "image/jpeg"),
      Map.entry("1.2.840.10008.1.2.4.51", "image/jpeg"),
      Map.entry("1.2.840.10008.1.2.4.57", "image/jpeg"),
      Map.entry("1.2.840.10008.1.2.4.70", "image/jpeg"),
      Map.entry("1.2.840.10008.1.2.4.80", "image/jls"),
      Map.entry("1.2.840.10008.1.2.4.81", "image/jls"),
      Map.entry("1.2.840.10008.1.2.4.90", "image/jp2"),
      Map.entry("1.2.840.10008.1.2.4.91", "image/jp2"),
      Map.entry("1.2.840.10008.1.2.4.92", "image/jpx"),
      Map.entry("1.2.840.10008.1.2.4.93", "image/jpx"),
      Map.entry("1.2.840.10008.1.2.5", "image/x-dicom-rle"));

  /** The media type a frame stored in {@code transferSyntaxUid} is sent as, as stored. */
  public static String frameType(String transferSyntaxUid, boolean encapsulated) {
    return encapsulated ? FRAME_TYPES.getOrDefault(transferSyntaxUid, OCTET_STREAM) : OCTET_STREAM;
  }

  /** Uncompressed frames and bulk data go out little endian explicit (PS3.18 §8.7.3.5.2). */
  public static final String NATIVE_SYNTAX = Uid.EXPLICIT_VR_LITTLE_ENDIAN;
}
