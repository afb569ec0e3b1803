// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.annal.dicom.Dataset;

/**
 * The Query/Retrieve Service Class C-MOVE and C-GET SCP (PS3.4 C.4.2, C.4.3) as the archive
 * implements it: it resolves an identifier into instances; the protocol side performs the C-STORE
 * sub-operations (PS3.7 §9.1.3, §9.1.4), and tells the outcome afterwards.
 */
public interface RetrieveHandler {

  /**
   * The instances an identifier selects, in the order to send them. Fail the stage with a
   * {@link DimseException} to choose the final status (e.g. C000 for an invalid identifier);
   * any other failure answers A701.
   */
  CompletionStage<List<RetrieveItem>> onRetrieve(AssociationInfo association, RetrieveRq request,
      Dataset identifier);

  /** Called once after the final C-MOVE-RSP / C-GET-RSP was queued for sending. Must not block. */
  void onRetrieveCompleted(AssociationInfo association, RetrieveReport report);
}
