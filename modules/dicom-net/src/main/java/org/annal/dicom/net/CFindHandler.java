// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import org.annal.dicom.Dataset;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The Query/Retrieve Service Class C-FIND SCP (PS3.4 C.4.1, PS3.7 §9.1.2), as the archive
 * implements it: matching is the handler's; the protocol side only streams the answers.
 */
public interface CFindHandler {

  /**
   * Called once per C-FIND-RQ with its decoded identifier. Each element of the returned source is
   * sent as one C-FIND-RSP Pending (FF00) carrying it as the identifier, encoded in the
   * presentation context's transfer syntax; the data set should carry its own Specific Character
   * Set (0008,0005) when its text is not ASCII (PS3.4 C.4.1.1.3.2). The source is pulled one
   * response at a time, as the peer reads them. When it completes, Success is sent; on C-CANCEL-RQ
   * it is cancelled and Cancel (FE00) is sent (PS3.4 C.4.1.2.3); if it fails with a
   * {@link DimseException} that status is sent (e.g. a result cap), with any other failure A700.
   *
   * <p>Runs on the association's stream: neither this method nor the source may block.
   */
  Source<Dataset, NotUsed> onCFind(AssociationInfo association, CFindRq request,
      Dataset identifier);
}
