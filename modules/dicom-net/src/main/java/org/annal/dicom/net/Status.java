// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/** DIMSE status codes, named as PS3.7 Annex C and PS3.4 (Storage: B.2.3, Table B.2-1) name them. */
public final class Status {
  private Status() {}

  public static final int SUCCESS = 0x0000;
  public static final int CANCEL = 0xFE00;
  public static final int PENDING = 0xFF00;
  public static final int PENDING_WARNING = 0xFF01;

  // PS3.7 C.5 general failures
  public static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
  public static final int CLASS_INSTANCE_CONFLICT = 0x0119;
  public static final int DUPLICATE_INVOCATION = 0x0210;
  public static final int MISTYPED_ARGUMENT = 0x0212;
  public static final int UNRECOGNIZED_OPERATION = 0x0211;
  public static final int PROCESSING_FAILURE = 0x0110;
  public static final int NOT_AUTHORIZED = 0x0124;

  // PS3.4 Table B.2-1, C-STORE
  /** Refused: Out of Resources (A7xx). */
  public static final int OUT_OF_RESOURCES = 0xA700;
  /** Error: Data Set Does Not Match SOP Class (A9xx). */
  public static final int DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
  /** Error: Cannot Understand (Cxxx). */
  public static final int CANNOT_UNDERSTAND = 0xC000;
  /** Warning: Coercion of Data Elements. */
  public static final int COERCION_OF_DATA_ELEMENTS = 0xB000;
  /** Warning: Data Set Does Not Match SOP Class. */
  public static final int DATA_SET_DOES_NOT_MATCH_SOP_CLASS_WARNING = 0xB007;
  /** Warning: Elements Discarded. */
  public static final int ELEMENTS_DISCARDED = 0xB006;
}
