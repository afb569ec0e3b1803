// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.annal.dicom.net.impl.AcceptorStage;
import org.annal.dicom.net.impl.PduFraming;
import org.annal.dicom.net.impl.ServiceOperations;
import org.annal.dicom.net.impl.TcpQuickAck;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DICOM listener: the acceptor side of the upper layer (PS3.8) with C-ECHO and C-STORE SCP
 * (PS3.7 §9.1.5, §9.1.1), on Pekko TCP with TCP_NODELAY. One stream per TCP connection:
 *
 * <pre>
 *   Tcp connection ─▶ kill switch ─▶ PduFraming (bytes ⇄ Pdu) ─▶ AcceptorStage ─▶ CStoreHandler sink
 *        ▲                                 │                       │
 *        └──────────── bytes ◀─────────────┘◀──── Pdu (AC, RSP) ───┘
 * </pre>
 *
 * <p>{@code PduFraming.bidi(cap, quickAck).join(acceptor)} is the whole protocol; the kill switch lets
 * {@link DicomServerBinding#drain()} close what is still open at its deadline.
 */
public final class DicomServer {
  private DicomServer() {}

  private static final Logger log = LoggerFactory.getLogger(DicomServer.class);
  private static final AtomicLong ASSOCIATION_COUNTER = new AtomicLong();

  public static CompletionStage<DicomServerBinding> bind(ClassicActorSystemProvider system,
      DicomServerSettings settings, CStoreHandler storeHandler) {
    return bind(system, settings, storeHandler, QueryRetrieveServices.NONE);
  }

  /**
   * As {@link #bind(ClassicActorSystemProvider, DicomServerSettings, CStoreHandler)}, also serving
   * Query/Retrieve (PS3.4 Annex C): C-FIND when {@code queryRetrieve.find()} is set, C-MOVE and
   * C-GET when {@code queryRetrieve.retrieve()} is set (their SOP classes are accepted in the
   * uncompressed transfer syntaxes; SCP role selection is granted for storage SOP classes).
   */
  public static CompletionStage<DicomServerBinding> bind(ClassicActorSystemProvider system,
      DicomServerSettings settings, CStoreHandler storeHandler,
      QueryRetrieveServices queryRetrieve) {
    ServiceOperations services = new ServiceOperations(queryRetrieve, system);
    Materializer materializer = Materializer.matFromSystem(system);
    AtomicInteger active = new AtomicInteger();
    SharedKillSwitch killSwitch = KillSwitches.shared("dicom-server");
    AtomicBoolean refusing = new AtomicBoolean();
    CStoreHandler handler = (association, request, syntax) -> refusing.get()
        ? Sink.<ByteString>ignore().mapMaterializedValue(done -> done.thenApply(d ->
            DimseStatus.of(Status.OUT_OF_RESOURCES,
                "Node shutting down: nothing stored, send again (to another node)")))
        : storeHandler.onCStore(association, request, syntax);
    List<Inet.SocketOption> options = List.of(TcpSO.tcpNoDelay(true), TcpQuickAck.option());
    return Tcp.get(system.classicSystem())
        .bind(settings.bindHost(), settings.port(), 128, options, false, Optional.empty())
        .to(Sink.foreach(connection -> {
          active.incrementAndGet();
          String id = Long.toString(ASSOCIATION_COUNTER.incrementAndGet(), 36) + "-"
              + Long.toString(System.currentTimeMillis() & 0xFFFFFF, 36);
          InetSocketAddress peer = connection.remoteAddress();
          Flow<ByteString, ByteString, ?> protocol = PduFraming
              .bidi(settings.maxPduLengthReceived(),
                  TcpQuickAck.take(connection.localAddress(), connection.remoteAddress()))
              .join(Flow.fromGraph(new AcceptorStage(settings, handler, services, id, peer,
                  () -> active.get() > settings.maxAssociations())));
          Flow<ByteString, ByteString, CompletionStage<Done>> flow = Flow.<ByteString>create()
              .via(killSwitch.flow())
              .via(protocol)
              .watchTermination(Keep.right());
          connection.handleWith(flow, materializer).whenComplete((done, failure) -> {
            if (failure != null) {
              log.debug("assoc={} from={} stream failed: {}", id, peer, failure.toString());
            }
            active.decrementAndGet();
          });
        }))
        .run(materializer)
        .thenApply(serverBinding -> {
          log.info("DICOM listener {} on {}", settings.aeTitle(), serverBinding.localAddress());
          return new Binding(serverBinding, active, killSwitch, refusing, settings, system);
        });
  }

  /** After the drain deadline, C-STOREs are refused (A700) this long before connections close. */
  static final Duration REFUSE_BEFORE_CLOSE = Duration.ofSeconds(5);

  private record Binding(Tcp.ServerBinding serverBinding, AtomicInteger active,
      SharedKillSwitch killSwitch, AtomicBoolean refusing, DicomServerSettings settings,
      ClassicActorSystemProvider system,
      java.util.concurrent.atomic.AtomicReference<CompletionStage<Done>> unbound)
      implements DicomServerBinding {

    Binding(Tcp.ServerBinding serverBinding, AtomicInteger active, SharedKillSwitch killSwitch,
        AtomicBoolean refusing, DicomServerSettings settings, ClassicActorSystemProvider system) {
      this(serverBinding, active, killSwitch, refusing, settings, system,
          new java.util.concurrent.atomic.AtomicReference<>());
    }

    @Override
    public InetSocketAddress localAddress() {
      return serverBinding.localAddress();
    }

    @Override
    public int activeAssociations() {
      return active.get();
    }

    /** Idempotent: a second call (e.g. unbind, then drain) returns the first call's stage. */
    @Override
    public CompletionStage<Done> unbind() {
      CompletableFuture<Done> mine = new CompletableFuture<>();
      if (!unbound.compareAndSet(null, mine)) {
        return unbound.get();
      }
      serverBinding.unbind().whenComplete((x, failure) -> {
        if (failure != null) {
          mine.completeExceptionally(failure);
        } else {
          mine.complete(Done.getInstance());
        }
      });
      return mine;
    }

    @Override
    public CompletionStage<Done> drain() {
      return drain(settings.drainTimeout());
    }

    @Override
    public CompletionStage<Done> drain(Duration deadline) {
      return unbind().thenCompose(x -> {
        CompletableFuture<Done> drained = new CompletableFuture<>();
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        poll(drained, deadlineNanos, false);
        return drained;
      });
    }

    /**
     * Polls the open-association count on the scheduler (no thread is blocked). At the deadline,
     * C-STOREs still arriving are answered A700 (retryable: nothing stored) for
     * {@link #REFUSE_BEFORE_CLOSE}, so that a sender learns per instance what to send again;
     * then the connections still open are closed.
     */
    private void poll(CompletableFuture<Done> drained, long deadlineNanos, boolean killed) {
      if (active.get() == 0) {
        drained.complete(Done.getInstance());
        return;
      }
      long now = System.nanoTime();
      if (!refusing.get() && now > deadlineNanos) {
        log.warn("drain deadline passed with {} associations open: refusing their C-STOREs (A700)"
            + " for {} s, then closing them", active.get(), REFUSE_BEFORE_CLOSE.toSeconds());
        refusing.set(true);
      }
      boolean kill = !killed && now > deadlineNanos + REFUSE_BEFORE_CLOSE.toNanos();
      if (kill) {
        log.warn("closing {} associations still open after the drain", active.get());
        killSwitch.shutdown();
      }
      var classic = system.classicSystem();
      classic.scheduler().scheduleOnce(
          scala.concurrent.duration.Duration.create(50, TimeUnit.MILLISECONDS),
          () -> poll(drained, deadlineNanos, killed || kill), classic.dispatcher());
    }
  }
}
