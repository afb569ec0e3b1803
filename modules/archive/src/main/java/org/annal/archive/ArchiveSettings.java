// SPDX-License-Identifier: Apache-2.0
package org.annal.archive;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The {@code annal.archive} block of the configuration (see this module's {@code reference.conf},
 * where every key is explained).
 */
public record ArchiveSettings(
    String nodeId,
    String site,
    String storageTier,
    DuplicatePolicy duplicatePolicy,
    Duration askTimeout,
    Duration recordAttemptTimeout,
    int snapshotEvery,
    int snapshotsToKeep,
    int headerPrefixLimit,
    Duration orphanGrace,
    String readJournalPluginId,
    int verifyParallelism) {

  public ArchiveSettings {
    if (recordAttemptTimeout.isZero() || recordAttemptTimeout.isNegative()) {
      throw new IllegalArgumentException("record-attempt-timeout must be positive");
    }
    if (snapshotEvery < 1 || snapshotsToKeep < 1) {
      throw new IllegalArgumentException("snapshot-every and snapshots-to-keep must be >= 1");
    }
    if (headerPrefixLimit < 1024) {
      throw new IllegalArgumentException("header-prefix-limit must be at least 1 KiB");
    }
    if (verifyParallelism < 1) {
      throw new IllegalArgumentException("verify-parallelism must be >= 1");
    }
  }

  /** Reads {@code annal.archive} from a full configuration. */
  public static ArchiveSettings fromConfig(Config root) {
    Config c = root.getConfig("annal.archive");
    long prefix = c.getBytes("header-prefix-limit");
    if (prefix > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("header-prefix-limit too large: " + prefix);
    }
    return new ArchiveSettings(
        c.getString("node-id"),
        c.getString("site"),
        c.getString("storage-tier"),
        DuplicatePolicy.fromConfig(c.getString("duplicate-policy")),
        c.getDuration("ask-timeout"),
        c.getDuration("record-attempt-timeout"),
        c.getInt("snapshot-every"),
        c.getInt("snapshots-to-keep"),
        (int) prefix,
        c.getDuration("orphan-grace"),
        c.getString("read-journal-plugin-id"),
        c.getInt("verify-parallelism"));
  }

  public static ArchiveSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config());
  }

  public ArchiveSettings withDuplicatePolicy(DuplicatePolicy policy) {
    return new ArchiveSettings(nodeId, site, storageTier, policy, askTimeout, recordAttemptTimeout, snapshotEvery,
        snapshotsToKeep, headerPrefixLimit, orphanGrace, readJournalPluginId, verifyParallelism);
  }

  public ArchiveSettings withHeaderPrefixLimit(int limit) {
    return new ArchiveSettings(nodeId, site, storageTier, duplicatePolicy, askTimeout, recordAttemptTimeout,
        snapshotEvery, snapshotsToKeep, limit, orphanGrace, readJournalPluginId, verifyParallelism);
  }

  public ArchiveSettings withReadJournalPluginId(String pluginId) {
    return new ArchiveSettings(nodeId, site, storageTier, duplicatePolicy, askTimeout, recordAttemptTimeout,
        snapshotEvery, snapshotsToKeep, headerPrefixLimit, orphanGrace, pluginId,
        verifyParallelism);
  }
}
