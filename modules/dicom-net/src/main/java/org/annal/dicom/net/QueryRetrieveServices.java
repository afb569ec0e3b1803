// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

/**
 * The Query/Retrieve SCP services of a listener (PS3.4 Annex C), passed to
 * {@link DicomServer#bind(org.apache.pekko.actor.ClassicActorSystemProvider, DicomServerSettings,
 * CStoreHandler, QueryRetrieveServices)}. A null handler leaves its SOP classes unnegotiated
 * (presentation context result 3).
 *
 * @param find C-FIND SCP, or null
 * @param retrieve C-MOVE and C-GET SCP, or null
 * @param moveDestinations Move Destination lookup (C-MOVE)
 * @param scuSettings settings of the associations C-MOVE opens to its destinations
 * @param maxTranscodeBytes largest stored data set that may be read into memory to be converted to
 *     a transfer syntax the peer accepted; larger ones fail their sub-operation
 */
public record QueryRetrieveServices(CFindHandler find, RetrieveHandler retrieve,
    MoveDestinations moveDestinations, ScuSettings scuSettings, long maxTranscodeBytes) {

  public static final QueryRetrieveServices NONE =
      new QueryRetrieveServices(null, null, ae -> java.util.Optional.empty(), null, 0);

  /**
   * From the {@code annal.dicom} section: {@code query-retrieve.move-destinations} (AE title →
   * "host:port"), {@code query-retrieve.max-transcode-bytes}, and {@code scu}.
   */
  public static QueryRetrieveServices fromConfig(com.typesafe.config.Config dicomSection,
      CFindHandler find, RetrieveHandler retrieve) {
    com.typesafe.config.Config qr = dicomSection.getConfig("query-retrieve");
    java.util.Map<String, java.net.InetSocketAddress> table = new java.util.HashMap<>();
    com.typesafe.config.Config destinations = qr.getConfig("move-destinations");
    for (String key : destinations.root().keySet()) {
      String hostPort = destinations.getString(com.typesafe.config.ConfigUtil.quoteString(key));
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("move destination " + key + ": expected host:port, got "
            + hostPort);
      }
      table.put(key, java.net.InetSocketAddress.createUnresolved(hostPort.substring(0, colon),
          Integer.parseInt(hostPort.substring(colon + 1))));
    }
    return new QueryRetrieveServices(find, retrieve, MoveDestinations.of(table),
        ScuSettings.fromConfig(dicomSection.getConfig("scu")),
        qr.getBytes("max-transcode-bytes"));
  }

  /** Default SCU settings and a 256 MiB transcode cap. */
  public static QueryRetrieveServices of(CFindHandler find, RetrieveHandler retrieve,
      MoveDestinations moveDestinations) {
    return new QueryRetrieveServices(find, retrieve, moveDestinations, ScuSettings.defaults(),
        256L * 1024 * 1024);
  }
}
