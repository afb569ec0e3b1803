// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/**
 * A-ABORT PDU (PS3.8 §9.3.8, Table 9-26). Internal API.
 *
 * @param source 0 service-user initiated, 2 service-provider initiated
 * @param reason for source 2: 0 not specified, 1 unrecognized PDU, 2 unexpected PDU, 4
 *     unrecognized PDU parameter, 5 unexpected PDU parameter, 6 invalid PDU parameter value
 */
public record AAbort(int source, int reason) implements Pdu {
  public static final int SOURCE_SERVICE_USER = 0;
  public static final int SOURCE_SERVICE_PROVIDER = 2;
  public static final int REASON_NOT_SPECIFIED = 0;
  public static final int REASON_UNRECOGNIZED_PDU = 1;
  public static final int REASON_UNEXPECTED_PDU = 2;
  public static final int REASON_UNRECOGNIZED_PDU_PARAMETER = 4;
  public static final int REASON_UNEXPECTED_PDU_PARAMETER = 5;
  public static final int REASON_INVALID_PDU_PARAMETER_VALUE = 6;

  /** A service-provider abort (source 2) with the given reason. */
  public static AAbort provider(int reason) {
    return new AAbort(SOURCE_SERVICE_PROVIDER, reason);
  }

  /** A service-user abort (source 0, reason not significant). */
  public static AAbort user() {
    return new AAbort(SOURCE_SERVICE_USER, REASON_NOT_SPECIFIED);
  }
}
