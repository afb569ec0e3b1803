// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterNodesTest {
  @Test
  void rolesAddNodeIdAndInternalUrlToTheConfiguredOnes() {
    assertEquals(List.of("dicom", "annal-node=node-a", "annal-internal=http://10.0.0.1:8080"),
        ClusterNodes.roles(List.of("dicom"), "node-a", "http://10.0.0.1:8080"));
    assertEquals(List.of("annal-node=node-a", "annal-internal=http://10.0.0.1:8080"),
        ClusterNodes.roles(List.of(), "node-a", "http://10.0.0.1:8080"));
  }

  @Test
  void rolesReplaceEarlierAnnalRolesAndKeepTheOthersInOrder() {
    List<String> configured = List.of("annal-node=old", "web", "annal-internal=http://old:1",
        "annal-node=older", "dicom", "annal-nodes", "annal-internal");
    assertEquals(List.of("web", "dicom", "annal-nodes", "annal-internal", "annal-node=node-a",
            "annal-internal=http://[::1]:8080"),
        ClusterNodes.roles(configured, "node-a", "http://[::1]:8080"));
  }

  @Test
  void rolesAreIdempotentAndLeaveTheirInputAlone() {
    List<String> configured = List.of("web");
    List<String> once = ClusterNodes.roles(configured, "node-a", "http://h:1");
    assertEquals(once, ClusterNodes.roles(once, "node-a", "http://h:1"));
    assertEquals(List.of("web", "annal-node=node-b", "annal-internal=http://h:2"),
        ClusterNodes.roles(once, "node-b", "http://h:2"));
    assertEquals(List.of("web"), configured);
  }
}
