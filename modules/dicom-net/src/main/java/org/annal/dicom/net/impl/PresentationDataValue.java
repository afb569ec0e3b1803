// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import org.apache.pekko.util.ByteString;

/**
 * A Presentation Data Value item (PS3.8 §9.3.5.1) with its message control header (PS3.8 Annex
 * E.2): bit 0 set = command fragment (else data set), bit 1 set = last fragment. Internal API.
 */
public record PresentationDataValue(int presentationContextId, int messageControlHeader,
    ByteString value) {

  public static final int COMMAND = 0x01;
  public static final int LAST = 0x02;

  public static PresentationDataValue of(int contextId, boolean command, boolean last,
      ByteString value) {
    return new PresentationDataValue(contextId, (command ? COMMAND : 0) | (last ? LAST : 0), value);
  }

  public boolean isCommand() {
    return (messageControlHeader & COMMAND) != 0;
  }

  public boolean isLast() {
    return (messageControlHeader & LAST) != 0;
  }
}
