// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.annal.dicom.Dataset;
import org.annal.query.FindResult;
import org.annal.query.IndexedInstance;
import org.annal.query.QueryRetrieveLevel;
import org.apache.pekko.util.ByteString;

/**
 * What DICOMweb needs of the archive; {@code modules/app} implements it over the query index, the
 * cluster's blob stores and the Study entities. The two index methods block (Lucene): the routes
 * call them on a blocking executor.
 */
public interface DicomWebArchive {

  /**
   * A QIDO-RS search (PS3.18 §10.6) in the Study Root model, as C-FIND matches (PS3.4 C.2.2.2),
   * relational (PS3.4 C.4.1.2.2): the Unique Keys of the levels above may be absent.
   *
   * @param limit at most this many matches, also capped by {@code annal.query.max-results}
   * @throws org.annal.query.QueryException if the keys cannot be matched
   */
  FindResult find(QueryRetrieveLevel level, Dataset identifier, int limit);

  /**
   * The instances of a study, or of one series of it, or one instance ({@code seriesUid} and
   * {@code sopUid} may be null), in SOP Instance UID order.
   */
  List<IndexedInstance> instances(String studyUid, String seriesUid, String sopUid);

  /**
   * The stored PS3.10 file of an instance, read whole and checked against its size and SHA-256,
   * from whichever node holds it. Fails with {@link org.annal.http.InstanceFiles.UnavailableException}
   * when that node does not answer.
   */
  CompletionStage<ByteString> read(IndexedInstance instance);

  /**
   * Records one retrieval of instances of one study in its journal ({@code StudyAccessed}, PS3.18
   * retrievals named {@code WADO-RS} / {@code WADO-URI}); asynchronous, failures are logged.
   */
  void accessed(WadoAccess access);
}
