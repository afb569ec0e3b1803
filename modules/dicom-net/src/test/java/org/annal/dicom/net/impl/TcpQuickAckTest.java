// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The channel of a connection Pekko accepted is found under the addresses Pekko reports. */
class TcpQuickAckTest {
  static ActorSystem system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("TcpQuickAckTest");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void acceptedConnectionGetsAWorkingHookOnce() throws Exception {
    CompletableFuture<Runnable> hook = new CompletableFuture<>();
    CompletableFuture<Runnable> again = new CompletableFuture<>();
    Tcp.ServerBinding binding = Tcp.get(system)
        .bind("127.0.0.1", 0, 8, List.of(TcpQuickAck.option()), false, Optional.empty())
        .to(Sink.foreach(connection -> {
          hook.complete(TcpQuickAck.take(connection.localAddress(), connection.remoteAddress()));
          again.complete(TcpQuickAck.take(connection.localAddress(), connection.remoteAddress()));
          connection.handleWith(Flow.<ByteString>create(), system);
        }))
        .run(system).toCompletableFuture().get(5, TimeUnit.SECONDS);
    try (Socket peer = new Socket()) {
      peer.connect(new InetSocketAddress("127.0.0.1", binding.localAddress().getPort()), 5000);
      Runnable taken = hook.get(5, TimeUnit.SECONDS);
      boolean supported;
      try (SocketChannel probe = SocketChannel.open()) {
        supported = probe.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
      }
      if (supported) { // Linux
        assertNotSame(TcpQuickAck.NONE, taken, "the accepted channel was recorded");
      }
      taken.run(); // sets TCP_QUICKACK on the live channel: must not throw
      assertSame(TcpQuickAck.NONE, again.get(5, TimeUnit.SECONDS), "handed out once");
      // After the close the hook is harmless too.
      peer.close();
      Thread.sleep(100);
      taken.run();
    } finally {
      binding.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void unknownConnectionGetsTheNoOp() {
    assertSame(TcpQuickAck.NONE, TcpQuickAck.take(new InetSocketAddress("127.0.0.1", 1),
        new InetSocketAddress("127.0.0.1", 2)));
  }
}
