// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Internal API. SHA-256 helpers; hex is lower case everywhere in Annal. */
public final class Sha256 {
  private Sha256() {}

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  public static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  public static String of(byte[] bytes) {
    return hex(newDigest().digest(bytes));
  }
}
