// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

/**
 * Presentation Context Item of an A-ASSOCIATE-AC (item type 21h, PS3.8 §9.3.3.2, Table 9-18).
 * Internal API.
 *
 * @param result 0 acceptance, 1 user-rejection, 2 no-reason (provider rejection), 3 abstract
 *     syntax not supported (provider rejection), 4 transfer syntaxes not supported (provider
 *     rejection)
 * @param transferSyntax the accepted transfer syntax; not significant unless result is 0
 */
public record PresentationContextAc(int id, int result, String transferSyntax) {
  public static final int ACCEPTANCE = 0;
  public static final int USER_REJECTION = 1;
  public static final int NO_REASON = 2;
  public static final int ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
  public static final int TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

  public boolean isAccepted() {
    return result == ACCEPTANCE;
  }
}
