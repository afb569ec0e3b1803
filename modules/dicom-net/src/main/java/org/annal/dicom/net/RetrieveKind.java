// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/** Which retrieve service: C-MOVE (PS3.4 C.4.2, to a third AE) or C-GET (C.4.3, same one). */
public enum RetrieveKind {
  MOVE,
  GET
}
