// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {
  @TempDir Path temp;

  @Test
  void firstRunRemembersTheFallbackAndLaterRunsKeepIt() throws Exception {
    assertEquals("host-a", NodeIdentity.resolve(temp, "", "host-a"));
    assertEquals("host-a\n", Files.readString(temp.resolve(NodeIdentity.FILE_NAME)));
    // The host was renamed: the data dir still belongs to the node it was.
    assertEquals("host-a", NodeIdentity.resolve(temp, "", "host-b"));
  }

  @Test
  void configuredIdWinsAndIsRememberedWhenNothingWas() throws Exception {
    assertEquals("node-7", NodeIdentity.resolve(temp, "node-7", "host-a"));
    assertEquals("node-7", NodeIdentity.resolve(temp, "", "host-a"));
    assertEquals("node-8", NodeIdentity.resolve(temp, "node-8", "host-a"));
    assertEquals("node-7\n", Files.readString(temp.resolve(NodeIdentity.FILE_NAME)),
        "an explicit id does not rewrite the remembered one");
  }
}
