// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * Settings of an association Annal requests (SCU side); defaults in {@code reference.conf} under
 * {@code annal.dicom.scu}.
 *
 * @param maxPduLength Maximum Length we announce (largest P-DATA-TF we receive) and the fragment
 *     size we send when the peer announces 0 (no limit)
 * @param maxPduLengthReceived hard cap of any PDU-length field read from the peer
 * @param connectTimeout TCP connect timeout
 * @param responseTimeout ARTIM for the A-ASSOCIATE-AC/RJ and A-RELEASE-RP, and how long a DIMSE
 *     response may take
 */
public record ScuSettings(int maxPduLength, int maxPduLengthReceived, Duration connectTimeout,
    Duration responseTimeout) {

  /** Reads the {@code annal.dicom.scu} section itself. */
  public static ScuSettings fromConfig(Config section) {
    return new ScuSettings((int) section.getBytes("max-pdu-length").longValue(),
        (int) section.getBytes("max-pdu-length-received").longValue(),
        section.getDuration("connect-timeout"), section.getDuration("response-timeout"));
  }

  public static ScuSettings defaults() {
    return fromConfig(ConfigFactory.load().getConfig("annal.dicom.scu"));
  }

  public ScuSettings withMaxPduLength(int value) {
    return new ScuSettings(value, Math.max(value, maxPduLengthReceived), connectTimeout,
        responseTimeout);
  }

  public ScuSettings withResponseTimeout(Duration value) {
    return new ScuSettings(maxPduLength, maxPduLengthReceived, connectTimeout, value);
  }
}
