// SPDX-License-Identifier: Apache-2.0
package org.annal.app.qr;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.annal.app.cluster.ClusterInstanceFiles;
import org.annal.app.config.AnnalConfig;
import org.annal.app.impl.CassandraChainHeads;
import org.annal.archive.ArchiveSettings;
import org.annal.dicom.net.QueryRetrieveServices;
import org.annal.query.ChainHeadCheckpoints;
import org.annal.query.QueryIndex;
import org.annal.query.QueryService;
import org.annal.query.QuerySettings;
import org.annal.query.StudyIndexProjection;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's query side: its local query index ({@code annal.query.index-dir}, Lucene), the eight
 * tag projections that keep it up to date from the journal (and checkpoint each study's chain
 * head, {@link CassandraChainHeads}), and the C-FIND / C-MOVE / C-GET handlers over it. Internal
 * API.
 */
public final class NodeQuery {
  private static final Logger log = LoggerFactory.getLogger(NodeQuery.class);

  private final QueryRetrieveServices services;
  private final QueryService queryService;

  private NodeQuery(QueryRetrieveServices services, QueryService queryService) {
    this.services = services;
    this.queryService = queryService;
  }

  public static NodeQuery start(ActorSystem<?> system, AnnalConfig config,
      ArchiveSettings archive, ClusterInstanceFiles files) {
    QuerySettings settings = QuerySettings.fromConfig(config.underlying());
    QueryIndex index = QueryIndex.open(config.queryIndexDir(), settings.commitInterval(),
        settings.refreshSpacing());
    CassandraChainHeads.ChainHeadSettings headSettings =
        CassandraChainHeads.ChainHeadSettings.fromConfig(config.underlying());
    CassandraChainHeads heads = headSettings.enabled()
        ? CassandraChainHeads.start(system, headSettings, java.time.Duration.ofSeconds(60)) : null;
    StudyIndexProjection projection = StudyIndexProjection.init(system, index, settings,
        config.nodeId(), heads == null ? ChainHeadCheckpoints.NONE : heads);
    QueryService service = new QueryService(index, settings);
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    QueryRetrieveServices services = QueryRetrieveServices.fromConfig(
        config.underlying().getConfig("annal.dicom"),
        new IndexFindHandler(service),
        new ArchiveRetrieveHandler(system, service, files, blocking, archive.askTimeout(),
            archive.recordAttemptTimeout(), config.nodeId(), Clock.systemUTC()));
    NodeQuery query = new NodeQuery(services, service);
    // Last: projections store their offsets on stop, then the index closes (its last commit).
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "query-index-close", () -> {
          projection.stop();
          return CompletableFuture.supplyAsync(() -> {
            index.close();
            log.atInfo().addKeyValue("event", "query_index_closed").log("Query index closed");
            return Done.getInstance();
          }, CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, blocking))
              // The last heads offered are written before the session goes with the system.
              .thenCompose(d -> heads == null ? CompletableFuture.completedFuture(d)
                  : heads.drained().toCompletableFuture()
                      .completeOnTimeout(Done.getInstance(), 5, TimeUnit.SECONDS));
        });
    return query;
  }

  public QueryRetrieveServices services() {
    return services;
  }

  /** The index's search side, for QIDO-RS and WADO-RS. */
  public QueryService queryService() {
    return queryService;
  }
}
