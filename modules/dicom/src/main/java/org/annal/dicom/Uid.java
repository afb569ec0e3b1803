// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

/**
 * Well-known UIDs from PS3.6 Annex A (registry of DICOM unique identifiers).
 *
 * <p>Transfer syntaxes and SOP classes that the rest of Annal names in code. The full storage SOP
 * class list is in {@link StorageSopClasses}; transfer syntax properties in {@link TransferSyntax}.
 */
public final class Uid {
  private Uid() {}

  // Transfer syntaxes (PS3.5 §10 and Annex A)
  public static final String IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
  public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
  public static final String DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1.99";
  public static final String EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2";

  // Application context (PS3.7 Annex A.2.1)
  public static final String DICOM_APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";

  // SOP classes
  public static final String VERIFICATION = "1.2.840.10008.1.1";
  public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
  public static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";
  public static final String SECONDARY_CAPTURE_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.7";

  /** Annal's implementation class UID (PS3.7 D.3.3.2), under the 2.25 UUID-derived root. */
  public static final String ANNAL_IMPLEMENTATION_CLASS = "2.25.147469350171726958296347040286146426523";

  public static final String ANNAL_IMPLEMENTATION_VERSION = "ANNAL_010";
}
