// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/**
 * The command fields of a C-STORE-RQ (PS3.7 §9.3.1.1) that a storage handler needs.
 *
 * @param messageId Message ID (0000,0110)
 * @param affectedSopClassUid Affected SOP Class UID (0000,0002)
 * @param affectedSopInstanceUid Affected SOP Instance UID (0000,1000)
 * @param priority Priority (0000,0700): 0 medium, 1 high, 2 low
 * @param moveOriginatorAeTitle Move Originator Application Entity Title (0000,1030), or null
 * @param moveOriginatorMessageId Move Originator Message ID (0000,1031), or null
 */
public record CStoreRq(
    int messageId,
    String affectedSopClassUid,
    String affectedSopInstanceUid,
    int priority,
    String moveOriginatorAeTitle,
    Integer moveOriginatorMessageId) {}
