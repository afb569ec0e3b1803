// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import java.util.regex.Pattern;

/**
 * The UID value rules of PS3.5 §9.1: at most 64 characters, components of digits separated by
 * '.', no empty component. Leading zeros in a component, which §9.1 forbids, are tolerated, as the
 * archive's C-STORE handler tolerates them (seen in the wild): a study it stored must be readable.
 */
public final class UidSyntax {
  private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");

  private UidSyntax() {}

  public static boolean isValid(String uid) {
    return uid != null && uid.length() <= 64 && UID.matcher(uid).matches();
  }
}
