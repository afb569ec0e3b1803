// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/**
 * Bytes that are not a valid PDU (PS3.8 §9.2 Evt19): the A-ABORT reason to answer with (PS3.8
 * Table 9-26: 1 unrecognized PDU, 4 unrecognized PDU parameter, 6 invalid PDU parameter value) and
 * a message for the log. Internal API.
 */
public record MalformedPdu(int reason, String message) implements Pdu {}
