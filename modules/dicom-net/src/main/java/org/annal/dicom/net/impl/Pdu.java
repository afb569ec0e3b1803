// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/**
 * A protocol data unit of the DICOM upper layer (PS3.8 §9.3). Internal API.
 *
 * <p>{@link MalformedPdu} never travels on the wire: it is what the framing stage hands the state
 * machine for "unrecognized or invalid PDU received" (Evt19, PS3.8 §9.2, Table 9-10).
 */
public sealed interface Pdu
    permits AAssociateRq, AAssociateAc, AAssociateRj, PDataTf, AReleaseRq, AReleaseRp, AAbort,
        MalformedPdu {}
