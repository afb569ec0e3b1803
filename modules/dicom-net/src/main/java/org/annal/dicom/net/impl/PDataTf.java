// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.List;

/** P-DATA-TF PDU (PS3.8 §9.3.5, Table 9-22): one or more presentation data values. Internal API. */
public record PDataTf(List<PresentationDataValue> values) implements Pdu {
  public PDataTf {
    values = List.copyOf(values);
  }

  /** Bytes this PDU takes on the wire after its 6-byte header (the PDU-length field). */
  public int pduLength() {
    int length = 0;
    for (PresentationDataValue value : values) {
      length += 4 + 2 + value.value().size();
    }
    return length;
  }
}
