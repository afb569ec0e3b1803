// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.List;

/**
 * User Information item (50h, PS3.8 §9.3.2.3 and PS3.7 Annex D.3.3) with the sub-items Annal
 * reads and writes; other sub-items (extended negotiation, user identity) are skipped on decode.
 * Internal API.
 *
 * @param maximumLength Maximum Length sub-item (51h, PS3.8 Annex D.1): the largest P-DATA-TF
 *     PDU-length the sender of this item will receive; 0 = no limit
 * @param implementationClassUid Implementation Class UID (52h, PS3.7 D.3.3.2)
 * @param implementationVersionName Implementation Version Name (55h, PS3.7 D.3.3.2), or null
 * @param maxOperationsInvoked Asynchronous Operations Window (53h, PS3.7 D.3.3.3), or null if absent
 * @param maxOperationsPerformed ditto
 * @param roleSelections SCP/SCU Role Selection sub-items (54h, PS3.7 D.3.3.4)
 */
public record UserInformation(
    long maximumLength,
    String implementationClassUid,
    String implementationVersionName,
    Integer maxOperationsInvoked,
    Integer maxOperationsPerformed,
    List<RoleSelection> roleSelections) {

  public UserInformation {
    roleSelections = List.copyOf(roleSelections);
  }
}
