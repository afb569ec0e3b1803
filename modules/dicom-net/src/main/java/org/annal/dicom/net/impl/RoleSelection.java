// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/**
 * SCP/SCU Role Selection sub-item (54h, PS3.7 Annex D.3.3.4). Internal API.
 *
 * @param sopClassUid the SOP class the roles apply to
 * @param scuRole in an RQ: 1 the requestor proposes to be SCU; in an AC: 1 accepted
 * @param scpRole in an RQ: 1 the requestor proposes to be SCP; in an AC: 1 accepted
 */
public record RoleSelection(String sopClassUid, int scuRole, int scpRole) {}
