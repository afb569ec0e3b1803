// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/**
 * The command fields of a C-FIND-RQ (PS3.7 §9.3.2.1, Table 9.3-3) a query handler needs.
 *
 * @param messageId Message ID (0000,0110)
 * @param affectedSopClassUid Affected SOP Class UID (0000,0002): the information model
 *     (Patient Root or Study Root, {@link QueryRetrieveSopClasses})
 * @param priority Priority (0000,0700): 0 medium, 1 high, 2 low
 * @param transferSyntaxUid the transfer syntax of the presentation context (identifiers are
 *     read and written in it)
 */
public record CFindRq(int messageId, String affectedSopClassUid, int priority,
    String transferSyntaxUid) {}
