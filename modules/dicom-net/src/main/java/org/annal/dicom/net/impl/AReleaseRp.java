// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/** A-RELEASE-RP PDU (PS3.8 §9.3.7, Table 9-25): no parameters. Internal API. */
public record AReleaseRp() implements Pdu {}
