// SPDX-License-Identifier: Apache-2.0
package org.annal.app.qr;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.annal.app.cluster.ClusterInstanceFiles;
import org.annal.archive.Sender;
import org.annal.archive.Study;
import org.annal.archive.StudyAsk;
import org.annal.dicom.Dataset;
import org.annal.http.dicomweb.DicomWebArchive;
import org.annal.http.dicomweb.WadoAccess;
import org.annal.query.FindResult;
import org.annal.query.IndexedInstance;
import org.annal.query.InformationModel;
import org.annal.query.QueryRetrieveLevel;
import org.annal.query.QueryService;
import org.annal.query.QuerySettings;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DICOMweb's view of the archive: QIDO-RS and the instance lists of WADO-RS from this node's
 * query index, instance bytes from whichever node holds them (checked), and each retrieval
 * recorded in the study's journal as a {@code StudyAccessed} (as C-GET / C-MOVE are, by
 * {@link ArchiveRetrieveHandler}). Internal API.
 */
public final class ArchiveDicomWeb implements DicomWebArchive {
  private static final Logger log = LoggerFactory.getLogger(ArchiveDicomWeb.class);

  private final ActorSystem<?> system;
  private final QueryService query;
  private final QuerySettings settings;
  private final ClusterInstanceFiles files;
  private final String aeTitle;
  private final String nodeId;
  private final java.time.Duration recordTimeout;
  private final java.time.Duration attemptTimeout;

  public ArchiveDicomWeb(ActorSystem<?> system, QueryService query, QuerySettings settings,
      ClusterInstanceFiles files, String aeTitle, String nodeId, java.time.Duration recordTimeout,
      java.time.Duration attemptTimeout) {
    this.system = system;
    this.query = query;
    this.settings = settings;
    this.files = files;
    this.aeTitle = aeTitle;
    this.nodeId = nodeId;
    this.recordTimeout = recordTimeout;
    this.attemptTimeout = attemptTimeout;
  }

  @Override
  public FindResult find(QueryRetrieveLevel level, Dataset identifier, int limit) {
    return query.find(level, InformationModel.STUDY_ROOT, identifier, limit,
        settings.defaultOptions().withRelational(true));
  }

  @Override
  public List<IndexedInstance> instances(String studyUid, String seriesUid, String sopUid) {
    return query.instances(studyUid, seriesUid, sopUid == null ? null : Set.of(sopUid));
  }

  @Override
  public CompletionStage<ByteString> read(IndexedInstance i) {
    return files.readWhole(i.nodeId(), i.blobKey(), i.size(), i.sha256(),
        "instance " + i.sopInstanceUid());
  }

  @Override
  public void accessed(WadoAccess a) {
    Sender requester = new Sender(a.how(), aeTitle, a.clientAddress(),
        "http-" + UUID.randomUUID(), null);
    Study.Access access = new Study.Access(a.how(), requester, null, a.seriesInstanceUids(),
        a.completed(), List.of(), a.failed(), Integer.toString(a.httpStatus()), false,
        a.requestedAt(), nodeId, a.resource(), a.userAgent().isEmpty() ? null : a.userAgent());
    StudyAsk.<Done>withRetries(ClusterSharding.get(system), a.studyInstanceUid(),
            replyTo -> new Study.RecordAccess(access, replyTo), recordTimeout, attemptTimeout)
        .whenComplete((done, failure) -> {
          if (failure != null) {
            log.atError().addKeyValue("event", "access_not_recorded")
                .addKeyValue("study", a.studyInstanceUid())
                .log("{} of study {} by {} could not be recorded in its journal: {}", a.how(),
                    a.studyInstanceUid(), a.clientAddress(), failure.toString());
          }
        });
  }
}
