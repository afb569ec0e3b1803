// SPDX-License-Identifier: Apache-2.0
package org.annal.app;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.annal.app.cluster.ClusterInstanceFiles;
import org.annal.app.cluster.ClusterNodes;
import org.annal.app.cluster.InternalAuth;
import org.annal.app.cluster.InternalRoutes;
import org.annal.app.config.AnnalConfig;
import org.annal.http.ApiRoutes;
import org.annal.app.impl.CassandraJournalHealth;
import org.annal.app.impl.FileSystemBlobAge;
import org.annal.app.impl.JournalWarmup;
import org.annal.app.qr.ArchiveDicomWeb;
import org.annal.app.qr.NodeQuery;
import org.annal.http.dicomweb.DicomWebRoutes;
import org.annal.http.dicomweb.DicomWebSettings;
import org.annal.http.dicomweb.StowRs;
import org.annal.query.QuerySettings;
import org.annal.app.impl.AuditLogQueries;
import org.annal.app.impl.JournalAuditTrail;
import org.annal.app.impl.JournalStudyLookup;
import org.annal.archive.ArchiveSettings;
import org.annal.archive.OrphanSweeper;
import org.annal.archive.Study;
import org.annal.archive.StudyJournal;
import org.annal.storage.FileSystemBlobStore;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Annal node inside an ActorSystem named "annal": a cluster member (of its own
 * one-node cluster, or of the seed nodes' cluster), the Study shard region, the blob store, the C-STORE handler, the DICOM and HTTP
 * listeners. {@link #start} returns only once a C-STORE can really be persisted.
 *
 * <pre>
 * start:    ActorSystem ─▶ join (seeds or self), await Up, unique node id ─▶ management HTTP
 *           ─▶ journal warm-up (schema) ─▶ blob store
 *           ─▶ Study sharding ─▶ query index + its projections ─▶ StoreService, C-FIND/MOVE/GET
 *           ─▶ DICOM bind ─▶ HTTP bind ─▶ "Annal ready"
 * shutdown (CoordinatedShutdown phases):
 *   service-unbind          DICOM stops accepting associations
 *   service-requests-done   DICOM associations in flight finish (drain deadline)
 *   service-stop            HTTP unbinds, its requests in flight finish (shutdown-deadline)
 *   cluster-sharding-shutdown-region, cluster-leave, cluster-exiting ...  (Pekko's own)
 *   actor-system-terminate
 * </pre>
 *
 * The embedded Cassandra is not part of the node: the caller starts it before and stops it after
 * ({@link org.annal.app.cli.RunCommand}).
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final ActorSystem<Void> system;
  private final String dicomAddress;
  private final int httpPort;

  private Node(ActorSystem<Void> system, String dicomAddress, int httpPort) {
    this.system = system;
    this.dicomAddress = dicomAddress;
    this.httpPort = httpPort;
  }

  /**
   * Starts everything; on failure terminates the ActorSystem it created before rethrowing, so the
   * JVM can exit (stack-notes).
   */
  public static Node start(AnnalConfig config) throws Exception {
    config = config.with(Map.of("pekko.cluster.roles", ClusterNodes.roles(
        config.underlying().getStringList("pekko.cluster.roles"), config.nodeId(),
        config.internalUrl())));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "annal", config.underlying());
    try {
      return start(system, config);
    } catch (Exception | Error e) {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // Already failing: the original error is the one to report.
      }
      throw e;
    }
  }

  private static Node start(ActorSystem<Void> system, AnnalConfig config) throws Exception {
    joinCluster(system, config.duration("annal.startup.cluster-timeout"));
    ClusterNodes nodes = new ClusterNodes(Cluster.get(system.classicSystem()));
    nodes.duplicateOfSelf().ifPresent(other -> {
      throw new IllegalStateException("node id \"" + config.nodeId() + "\" is already used by the "
          + "cluster member at " + other + ": give every node its own annal.node-id");
    });
    if (config.underlying().getBoolean("annal.cluster.management")) {
      var management = PekkoManagement.get(system.classicSystem()).start()
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.atInfo().addKeyValue("event", "management_ready")
          .log("Cluster management HTTP at {}", management);
    }

    long warmupStart = System.nanoTime();
    JournalWarmup.run(system, config.duration("annal.startup.journal-timeout"))
        .toCompletableFuture().get();
    log.atInfo().addKeyValue("event", "journal_ready")
        .addKeyValue("ms", (System.nanoTime() - warmupStart) / 1_000_000)
        .log("Journal ready (keyspaces and tables in place)");

    FileSystemBlobStore blobs = FileSystemBlobStore.open(system);
    ArchiveSettings archive = ArchiveSettings.create(system);
    Study.init(system, archive);

    StudyJournal journal = StudyJournal.create(system, archive.readJournalPluginId());
    InternalAuth auth = InternalAuth.fromSecret(config.underlying().getString("annal.cluster.secret"),
        config.duration("annal.cluster.max-clock-skew"));
    ClusterInstanceFiles files = new ClusterInstanceFiles(system, journal, blobs, config.nodeId(),
        nodes, auth, config.duration("annal.cluster.remote-read-timeout"));
    NodeQuery query = NodeQuery.start(system, config, archive, files);

    NodeDicom dicom = NodeDicom.bind(system, config, blobs, archive, query.services());

    ApiRoutes routes = new ApiRoutes(config.nodeId(),
        new JournalStudyLookup(system, journal, config.nodeId()),
        files,
        new CassandraJournalHealth(system),
        Duration.ofSeconds(3),
        new JournalAuditTrail(journal,
            new AuditLogQueries(config.logDir(), config.nodeId(), archive.site()),
            system.dispatchers().lookup(DispatcherSelector.blocking())));
    DicomWebSettings webSettings =
        DicomWebSettings.fromConfig(config.underlying().getConfig("annal.dicomweb"));
    StowRs stow = new StowRs(dicom.store(), dicom.aeTitle(), webSettings.maxStowPartBytes());
    DicomWebRoutes dicomWeb = new DicomWebRoutes(
        new ArchiveDicomWeb(system, query.queryService(), QuerySettings.fromConfig(config.underlying()),
            files, dicom.aeTitle(), config.nodeId(), archive.askTimeout(),
            archive.recordAttemptTimeout()),
        system.dispatchers().lookup(DispatcherSelector.blocking()), webSettings, stow::route);
    // /internal and /dicom-web first: the API's rejection handler turns anything else into a
    // JSON 404.
    ServerBinding http = Http.get(system).newServerAt(config.httpHost(), config.httpPort())
        .bind(new InternalRoutes(blobs, auth).route().orElse(dicomWeb.route())
            .orElse(routes.route()))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    Duration httpDeadline = config.duration("annal.http.shutdown-deadline");

    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    dicom.registerShutdown(shutdown);
    // HTTP stays up while DICOM drains (health and study lookups still answer), then goes:
    // terminate = unbind, then let requests in flight finish until the deadline.
    shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "http-terminate",
        () -> http.terminate(httpDeadline).thenApply(x -> Done.getInstance()));

    Node node = new Node(system, dicom.address(), http.localAddress().getPort());
    log.atInfo().addKeyValue("event", "ready")
        .log("Annal ready: DICOM {}, HTTP :{}, data {}", node.dicomAddress, node.httpPort,
            config.dataDir());
    if (config.underlying().getBoolean("annal.startup.orphan-sweep")) {
      sweepOrphans(system, blobs, archive);
    }
    return node;
  }

  /**
   * Removes blobs no event references that are older than {@code annal.archive.orphan-grace}
   * (left by a crash between blob fsync and event persist, ARCHITECTURE invariant 1), in the
   * background: the node already serves. Its outcome is logged; a failure only logs.
   */
  private static void sweepOrphans(ActorSystem<?> system, FileSystemBlobStore blobs,
      ArchiveSettings archive) {
    new OrphanSweeper(system, StudyJournal.create(system, archive.readJournalPluginId()), blobs,
        new FileSystemBlobAge(blobs.root(),
            system.dispatchers().lookup(DispatcherSelector.blocking())),
        archive, Clock.systemUTC())
        .sweep()
        .whenComplete((result, failure) -> {
          if (failure != null) {
            log.atWarn().addKeyValue("event", "orphan_sweep_failed").setCause(failure)
                .log("Orphan sweep failed: {}", failure.toString());
          } else {
            log.atInfo().addKeyValue("event", "orphan_sweep").addKeyValue("blobs", result.blobs())
                .addKeyValue("deleted", result.deleted()).addKeyValue("young", result.young())
                .log("Orphan sweep done: {}", result);
          }
        });
  }

  /**
   * Joins the configured seed nodes (the first seed forms the cluster when no other answers), or,
   * with none configured, our own address: a one-node cluster. Returns once this member is Up.
   */
  private static void joinCluster(ActorSystem<?> system, Duration timeout) throws Exception {
    Cluster cluster = Cluster.get(system.classicSystem());
    CompletableFuture<Done> up = new CompletableFuture<>();
    cluster.registerOnMemberUp(() -> up.complete(Done.getInstance()));
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      cluster.join(cluster.selfAddress());
    }
    try {
      up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cluster member not Up after " + timeout);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** "AE@host:port" of the DICOM listener as bound. */
  public String dicomAddress() {
    return dicomAddress;
  }

  public int httpPort() {
    return httpPort;
  }

  /** Starts the coordinated shutdown (idempotent); see the class javadoc for the order. */
  public CompletionStage<Done> shutdown(CoordinatedShutdown.Reason reason) {
    return CoordinatedShutdown.get(system).runAll(reason);
  }

  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }
}
