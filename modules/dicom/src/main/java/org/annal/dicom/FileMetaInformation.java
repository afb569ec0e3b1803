// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

/**
 * The File Meta Information of a DICOM file, group 0002 (PS3.10 §7.1).
 *
 * @param mediaStorageSopClassUid (0002,0002)
 * @param mediaStorageSopInstanceUid (0002,0003)
 * @param transferSyntaxUid (0002,0010): the transfer syntax of the data set that follows
 * @param implementationClassUid (0002,0012)
 * @param implementationVersionName (0002,0013), or null
 * @param sourceApplicationEntityTitle (0002,0016), or null
 */
public record FileMetaInformation(
    String mediaStorageSopClassUid,
    String mediaStorageSopInstanceUid,
    String transferSyntaxUid,
    String implementationClassUid,
    String implementationVersionName,
    String sourceApplicationEntityTitle) {

  /** Meta information written by Annal for an instance it received. */
  public static FileMetaInformation of(
      String sopClassUid, String sopInstanceUid, String transferSyntaxUid, String sourceAeTitle) {
    return new FileMetaInformation(sopClassUid, sopInstanceUid, transferSyntaxUid,
        Uid.ANNAL_IMPLEMENTATION_CLASS, Uid.ANNAL_IMPLEMENTATION_VERSION, sourceAeTitle);
  }

  /**
   * The 128-byte zero preamble, "DICM", and group 0002 in Explicit VR Little Endian, starting with
   * its File Meta Information Group Length (0002,0000), as PS3.10 §7.1 requires.
   */
  public byte[] encode() {
    return Part10.encodeHeader(this);
  }
}
