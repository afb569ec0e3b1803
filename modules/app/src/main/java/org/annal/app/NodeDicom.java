// SPDX-License-Identifier: Apache-2.0
package org.annal.app;

import java.util.concurrent.TimeUnit;
import org.annal.app.config.AnnalConfig;
import org.annal.archive.ArchiveSettings;
import org.annal.archive.StoreService;
import org.annal.dicom.net.DicomServer;
import org.annal.dicom.net.DicomServerBinding;
import org.annal.dicom.net.DicomServerSettings;
import org.annal.dicom.net.QueryRetrieveServices;
import org.annal.storage.BlobStore;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's DICOM listener ({@code annal.dicom}) with the archive's C-STORE handler and the query
 * side's C-FIND / C-MOVE / C-GET handlers behind it.
 */
final class NodeDicom {
  private static final Logger log = LoggerFactory.getLogger(NodeDicom.class);

  private final DicomServerBinding binding;
  private final DicomServerSettings settings;
  private final StoreService store;

  private NodeDicom(DicomServerBinding binding, DicomServerSettings settings, StoreService store) {
    this.binding = binding;
    this.settings = settings;
    this.store = store;
  }

  static NodeDicom bind(ActorSystem<?> system, AnnalConfig config, BlobStore blobs,
      ArchiveSettings archive, QueryRetrieveServices queryRetrieve) throws Exception {
    DicomServerSettings settings =
        DicomServerSettings.fromConfig(config.underlying().getConfig("annal.dicom"));
    StoreService handler = new StoreService(system, blobs, archive);
    DicomServerBinding binding = DicomServer.bind(system, settings, handler, queryRetrieve)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    return new NodeDicom(binding, settings, handler);
  }

  /** The archive's C-STORE handler, which STOW-RS stores go through too. */
  StoreService store() {
    return store;
  }

  /** Our AE title. */
  String aeTitle() {
    return settings.aeTitle();
  }

  /** "AE@host:port" as bound. */
  String address() {
    return settings.aeTitle() + "@" + settings.bindHost() + ":" + binding.port();
  }

  /**
   * First stop accepting (service-unbind), then let open associations finish until the drain
   * deadline, closing the rest (service-requests-done): the cluster and the journal are still up
   * during both, so C-STOREs in flight can still persist their events.
   */
  void registerShutdown(CoordinatedShutdown shutdown) {
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "dicom-unbind", () -> {
      log.atInfo().addKeyValue("event", "dicom_unbind")
          .addKeyValue("open_associations", binding.activeAssociations())
          .log("DICOM listener no longer accepts associations");
      return binding.unbind();
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "dicom-drain",
        () -> binding.drain().thenApply(done -> {
          log.atInfo().addKeyValue("event", "dicom_drained").log("DICOM associations finished");
          return done;
        }));
  }
}
