// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.util.List;

/**
 * Presentation Context Item of an A-ASSOCIATE-RQ (item type 20h, PS3.8 §9.3.2.2): one abstract
 * syntax and the transfer syntaxes proposed for it. Internal API.
 */
public record PresentationContextRq(int id, String abstractSyntax, List<String> transferSyntaxes) {
  public PresentationContextRq {
    transferSyntaxes = List.copyOf(transferSyntaxes);
  }
}
