// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

/**
 * An instance as the query index knows it: enough for C-MOVE / C-GET to fetch and send its blob.
 *
 * @param studyInstanceUid Study Instance UID
 * @param seriesInstanceUid Series Instance UID
 * @param sopInstanceUid SOP Instance UID
 * @param sopClassUid SOP Class UID
 * @param transferSyntaxUid transfer syntax of the stored data set
 * @param size blob size in bytes
 * @param sha256 SHA-256 of the blob
 * @param nodeId node that owns the blob
 * @param blobKey the blob's key in that node's store
 */
public record IndexedInstance(
    String studyInstanceUid,
    String seriesInstanceUid,
    String sopInstanceUid,
    String sopClassUid,
    String transferSyntaxUid,
    long size,
    String sha256,
    String nodeId,
    String blobKey) {}
