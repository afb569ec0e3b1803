// SPDX-License-Identifier: Apache-2.0
package org.annal.app.qr;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.annal.app.cluster.ClusterInstanceFiles;
import org.annal.archive.Sender;
import org.annal.archive.Study;
import org.annal.archive.StudyAsk;
import org.annal.dicom.Dataset;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.DimseException;
import org.annal.dicom.net.RetrieveHandler;
import org.annal.dicom.net.RetrieveItem;
import org.annal.dicom.net.RetrieveKind;
import org.annal.dicom.net.RetrieveReport;
import org.annal.dicom.net.RetrieveRq;
import org.annal.dicom.net.Status;
import org.annal.query.IndexedInstance;
import org.annal.query.InformationModel;
import org.annal.query.QueryRetrieveLevel;
import org.annal.query.QueryService;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-MOVE and C-GET SCP of the node (PS3.4 C.4.2, C.4.3): resolves the identifier against the
 * query index (unique keys only, PS3.4 C.4.2.2.1: Patient ID at PATIENT level, the UID lists
 * below it), and gives each instance's data set from whichever node stores its blob
 * ({@link ClusterInstanceFiles}, size and SHA-256 checked, File Meta Information dropped). When the
 * retrieve is over, one {@link Study.StudyAccessed} is persisted per study touched: who asked, how,
 * to which AE, which instances with which outcome.
 */
public final class ArchiveRetrieveHandler implements RetrieveHandler {
  private static final Logger log = LoggerFactory.getLogger(ArchiveRetrieveHandler.class);
  /**
   * Instances up to this size (CT, MR, most CR) are read whole, and the next one while the current
   * one is sent: at most 8 MiB held per retrieve. Larger ones (multi-frame, mammography, DX) are
   * streamed.
   */
  static final long WHOLE_READ_LIMIT = 4L << 20;
  private static final int PATIENT_ID = 0x00100020;
  private static final int STUDY_UID = 0x0020000D;
  private static final int SERIES_UID = 0x0020000E;
  private static final int SOP_UID = 0x00080018;

  private final ActorSystem<?> system;
  private final QueryService query;
  private final ClusterInstanceFiles files;
  private final Executor blocking;
  private final Duration recordTimeout;
  private final Duration attemptTimeout;
  private final String nodeId;
  private final Clock clock;
  /** What each retrieve in progress resolved to, by association and message id. */
  private final Map<String, Resolved> inProgress = new ConcurrentHashMap<>();

  private record Resolved(long requestedAt, Map<String, IndexedInstance> bySop) {}

