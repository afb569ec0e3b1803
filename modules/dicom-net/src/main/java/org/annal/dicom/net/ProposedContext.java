// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.List;

/**
 * A presentation context an SCU proposes (PS3.8 §9.3.2.2): one abstract syntax (SOP class) and the
 * transfer syntaxes it can send it in, preferred first.
 */
public record ProposedContext(String abstractSyntax, List<String> transferSyntaxes) {
  public ProposedContext {
    transferSyntaxes = List.copyOf(transferSyntaxes);
    if (transferSyntaxes.isEmpty()) {
      throw new IllegalArgumentException("at least one transfer syntax for " + abstractSyntax);
    }
  }

  public static ProposedContext of(String abstractSyntax, String... transferSyntaxes) {
    return new ProposedContext(abstractSyntax, List.of(transferSyntaxes));
  }
}
