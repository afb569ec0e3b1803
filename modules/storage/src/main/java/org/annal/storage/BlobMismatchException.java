// SPDX-License-Identifier: Apache-2.0
package org.annal.storage;

/** A blob whose bytes are not the ones written: another size or another SHA-256. */
public final class BlobMismatchException extends RuntimeException {
  private final BlobKey key;
  private final long actualSize;
  private final String actualSha256;

  public BlobMismatchException(BlobKey key, long expectedSize, String expectedSha256,
      long actualSize, String actualSha256) {
    super("blob " + key.value() + " is " + actualSize + " bytes with SHA-256 " + actualSha256
        + ", expected " + expectedSize + " bytes with SHA-256 " + expectedSha256);
    this.key = key;
    this.actualSize = actualSize;
    this.actualSha256 = actualSha256;
  }

  public BlobKey key() {
    return key;
  }

  public long actualSize() {
    return actualSize;
  }

  public String actualSha256() {
    return actualSha256;
  }
}