  public ArchiveRetrieveHandler(ActorSystem<?> system, QueryService query,
      ClusterInstanceFiles files, Executor blocking, Duration recordTimeout,
      Duration attemptTimeout, String nodeId, Clock clock) {
    this.system = system;
    this.query = query;
    this.files = files;
    this.blocking = blocking;
    this.recordTimeout = recordTimeout;
    this.attemptTimeout = attemptTimeout;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  @Override
  public CompletionStage<List<RetrieveItem>> onRetrieve(AssociationInfo association,
      RetrieveRq request, Dataset identifier) {
    long requestedAt = clock.millis();
    return CompletableFuture.supplyAsync(() -> resolve(request, identifier), blocking)
        .thenApply(instances -> {
          Map<String, IndexedInstance> bySop = new LinkedHashMap<>();
          List<RetrieveItem> items = new ArrayList<>(instances.size());
          for (IndexedInstance i : instances) {
            if (bySop.putIfAbsent(i.sopInstanceUid(), i) == null) {
              items.add(new RetrieveItem(i.sopClassUid(), i.sopInstanceUid(),
                  i.transferSyntaxUid(), () -> dataSet(i),
                  i.size() <= WHOLE_READ_LIMIT ? () -> wholeDataSet(i) : null));
            }
          }
          inProgress.put(key(association, request), new Resolved(requestedAt, bySop));
          return items;
        });
  }

  private CompletionStage<org.apache.pekko.util.ByteString> wholeDataSet(IndexedInstance i) {
    return files.readWhole(i.nodeId(), i.blobKey(), i.size(), i.sha256(),
        "instance " + i.sopInstanceUid()).thenApply(FileMetaStripper::strip);
  }

  private Source<org.apache.pekko.util.ByteString, ?> dataSet(IndexedInstance i) {
    return Source.completionStageSource(files.openBlob(i.nodeId(), i.blobKey(), i.size(),
            i.sha256(), "instance " + i.sopInstanceUid()))
        .via(FileMetaStripper.flow());
  }

  /** The instances the identifier selects, by unique keys only (PS3.4 C.4.2.2.1). */
  List<IndexedInstance> resolve(RetrieveRq request, Dataset identifier) {
    InformationModel model = IndexFindHandler.modelOf(request.affectedSopClassUid());
    String levelName = identifier.getString(IndexFindHandler.QUERY_RETRIEVE_LEVEL);
    QueryRetrieveLevel level = IndexFindHandler.levelOf(levelName);
    if (!model.levels().contains(level)) {
      throw invalid(level + " is not a level of the " + model + " model");
    }
    List<IndexedInstance> out = new ArrayList<>();
    switch (level) {
      case PATIENT -> {
        // Every study of the patient: no C-FIND result cap here (a capped list would send part
        // of the patient and still answer Success).
        for (String study : query.studiesOfPatient(single(identifier, PATIENT_ID, "PatientID"))) {
          out.addAll(query.instances(study, null, null));
        }
      }
      case STUDY -> {
        for (String study : list(identifier, STUDY_UID, "StudyInstanceUID")) {
          out.addAll(query.instances(study, null, null));
        }
      }
      case SERIES -> {
        String study = single(identifier, STUDY_UID, "StudyInstanceUID");
        for (String series : list(identifier, SERIES_UID, "SeriesInstanceUID")) {
          out.addAll(query.instances(study, series, null));
        }
      }
      case IMAGE -> out.addAll(query.instances(single(identifier, STUDY_UID, "StudyInstanceUID"),
          single(identifier, SERIES_UID, "SeriesInstanceUID"),
          list(identifier, SOP_UID, "SOPInstanceUID")));
    }
    return out;
  }

  @Override
  public void onRetrieveCompleted(AssociationInfo association, RetrieveReport report) {
    Resolved resolved = inProgress.remove(key(association, report.request()));
    if (resolved == null) {
      return; // the identifier was refused: nothing was read out
    }
    Map<String, Lists> byStudy = new LinkedHashMap<>();
    sort(resolved, report.completed(), byStudy, Lists::completed);
    sort(resolved, report.warning(), byStudy, Lists::warning);
    sort(resolved, report.failed(), byStudy, Lists::failed);
    // Selected but never attempted (a cancel, a destination that went away): failed too.
    java.util.Set<String> attempted = new java.util.HashSet<>(report.completed());
    attempted.addAll(report.warning());
    attempted.addAll(report.failed());
    sort(resolved, resolved.bySop().keySet().stream().filter(sop -> !attempted.contains(sop))
        .toList(), byStudy, Lists::failed);
    Sender requester = new Sender(association.callingAeTitle(), association.calledAeTitle(),
        Sender.address(association.peerAddress()), association.associationId(), null);
    String how = report.kind() == RetrieveKind.MOVE ? "C-MOVE" : "C-GET";
    String status = String.format("%04X", report.finalStatus().code());
    byStudy.forEach((study, lists) -> {
      Study.Access access = new Study.Access(how, requester, report.destinationAeTitle(),
          List.copyOf(lists.series), List.copyOf(lists.completed), List.copyOf(lists.warning),
          List.copyOf(lists.failed), status, report.cancelled(), resolved.requestedAt(), nodeId);
      StudyAsk.<org.apache.pekko.Done>withRetries(ClusterSharding.get(system), study,
              replyTo -> new Study.RecordAccess(access, replyTo), recordTimeout, attemptTimeout)
          .whenComplete((done, failure) -> {
            if (failure != null) {
              log.atError().addKeyValue("event", "access_not_recorded").addKeyValue("study", study)
                  .log("{} by {} of study {} could not be recorded in its journal: {}", how,
                      association.callingAeTitle(), study, failure.toString());
            }
          });
    });
  }

  private record Lists(Set<String> series, Set<String> completed, Set<String> warning,
      Set<String> failed) {
    Lists() {
      this(new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
    }
  }

  private static void sort(Resolved resolved, List<String> sops, Map<String, Lists> byStudy,
      java.util.function.Function<Lists, Set<String>> which) {
    for (String sop : sops) {
      IndexedInstance i = resolved.bySop().get(sop);
      if (i != null) {
        Lists lists = byStudy.computeIfAbsent(i.studyInstanceUid(), s -> new Lists());
        lists.series().add(i.seriesInstanceUid());
        which.apply(lists).add(sop);
      }
    }
  }

  private static String key(AssociationInfo a, RetrieveRq rq) {
    return a.associationId() + "/" + rq.messageId();
  }

  private static String single(Dataset identifier, int tag, String keyword) {
    List<String> values = list(identifier, tag, keyword);
    if (values.size() != 1) {
      throw invalid(keyword + " must have exactly one value at this level, has " + values.size());
    }
    return values.get(0);
  }

  private static List<String> list(Dataset identifier, int tag, String keyword) {
    String value = identifier.getString(tag);
    if (value == null || value.isBlank()) {
      throw invalid("unique key " + keyword + " missing or empty (PS3.4 C.4.2.2.1)");
    }
    List<String> values = new ArrayList<>();
    for (String v : Arrays.asList(value.split("\\\\"))) {
      if (!v.isBlank()) {
        values.add(v.strip());
      }
    }
    return values;
  }

  private static DimseException invalid(String message) {
    return new DimseException(Status.DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
        "Identifier does not match SOP Class: " + message);
  }
}
