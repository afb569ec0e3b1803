// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/** A-RELEASE-RQ PDU (PS3.8 §9.3.6, Table 9-24): no parameters. Internal API. */
public record AReleaseRq() implements Pdu {}
