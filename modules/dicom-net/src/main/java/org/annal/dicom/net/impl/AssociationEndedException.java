// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/**
 * What the handler's data set stream fails with when the association ends (abort, close, release)
 * before the data set does: a handler must never report such a data set stored. Internal API.
 */
public final class AssociationEndedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AssociationEndedException(String message) {
    super(message);
  }
}
