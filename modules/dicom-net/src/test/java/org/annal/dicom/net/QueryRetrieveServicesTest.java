// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** query-retrieve settings of reference.conf, and an override. */
class QueryRetrieveServicesTest {

  @Test
  void defaultsHaveNoDestinationAndA256MiBCap() {
    QueryRetrieveServices s = QueryRetrieveServices.fromConfig(
        ConfigFactory.load().getConfig("annal.dicom"), null, null);
    assertEquals(256L * 1024 * 1024, s.maxTranscodeBytes());
    assertEquals(Optional.empty(), s.moveDestinations().lookup("ANY"));
  }

  @Test
  void destinationsAreReadAsHostPort() {
    QueryRetrieveServices s = QueryRetrieveServices.fromConfig(ConfigFactory.parseString(
            "query-retrieve { move-destinations { VIEWER = \"10.0.0.5:104\", \"A.B\" = \"h:1\" }"
                + ", max-transcode-bytes = 1MiB }")
        .withFallback(ConfigFactory.load().getConfig("annal.dicom")), null, null);
    assertEquals("10.0.0.5", s.moveDestinations().lookup("VIEWER").orElseThrow().getHostString());
    assertEquals(104, s.moveDestinations().lookup("VIEWER").orElseThrow().getPort());
    assertEquals(1, s.moveDestinations().lookup("A.B").orElseThrow().getPort());
    assertEquals(Optional.empty(), s.moveDestinations().lookup("viewer"));
    assertEquals(1024 * 1024, s.maxTranscodeBytes());
  }
}
