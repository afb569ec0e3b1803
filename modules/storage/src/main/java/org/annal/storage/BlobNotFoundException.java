// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

/** No blob under that key. */
public final class BlobNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BlobNotFoundException(BlobKey key) {
    super("no blob " + key);
  }
}
