// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.List;

/**
 * A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2, Table 9-11). Internal API.
 *
 * @param protocolVersion bit 0 = version 1, the only one defined
 * @param calledAeTitle trimmed of its space padding
 * @param callingAeTitle trimmed of its space padding
 * @param applicationContextName item 10h (PS3.7 Annex A.2.1)
 * @param presentationContexts items 20h
 * @param userInformation item 50h
 */
public record AAssociateRq(
    int protocolVersion,
    String calledAeTitle,
    String callingAeTitle,
    String applicationContextName,
    List<PresentationContextRq> presentationContexts,
    UserInformation userInformation) implements Pdu {

  public AAssociateRq {
    presentationContexts = List.copyOf(presentationContexts);
  }
}
