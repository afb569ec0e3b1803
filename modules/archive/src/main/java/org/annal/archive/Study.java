// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.annal.archive.impl.EventHashing;
import org.annal.archive.impl.IndexedAttributes;
import org.annal.archive.impl.PersistentMap;
import org.annal.archive.impl.Sha256;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The Study entity: the single writer of one study's journal (ARCHITECTURE invariant 2), sharded
 * by Study Instance UID (0020,000D), persistence id {@code Study|<StudyInstanceUID>}.
 *
 * <h2>Command → event → state</h2>
 *
 * <ul>
 *   <li>{@link RecordInstance} for a SOP Instance UID the study does not hold → {@link
 *       InstanceStored}; the instance, its series and the patient/study attributes enter the
 *       state; reply {@link Outcome#STORED}.
 *   <li>the same SOP Instance UID with the same data set SHA-256 → {@link
 *       DuplicateInstanceReceived} ({@code ACKNOWLEDGED_IDENTICAL}); state unchanged but for the
 *       chain head; reply {@link Outcome#DUPLICATE_IDENTICAL} (the caller deletes its new blob).
 *   <li>the same SOP Instance UID with different bytes, policy {@code keep-first} → {@link
 *       DuplicateInstanceReceived} ({@code KEPT_FIRST}); reply {@link
 *       Outcome#DUPLICATE_KEPT_FIRST} (the caller deletes its new blob and answers a warning).
 *   <li>... policy {@code replace} → {@link DuplicateInstanceReceived} ({@code REPLACED}) then
 *       {@link InstanceStored} for the new bytes, which replace the instance in the state; reply
 *       {@link Outcome#DUPLICATE_REPLACED}.
 *   <li>an instance whose placement (same node and blob key) is already on record → no event;
 *       reply {@link Outcome#STORED}: the caller retried a write whose reply was lost.
 *   <li>{@link RecordAccess} → {@link StudyAccessed}; reply once persisted.
 *   <li>{@link GetState} → no event; reply the {@link State}.
 *   <li>{@link Stop} → the entity stops. Cluster Sharding sends it at passivation and when a
 *       leaving node hands its shards off; as an ordinary command it is handled after the ones
 *       already waiting (stashed while a write is in flight), so none of them is dropped.
 * </ul>
 *
 * <p>The reply is sent only after the events are persisted: the C-STORE handler answers Success on
 * it (ARCHITECTURE invariant 1). Every event carries the hash of the previous one ({@link
 * EventHashing}); the state keeps the head. Events are tagged {@code study-0} .. {@code study-7}
 * for projections ({@link #TAG_COUNT}, fixed forever). The shapes are documented in the module's
 * EVENTS.md.
 */
public final class Study
    extends EventSourcedBehaviorWithEnforcedReplies<Study.Command, Study.Event, Study.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Study");

  /**
   * Number of projection tags. FIXED FOREVER: tags are written into the journal with each event
   * and projections resume by tag, so changing this would split a study's history across tags.
   */
  public static final int TAG_COUNT = 8;

  /** All projection tags, {@code study-0} .. {@code study-7}. */
  public static final List<String> TAGS =
      IntStream.range(0, TAG_COUNT).mapToObj(i -> "study-" + i).toList();

  // ---------------------------------------------------------------------------------- commands

  /** What the Study entity accepts. */
  public sealed interface Command extends CborSerializable
      permits RecordInstance, RecordInstances, RecordAccess, GetState, Stop {}

  /** Record an instance whose blob is already durable; replies once the event is persisted. */
  public record RecordInstance(ReceivedInstance instance, ActorRef<StatusReply<Recorded>> replyTo)
      implements Command {}

  /**
   * Record several instances (blobs durable) in ONE journal write: their events are persisted
   * atomically, in list order, each chained to the one before. Replies once all are persisted,
   * one {@link Recorded} per instance in the same order. The same SOP Instance UID twice in one
   * list is a duplicate of its first occurrence, exactly as if sent one after the other. This is
   * how concurrent C-STOREs of one study share a Cassandra write (group commit per study).
   */
  public record RecordInstances(
      List<ReceivedInstance> instances, ActorRef<StatusReply<RecordedBatch>> replyTo)
      implements Command {
    public RecordInstances {
      instances = List.copyOf(instances);
    }
  }

  /** Record that instances of the study were read out (C-MOVE, C-GET); replies once persisted. */
  public record RecordAccess(Access access, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /** Reply the current state. */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  /** Stop after the commands before it (the sharding stop message: passivation, hand-off). */
  public enum Stop implements Command { INSTANCE }

  /** What became of a {@link RecordInstance}. */
  public enum Outcome {
    STORED,
    DUPLICATE_IDENTICAL,
    DUPLICATE_KEPT_FIRST,
    DUPLICATE_REPLACED
  }

  /**
   * The reply to {@link RecordInstance}: sent only after its events are persisted.
   *
   * @param headHash hash of the last event written for this instance
   */
  public record Recorded(Outcome outcome, String sopInstanceUid, String headHash)
      implements CborSerializable {}

  /** The reply to {@link RecordInstances}: one result per instance, in order. */
  public record RecordedBatch(List<Recorded> results) implements CborSerializable {
    public RecordedBatch {
      results = List.copyOf(results);
    }
  }

  // ------------------------------------------------------------------------------------ events

  /**
   * A fact in a study's history. Stored forever: every event type has a versioned type id (the
   * {@code type} property, e.g. {@code InstanceStored/1}); an incompatible change gets a new
   * version, never an edit. Every event carries the chain link and who wrote it when.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(InstanceStored.class),
    @JsonSubTypes.Type(DuplicateInstanceReceived.class),
    @JsonSubTypes.Type(StudyAccessed.class)
  })
  public sealed interface Event extends CborSerializable
      permits InstanceStored, DuplicateInstanceReceived, StudyAccessed {
    /** SHA-256 of the previous event of this study in canonical form; "" for the first. */
    String prevHash();

    /** Node that wrote the event. */
    String node();

    /** Site of that node. */
    String site();

    /** When the event was written, UTC epoch milliseconds. */
    long at();
  }

  /**
   * An instance's blob is durable and it is now part of the study (version 1).
   *
   * @param instance what was received, checksums, placement, sender and index attributes
   */
  @JsonTypeName("InstanceStored/1")
  public record InstanceStored(
      ReceivedInstance instance, String prevHash, String node, String site, long at)
      implements Event {
    public InstanceStored {
      Objects.requireNonNull(instance, "instance");
      Objects.requireNonNull(prevHash, "prevHash");
    }
  }

  /**
   * A SOP Instance UID the study already held arrived again (version 1). Records both data set
   * checksums and the full description of the received copy (sender, placement of its blob).
   *
   * @param sopInstanceUid the duplicated SOP Instance UID
   * @param resolution what the entity did
   * @param existingDatasetSha256 data set SHA-256 of the instance on record before this event
   * @param receivedDatasetSha256 data set SHA-256 of the copy just received
   * @param received the copy just received; its blob is deleted by the receiver unless REPLACED
   */
  @JsonTypeName("DuplicateInstanceReceived/1")
  public record DuplicateInstanceReceived(
      String sopInstanceUid,
      Resolution resolution,
      String existingDatasetSha256,
      String receivedDatasetSha256,
      ReceivedInstance received,
      String prevHash,
      String node,
      String site,
      long at)
      implements Event {
    public DuplicateInstanceReceived {
      Objects.requireNonNull(resolution, "resolution");
      Objects.requireNonNull(received, "received");
      Objects.requireNonNull(prevHash, "prevHash");
    }

    /** Part of the stored event: values are never renamed or removed. */
    public enum Resolution {
      /** Same data set bytes: acknowledged, not stored twice. */
      ACKNOWLEDGED_IDENTICAL,
      /** Different bytes, policy keep-first: the received copy was discarded. */
      KEPT_FIRST,
      /** Different bytes, policy replace: an InstanceStored for the received copy follows. */
      REPLACED
    }
  }

  /**
   * Instances of the study were read out (version 1): who asked, how, where they went, which
   * ones, and the outcome. Written after the retrieve's final response (the access happened, so it
   * is recorded whatever its outcome). Changes nothing in the state but the chain.
   */
  @JsonTypeName("StudyAccessed/1")
  public record StudyAccessed(Access access, String prevHash, String node, String site, long at)
      implements Event {
    public StudyAccessed {
      Objects.requireNonNull(access, "access");
      Objects.requireNonNull(prevHash, "prevHash");
    }
  }

  /**
   * One retrieval of instances of one study, as {@link StudyAccessed} records it.
   *
   * @param how {@code C-MOVE}, {@code C-GET}, {@code WADO-RS} or {@code WADO-URI}
   * @param requester the association that asked (calling AE, called AE, peer address, id)
   * @param destinationAeTitle where the instances went: the Move Destination, or for C-GET the
   *     requester's own AE title
   * @param seriesInstanceUids the series of the instances below, sorted
   * @param completed SOP Instance UIDs sent with status Success, sorted
   * @param warning SOP Instance UIDs sent with a warning status (stored by the peer), sorted
   * @param failed SOP Instance UIDs that failed or were not attempted, sorted
   * @param status the final response's status, 4 hex digits (e.g. {@code 0000}, {@code B000})
   * @param cancelled whether a C-CANCEL stopped it before every instance was attempted
   * @param requestedAt when the request arrived, UTC epoch ms
   * @param servedBy the node that served the retrieve (the event's {@code node} is the node that
   *     hosts the study's entity, which may be another)
   * @param resource for DICOMweb, the path asked for (e.g. {@code /dicom-web/studies/1.2/metadata});
   *     null for DIMSE retrieves and in events written before it existed
   * @param userAgent for DICOMweb, the client's User-Agent; null otherwise
   */
  public record Access(
      String how,
      Sender requester,
      String destinationAeTitle,
      List<String> seriesInstanceUids,
      List<String> completed,
      List<String> warning,
      List<String> failed,
      String status,
      boolean cancelled,
      long requestedAt,
      String servedBy,
      String resource,
      String userAgent)
      implements CborSerializable {
    /** A DIMSE retrieve (C-MOVE, C-GET): no resource or user agent. */
    public Access(String how, Sender requester, String destinationAeTitle,
        List<String> seriesInstanceUids, List<String> completed, List<String> warning,
        List<String> failed, String status, boolean cancelled, long requestedAt, String servedBy) {
      this(how, requester, destinationAeTitle, seriesInstanceUids, completed, warning, failed,
          status, cancelled, requestedAt, servedBy, null, null);
    }

    public Access {
      Objects.requireNonNull(how, "how");
      Objects.requireNonNull(requester, "requester");
      seriesInstanceUids = List.copyOf(seriesInstanceUids);
      completed = List.copyOf(completed);
      warning = List.copyOf(warning);
      failed = List.copyOf(failed);
    }
  }

  // ------------------------------------------------------------------------------------- state

  /**
   * What the journal says about the study now. Mergeable by construction (ARCHITECTURE
   * invariant 2): maps keyed by UID and keyword, sets of placements; {@code eventCount} and {@code
   * headHash} describe this replica's chain.
   *
   * @param patient patient-level attributes by keyword (last value received wins per keyword)
   * @param study study-level attributes by keyword
   * @param series series by Series Instance UID
   * @param instances instances by SOP Instance UID
   */
  public record State(
      String studyInstanceUid,
      Map<String, String> patient,
      Map<String, String> study,
      Map<String, Series> series,
      Map<String, Instance> instances,
      long eventCount,
      String headHash)
      implements CborSerializable {

    public State {
      patient = Map.copyOf(patient);
      study = Map.copyOf(study);
      // Persistent maps: one event adds an entry in O(log n) instead of copying them all.
      series = PersistentMap.copyOf(series);
      instances = PersistentMap.copyOf(instances);
    }

    public static State empty(String studyInstanceUid) {
      return new State(studyInstanceUid, Map.of(), Map.of(), Map.of(), Map.of(), 0, "");
    }

    /** Folds one event in; used by the entity and by replays outside it (verify, sweeper). */
    public State apply(Event event) {
      return apply(event, EventHashing.hash(event));
    }

    /** As {@link #apply(Event)}, with the event's hash already computed by the caller. */
    State apply(Event event, String eventHash) {
      State next = this;
      if (event instanceof InstanceStored stored) {
        next = withInstance(stored.instance());
      }
      // A duplicate changes nothing but the chain: REPLACED is followed by its InstanceStored.
      return new State(next.studyInstanceUid, next.patient, next.study, next.series,
          next.instances, eventCount + 1, eventHash);
    }

    private State withInstance(ReceivedInstance in) {
      Map<String, String> attrs = in.attributes();
      Series before = series.get(in.seriesInstanceUid());
      Map<String, String> seriesAttrs = merge(before == null ? Map.of() : before.attributes(),
          IndexedAttributes.select(attrs, IndexedAttributes.Level.SERIES));
      Map<String, Series> nextSeries = before != null && seriesAttrs == before.attributes()
          ? series
          : ((PersistentMap<String, Series>) series).plus(in.seriesInstanceUid(),
              new Series(in.seriesInstanceUid(), seriesAttrs));
      Map<String, Instance> nextInstances =
          ((PersistentMap<String, Instance>) instances).plus(in.sopInstanceUid(), Instance.of(in));
      return new State(studyInstanceUid,
          merge(patient, IndexedAttributes.select(attrs, IndexedAttributes.Level.PATIENT)),
          merge(study, IndexedAttributes.select(attrs, IndexedAttributes.Level.STUDY)),
          nextSeries, nextInstances, eventCount, headHash);
    }

    /** {@code old} itself when {@code add} changes nothing (the common case within a series). */
    private static Map<String, String> merge(Map<String, String> old, Map<String, String> add) {
      if (old.entrySet().containsAll(add.entrySet())) {
        return old;
      }
      Map<String, String> m = new HashMap<>(old);
      m.putAll(add);
      return m;
    }
  }

  /** A series of the study with its series-level attributes (Modality, SeriesNumber, ...). */
  public record Series(String seriesInstanceUid, Map<String, String> attributes)
      implements CborSerializable {
    public Series {
      attributes = Map.copyOf(attributes);
    }
  }

  /**
   * An instance on record: its checksums and every placement of its blob.
   *
   * @param receivedAt when the copy on record was received, UTC epoch milliseconds
   * @param attributes instance-level attributes (InstanceNumber, Rows, ...)
   */
  public record Instance(
      String sopInstanceUid,
      String sopClassUid,
      String seriesInstanceUid,
      String transferSyntaxUid,
      long size,
      String sha256,
      String datasetSha256,
      Set<Placement> placements,
      Sender source,
      long receivedAt,
      Map<String, String> attributes)
      implements CborSerializable {
    public Instance {
      placements = Set.copyOf(placements);
      attributes = Map.copyOf(attributes);
    }

    static Instance of(ReceivedInstance in) {
      return new Instance(in.sopInstanceUid(), in.sopClassUid(), in.seriesInstanceUid(),
          in.transferSyntaxUid(), in.size(), in.sha256(), in.datasetSha256(),
          Set.of(in.placement()), in.source(), in.receivedAt(),
          IndexedAttributes.select(in.attributes(), IndexedAttributes.Level.INSTANCE));
    }
  }

  // -------------------------------------------------------------------------------- behaviour

  /** Registers the entity with Cluster Sharding on this node. */
  public static void init(ActorSystem<?> system, ArchiveSettings settings) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC()))
        // Without a stop message the entity would be stopped at once, dropping the C-STOREs
        // stashed behind a write in flight (their senders would time out during a hand-off).
        .withStopMessage(Stop.INSTANCE));
  }

  public static Behavior<Command> create(
      String studyInstanceUid, ArchiveSettings settings, Clock clock) {
    return Behaviors.setup(ctx -> new Study(ctx, studyInstanceUid, settings, clock));
  }

  /** {@code Study|<StudyInstanceUID>}. */
  public static PersistenceId persistenceId(String studyInstanceUid) {
    return PersistenceId.of(ENTITY_KEY.name(), studyInstanceUid, "|");
  }

  /**
   * The projection tag of a study: {@code study-N}, N = first byte of SHA-256(UTF-8 of the Study
   * Instance UID) modulo {@link #TAG_COUNT}. Defined on bytes, not on Java's hashCode, so that
   * tools in other languages can compute it.
   */
  public static String tagFor(String studyInstanceUid) {
    byte[] digest = Sha256.newDigest().digest(studyInstanceUid.getBytes(StandardCharsets.UTF_8));
    return TAGS.get((digest[0] & 0xFF) % TAG_COUNT);
  }

  private final ActorContext<Command> context;
  private final String studyInstanceUid;
  private final ArchiveSettings settings;
  private final Clock clock;
  private final Set<String> tags;
  /**
   * Hashes computed while planning a write, by event identity, so that the event handler does not
   * compute them again. Only the entity's own thread touches it; entries are removed when applied
   * (a failed persist leaves its few entries until the entity stops; a miss only costs a hash).
   */
  private final Map<Event, String> plannedHashes = new IdentityHashMap<>();

  private Study(ActorContext<Command> context, String studyInstanceUid, ArchiveSettings settings,
      Clock clock) {
    // A failed persist restarts the entity with backoff (recovering from the journal) instead of
    // stopping it; the caller's ask then times out and it answers A700.
    super(persistenceId(studyInstanceUid),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.studyInstanceUid = studyInstanceUid;
    this.settings = settings;
    this.clock = clock;
    this.tags = Set.of(tagFor(studyInstanceUid));
  }

  @Override
  public State emptyState() {
    return State.empty(studyInstanceUid);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(RecordInstance.class, this::onRecordInstance)
        .onCommand(RecordInstances.class, this::onRecordInstances)
        .onCommand(RecordAccess.class, (state, cmd) -> {
          StudyAccessed event = new StudyAccessed(cmd.access(), state.headHash(), settings.nodeId(),
              settings.site(), clock.millis());
          plannedHashes.put(event, EventHashing.hash(event));
          return Effect().persist(event).thenReply(cmd.replyTo(),
              s -> StatusReply.success(Done.getInstance()));
        })
        .onCommand(GetState.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .onCommand(Stop.class, (state, cmd) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<Event, State> onRecordInstance(State state, RecordInstance cmd) {
    return record(state, List.of(cmd.instance()), cmd.replyTo(), results -> results.get(0));
  }

  private ReplyEffect<Event, State> onRecordInstances(State state, RecordInstances cmd) {
    return record(state, cmd.instances(), cmd.replyTo(), RecordedBatch::new);
  }

  /** One atomic write for {@code instances}; the reply, made from their results, after it. */
  private <R> ReplyEffect<Event, State> record(State state, List<ReceivedInstance> instances,
      ActorRef<StatusReply<R>> replyTo, Function<List<Recorded>, R> reply) {
    String wrong = wrongStudy(instances);
    if (wrong != null) {
      return Effect().reply(replyTo, StatusReply.error(wrong));
    }
    if (instances.isEmpty()) {
      return Effect().reply(replyTo, StatusReply.success(reply.apply(List.of())));
    }
    Plan plan = plan(state, instances);
    return Effect().persist(plan.events())
        .thenReply(replyTo, s -> StatusReply.success(reply.apply(plan.results())));
  }

  private String wrongStudy(List<ReceivedInstance> instances) {
    for (ReceivedInstance in : instances) {
      if (!in.studyInstanceUid().equals(studyInstanceUid)) {
        return "instance of study " + in.studyInstanceUid() + " sent to study " + studyInstanceUid;
      }
    }
    return null;
  }

  /** The events for some instances, in order and chained, and the reply for each. */
  private record Plan(List<Event> events, List<Recorded> results) {}

  private Plan plan(State state, List<ReceivedInstance> instances) {
    long now = clock.millis();
    List<Event> events = new ArrayList<>(instances.size());
    List<Recorded> results = new ArrayList<>(instances.size());
    // Data set SHA-256 of instances stored earlier in this same write.
    Map<String, String> storedNow = new HashMap<>();
    String head = state.headHash();
    for (ReceivedInstance in : instances) {
      String uid = in.sopInstanceUid();
      Instance onRecord = state.instances().get(uid);
      if (!storedNow.containsKey(uid) && onRecord != null
          && onRecord.placements().contains(in.placement())) {
        // The same blob again: a retry of a write that landed while its reply was lost (the
        // asking node timed out, e.g. while this study's node died). Nothing new to record.
        results.add(new Recorded(Outcome.STORED, uid, head));
        continue;
      }
      String existingSha = storedNow.get(uid);
      if (existingSha == null) {
        existingSha = onRecord == null ? null : onRecord.datasetSha256();
      }
      Outcome outcome;
      if (existingSha == null) {
        head = add(events, new InstanceStored(in, head, settings.nodeId(), settings.site(), now));
        storedNow.put(uid, in.datasetSha256());
        outcome = Outcome.STORED;
      } else {
        DuplicateInstanceReceived.Resolution resolution;
        if (existingSha.equals(in.datasetSha256())) {
          resolution = DuplicateInstanceReceived.Resolution.ACKNOWLEDGED_IDENTICAL;
          outcome = Outcome.DUPLICATE_IDENTICAL;
        } else if (settings.duplicatePolicy() == DuplicatePolicy.REPLACE) {
          resolution = DuplicateInstanceReceived.Resolution.REPLACED;
          outcome = Outcome.DUPLICATE_REPLACED;
        } else {
          resolution = DuplicateInstanceReceived.Resolution.KEPT_FIRST;
          outcome = Outcome.DUPLICATE_KEPT_FIRST;
        }
        head = add(events, new DuplicateInstanceReceived(uid, resolution, existingSha,
            in.datasetSha256(), in, head, settings.nodeId(), settings.site(), now));
        if (resolution == DuplicateInstanceReceived.Resolution.REPLACED) {
          // The replacement follows its duplicate record in the same atomic write.
          head = add(events, new InstanceStored(in, head, settings.nodeId(), settings.site(), now));
          storedNow.put(uid, in.datasetSha256());
        }
      }
      results.add(new Recorded(outcome, uid, head));
    }
    return new Plan(events, results);
  }

  /** Appends an event and returns its hash: the next event's prevHash. */
  private String add(List<Event> events, Event event) {
    String hash = EventHashing.hash(event);
    plannedHashes.put(event, hash);
    events.add(event);
    return hash;
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> {
          if (!event.prevHash().equals(state.headHash())) {
            // Tamper evidence: never silently accepted, but the history is what it is.
            context.getLog().error("Hash chain broken in {} at event {}: prevHash {} but head {}",
                persistenceId().id(), state.eventCount() + 1, event.prevHash(), state.headHash());
          }
          String hash = plannedHashes.remove(event);
          return hash == null ? state.apply(event) : state.apply(event, hash);
        });
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots only bound recovery time; events are the record and are never deleted.
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.snapshotsToKeep());
  }
}
