// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code annal history}: the table of a history, and a clear error when no node answers. */
class HistoryCommandTest {

  @Test
  void oneLinePerEventWithWhoAndWhat() throws Exception {
    String json = """
        {"studyInstanceUid":"1.2.3","events":[
         {"sequenceNr":1,"timestamp":"2026-11-30T10:00:00Z","type":"InstanceStored/1",
          "actor":{"callingAeTitle":"CT01","peerAddress":"10.0.0.5:4000"},
          "details":{"instance":{"sopInstanceUid":"1.2.3.4.5"}},"prevHash":"",
          "hash":"0123456789abcdef0123"},
         {"sequenceNr":2,"timestamp":"2026-11-30T10:05:00Z","type":"StudyAccessed/1",
          "actor":{"callingAeTitle":"VIEWER","peerAddress":"10.0.0.9:5000"},
          "details":{"access":{"how":"C-GET","destinationAeTitle":"VIEWER",
            "completed":["1.2.3.4.5"],"failed":[],"status":"0000"}},
          "prevHash":"0123456789abcdef0123","hash":"fedcba9876543210fedc"},
         {"sequenceNr":3,"timestamp":"2026-11-30T10:06:00Z","type":"StudyAccessed/1",
          "actor":{"callingAeTitle":"WADO-RS","peerAddress":"10.0.0.7:6000"},
          "details":{"access":{"how":"WADO-RS","destinationAeTitle":null,
            "resource":"/dicom-web/studies/1.2.3","completed":["1.2.3.4.5"],"failed":[],
            "status":"200"}},
          "prevHash":"fedcba9876543210fedc","hash":"00112233445566778899"}]}""";
    List<String> lines = HistoryCommand.table(new ObjectMapper().readTree(json)).lines().toList();
    assertEquals(4, lines.size());
    assertTrue(lines.get(3).contains("WADO-RS /dicom-web/studies/1.2.3: 1 sent, 0 failed, "
        + "status 200"), lines.get(3));
    assertTrue(lines.get(1).contains("InstanceStored/1") && lines.get(1).contains("CT01@10.0.0.5")
        && lines.get(1).contains("stored 1.2.3.4.5") && lines.get(1).endsWith("0123456789ab"),
        lines.get(1));
    assertTrue(lines.get(2).contains("C-GET to VIEWER: 1 sent, 0 failed, status 0000"),
        lines.get(2));
  }

  @Test
  void noNodeAnsweringIsAClearFailure() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    AnnalRun run = AnnalRun.annal("history", "1.2.3", "--http", "127.0.0.1:" + port);
    assertNotEquals(0, run.exitCode());
    assertTrue(run.err().contains("cannot reach the node's HTTP API at 127.0.0.1:" + port),
        run.err());
  }
}
