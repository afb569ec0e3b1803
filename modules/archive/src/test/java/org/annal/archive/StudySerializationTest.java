// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import static org.annal.archive.Fixtures.instance;
import static org.annal.archive.Fixtures.sha;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.annal.archive.Study.DuplicateInstanceReceived;
import org.annal.archive.Study.InstanceStored;
import org.annal.archive.impl.EventHashing;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every command, event, reply and the state go through the real Jackson CBOR serializer. */
class StudySerializationTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("StudySerializationTest");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static InstanceStored stored() {
    return new InstanceStored(instance("1.2.3.1", sha('a'), "0000aaaa-1"), "", "n1", "s1", 42L);
  }

  private static DuplicateInstanceReceived duplicate() {
    return new DuplicateInstanceReceived("1.2.3.1",
        DuplicateInstanceReceived.Resolution.KEPT_FIRST, sha('a'), sha('c'),
        instance("1.2.3.1", sha('c'), "0000aaaa-2"), EventHashing.hash(stored()), "n1", "s1", 43L);
  }

  /** Serializes with the configured serializer, checks it is Jackson CBOR, deserializes. */
  private static Object roundTrip(Object o) {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    var serializer = serialization.findSerializerFor(o);
    assertTrue(serializer.getClass().getName().contains("JacksonCborSerializer"),
        o.getClass() + " uses " + serializer.getClass());
    byte[] bytes = serialization.serialize(o).get();
    return serialization.deserialize(bytes, serializer.identifier(),
        Serializers.manifestFor(serializer, o)).get();
  }

  @Test
  void eventsRoundTrip() {
    assertEquals(stored(), roundTrip(stored()));
    assertEquals(duplicate(), roundTrip(duplicate()));
  }

  @Test
  void stateRoundTrips() {
    Study.State state = Study.State.empty(Fixtures.STUDY).apply(stored()).apply(duplicate());
    assertEquals(state, roundTrip(state));
    assertEquals(2, state.eventCount());
  }

  @Test
  void commandsAndRepliesRoundTrip() {
    TestProbe<StatusReply<Study.Recorded>> probe = testKit.createTestProbe();
    TestProbe<Study.State> stateProbe = testKit.createTestProbe();
    var record = new Study.RecordInstance(instance("1.2.3.1", sha('a'), "0000aaaa-1"), probe.ref());
    assertEquals(record, roundTrip(record));
    var get = new Study.GetState(stateProbe.ref());
    assertEquals(get, roundTrip(get));
    var recorded = new Study.Recorded(Study.Outcome.STORED, "1.2.3.1", sha('d'));
    assertEquals(recorded, roundTrip(recorded));
  }

  @Test
  void canonicalFormIsSortedJsonWithTypeFirst() throws Exception {
    String json = new String(EventHashing.canonicalBytes(stored()), StandardCharsets.UTF_8);
    assertTrue(json.startsWith("{\"type\":\"InstanceStored/1\","), json);
    assertTrue(!json.contains(" :") && !json.contains("\n"), json);
    JsonNode tree = new ObjectMapper().readTree(json);
    assertSorted(tree, true);
    // Hash is SHA-256 of exactly those bytes.
    assertEquals(org.annal.archive.impl.Sha256.of(json.getBytes(StandardCharsets.UTF_8)),
        EventHashing.hash(stored()));
    // Same event after a serialization round trip: same hash (the chain survives the journal).
    assertEquals(EventHashing.hash(duplicate()), EventHashing.hash((Study.Event) roundTrip(duplicate())));
    // Null fields are left out, so an optional field added later does not change old hashes.
    var withNull = new InstanceStored(new ReceivedInstance(Fixtures.STUDY, Fixtures.SERIES, "1.2",
        "1.2", "1.2", 1, sha('a'), sha('a'), new Placement("n", "s", "t", "0000aaaa-1"),
        new Sender("A", null, "", "x", null), 1, Map.of()), "", "n", "s", 1);
    String nulls = new String(EventHashing.canonicalBytes(withNull), StandardCharsets.UTF_8);
    assertTrue(!nulls.contains("null") && !nulls.contains("calledAeTitle"), nulls);
    String dup = new String(EventHashing.canonicalBytes(duplicate()), StandardCharsets.UTF_8);
    assertTrue(dup.startsWith("{\"type\":\"DuplicateInstanceReceived/1\","), dup);
  }

  private static void assertSorted(JsonNode node, boolean top) {
    if (!node.isObject()) {
      return;
    }
    List<String> names = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      var e = it.next();
      names.add(e.getKey());
      assertSorted(e.getValue(), false);
    }
    List<String> rest = top ? names.subList(1, names.size()) : names;
    List<String> sorted = new ArrayList<>(rest);
    sorted.sort(null);
    assertEquals(sorted, rest, "keys sorted in " + node);
    assertTrue(Set.copyOf(names).size() == names.size());
  }
}
