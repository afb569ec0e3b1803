// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.Set;
import org.annal.dicom.StorageSopClasses;
import org.annal.dicom.TransferSyntax;
import org.annal.dicom.Uid;

/**
 * Resolves the accepted-syntax settings: explicit UIDs plus the tokens {@code "verification"}
 * (1.2.840.10008.1.1), {@code "storage"} (the storage SOP classes of PS3.4 Annex B.5, as
 * {@link StorageSopClasses} lists them) and {@code "standard"} (every transfer syntax of PS3.6
 * Annex A, as {@link TransferSyntax#ALL_STANDARD} lists them). Internal API.
 */
public final class SyntaxPolicy {
  private SyntaxPolicy() {}

  public static final String VERIFICATION_TOKEN = "verification";
  public static final String STORAGE_TOKEN = "storage";
  public static final String STANDARD_TOKEN = "standard";

  public static boolean acceptsSopClass(Set<String> accepted, String uid) {
    if (accepted.contains(uid)) {
      return true;
    }
    if (accepted.contains(VERIFICATION_TOKEN) && Uid.VERIFICATION.equals(uid)) {
      return true;
    }
    return accepted.contains(STORAGE_TOKEN) && isStorageSopClass(uid);
  }

  public static boolean acceptsTransferSyntax(Set<String> accepted, String uid) {
    if (accepted.contains(uid)) {
      return true;
    }
    return accepted.contains(STANDARD_TOKEN) && TransferSyntax.of(uid) != null;
  }

  /** Storage SOP classes as the dicom module lists them (PS3.4 B.5, retired ones included). */
  static boolean isStorageSopClass(String uid) {
    return StorageSopClasses.isStorage(uid);
  }
}
