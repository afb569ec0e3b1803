// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.List;

/**
 * A-ASSOCIATE-AC PDU (PS3.8 §9.3.3, Table 9-17). The AE title fields are returned as received in
 * the RQ but "shall not be tested" (PS3.8 §9.3.3). Internal API.
 */
public record AAssociateAc(
    int protocolVersion,
    String calledAeTitle,
    String callingAeTitle,
    String applicationContextName,
    List<PresentationContextAc> presentationContexts,
    UserInformation userInformation) implements Pdu {

  public AAssociateAc {
    presentationContexts = List.copyOf(presentationContexts);
  }
}
