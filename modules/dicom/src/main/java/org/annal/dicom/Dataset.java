// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

/** A DICOM data set (PS3.5 §7): elements in ascending tag order, sequences holding nested data sets. */
public final class Dataset {

  /**
   * The value of a text or UID element decoded with this data set's Specific Character Set
   * (0008,0005), trailing padding (space or NUL) removed, multiple values joined by '\'; a number
   * element's value as text. Null if the element is absent.
   */
  public String getString(int tag) {
    throw new UnsupportedOperationException("TODO");
  }

  public boolean contains(int tag) {
    throw new UnsupportedOperationException("TODO");
  }
}
