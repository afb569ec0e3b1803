// SPDX-License-Identifier: Apache-2.0
package org.annal.http;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.RouteResult;
import org.apache.pekko.http.javadsl.testkit.RouteTest;
import org.apache.pekko.http.javadsl.testkit.TestRouteResult;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.TestInstance;
import scala.concurrent.Future;

/**
 * pekko-http-testkit's {@link RouteTest} on JUnit 5 (the testkit ships only a JUnit 4 base class):
 * one ActorSystem per test class, assertions through Jupiter. Public: route tests of other packages
 * ({@code org.annal.app.cluster.InternalRoutesTest}) extend it too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class JupiterRouteTest extends RouteTest {
  // Local provider: the app's reference.conf asks for the cluster one, which would bind a port.
  private final ActorSystem system = ActorSystem.create(getClass().getSimpleName(),
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private final Materializer materializer = Materializer.matFromSystem(system);

  @Override
  public ActorSystem system() {
    return system;
  }

  @Override
  public Materializer materializer() {
    return materializer;
  }

  @Override
  public TestRouteResult createTestRouteResultAsync(HttpRequest request, Future<RouteResult> result) {
    return new TestRouteResult(result, awaitDuration(), system.dispatcher(), materializer) {
      @Override
      public void assertEquals(Object expected, Object actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertEquals(int expected, int actual, String message) {
        Assertions.assertEquals(expected, actual, message);
      }

      @Override
      public void assertTrue(boolean predicate, String message) {
        Assertions.assertTrue(predicate, message);
      }

      @Override
      public void fail(String message) {
        Assertions.fail(message);
      }
    };
  }

  @AfterAll
  protected void shutdownSystem() {
    system.terminate();
  }
}
