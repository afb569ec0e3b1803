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

  /** Default SCU settings and a 256 MiB transcode cap. */
  public static QueryRetrieveServices of(CFindHandler find, RetrieveHandler retrieve,
      MoveDestinations moveDestinations) {
    return new QueryRetrieveServices(find, retrieve, moveDestinations, ScuSettings.defaults(),
        256L * 1024 * 1024);
  }
}
