// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PersistentMapTest {

  @Test
  void behavesAsAnImmutableMapAndPlusLeavesTheOriginal() {
    PersistentMap<String, Integer> m = PersistentMap.empty();
    Map<String, Integer> reference = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      PersistentMap<String, Integer> next = m.plus("k" + i, i);
      assertEquals(i, m.size(), "original unchanged");
      m = next;
      reference.put("k" + i, i);
    }
    m = m.plus("k7", 70);
    reference.put("k7", 70);
    assertEquals(reference, m);
    assertEquals(m, reference);
    assertEquals(reference.hashCode(), m.hashCode());
    assertEquals(70, m.get("k7"));
    assertNull(m.get("nope"));
    assertNull(m.get(null));
    assertTrue(m.containsKey("k2999"));
    assertFalse(m.containsKey("k3000"));
    PersistentMap<String, Integer> frozen = m;
    assertThrows(UnsupportedOperationException.class, () -> frozen.put("x", 1));
    assertThrows(NullPointerException.class, () -> frozen.plus("x", null));
  }

  @Test
  void copyOfIsIdentityForPersistentMaps() {
    PersistentMap<String, String> m = PersistentMap.copyOf(Map.of("a", "1"));
    assertSame(m, PersistentMap.copyOf(m));
    assertEquals(Map.of("a", "1"), m);
  }

  @Test
  void jacksonWritesItAsAPlainMap() throws Exception {
    PersistentMap<String, String> m = PersistentMap.<String, String>empty().plus("b", "2")
        .plus("a", "1");
    ObjectMapper mapper = new ObjectMapper();
    assertEquals(Map.of("a", "1", "b", "2"),
        mapper.readValue(mapper.writeValueAsString(m), Map.class));
  }
}
