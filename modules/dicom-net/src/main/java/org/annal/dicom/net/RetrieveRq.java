// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/**
 * The command fields of a C-MOVE-RQ (PS3.7 §9.3.4.1) or C-GET-RQ (§9.3.3.1) a retrieve handler
 * needs.
 *
 * @param kind MOVE or GET
 * @param messageId Message ID (0000,0110)
 * @param affectedSopClassUid Affected SOP Class UID (0000,0002): the information model
 * @param priority Priority (0000,0700)
 * @param moveDestination Move Destination (0000,0600), null for C-GET
 * @param transferSyntaxUid the transfer syntax of the presentation context of the request
 */
public record RetrieveRq(RetrieveKind kind, int messageId, String affectedSopClassUid,
    int priority, String moveDestination, String transferSyntaxUid) {}
