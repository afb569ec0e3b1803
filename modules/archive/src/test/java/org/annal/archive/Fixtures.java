// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** Shared test data. */
final class Fixtures {
  private Fixtures() {}

  static final String STUDY = "1.2.826.0.1.3680043.8.498.1";
  static final String SERIES = "1.2.826.0.1.3680043.8.498.1.1";
  static final Instant NOW = Instant.parse("2026-11-30T01:02:03.456Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static ArchiveSettings settings() {
    return ArchiveSettings.fromConfig(ConfigFactory.parseString(
        "annal.archive { node-id = test-node, site = test-site }")
        .withFallback(ConfigFactory.defaultReference()));
  }

  static String sha(char c) {
    return String.valueOf(c).repeat(64);
  }

  static ReceivedInstance instance(String sopInstanceUid, String datasetSha, String blobKey) {
    return new ReceivedInstance(STUDY, SERIES, sopInstanceUid, "1.2.840.10008.5.1.4.1.1.2",
        "1.2.840.10008.1.2.1", 1234, sha('b'), datasetSha,
        new Placement("test-node", "test-site", "online", blobKey),
        new Sender("MODALITY", "ANNAL", "127.0.0.1:40000", "assoc-1", null),
        NOW.toEpochMilli() - 5,
        Map.of("PatientID", "P1", "PatientName", "Doe^Jane", "StudyDate", "20261130",
            "Modality", "CT", "SeriesNumber", "3", "InstanceNumber", "7", "Rows", "512"));
  }
}
