// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import java.util.Map;
import java.util.Objects;

/**
 * Everything the archive learned about one received instance once its blob was durable: what it
 * is, its checksums, where its blob lives, who sent it and the attributes the query index needs.
 * Carried by {@link Study.RecordInstance} and, unchanged, by the events it produces.
 *
 * <p>Two checksums, on purpose: {@code sha256} covers the whole blob (the PS3.10 file Annal wrote,
 * File Meta Information included) and is what {@code annal verify} re-checks; {@code
 * datasetSha256} covers only the data set bytes as the peer sent them, and is what decides whether
 * a second copy of a SOP Instance UID is "identical" (the meta header names the sending AE, so the
 * same data set sent by two modalities gives two different blob checksums).
 *
 * @param studyInstanceUid Study Instance UID (0020,000D): the entity id
 * @param seriesInstanceUid Series Instance UID (0020,000E)
 * @param sopInstanceUid SOP Instance UID (0008,0018)
 * @param sopClassUid SOP Class UID (0008,0016)
 * @param transferSyntaxUid the transfer syntax of the stored data set
 * @param size blob size in bytes (meta header + data set)
 * @param sha256 SHA-256 of the blob, lower-case hex
 * @param datasetSha256 SHA-256 of the data set bytes alone, lower-case hex
 * @param placement where the blob is
 * @param source who sent it
 * @param receivedAt when the data set had been received and stored, UTC epoch milliseconds
 * @param attributes patient/study/series/instance attributes for the query index, keyed by DICOM
 *     keyword (PS3.6 §6), values as {@code Dataset.getString} gives them (decoded, multi-values
 *     joined by {@code \}); absent attributes are left out. See EVENTS.md for the list.
 */
public record ReceivedInstance(
    String studyInstanceUid,
    String seriesInstanceUid,
    String sopInstanceUid,
    String sopClassUid,
    String transferSyntaxUid,
    long size,
    String sha256,
    String datasetSha256,
    Placement placement,
    Sender source,
    long receivedAt,
    Map<String, String> attributes)
    implements CborSerializable {

  public ReceivedInstance {
    Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
    Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
    Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
    Objects.requireNonNull(sopClassUid, "sopClassUid");
    Objects.requireNonNull(transferSyntaxUid, "transferSyntaxUid");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(datasetSha256, "datasetSha256");
    Objects.requireNonNull(placement, "placement");
    Objects.requireNonNull(source, "source");
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
