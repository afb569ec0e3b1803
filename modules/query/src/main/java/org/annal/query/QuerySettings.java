// SPDX-License-Identifier: Apache-2.0
package org.annal.query;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the query module, from {@code annal.query} (every key is commented in the module's
 * {@code reference.conf}).
 */
public record QuerySettings(
    Path indexDir,
    int maxResults,
    boolean personNameCaseInsensitive,
    int groupSize,
    Duration groupWindow,
    Duration commitInterval,
    Duration refreshSpacing,
    String readJournalPluginId,
    Duration lagLogInterval) {

  public QuerySettings {
    if (maxResults < 1) {
      throw new IllegalArgumentException("annal.query.max-results must be >= 1");
    }
    if (groupSize < 1) {
      throw new IllegalArgumentException("annal.query.group-size must be >= 1");
    }
    if (commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("annal.query.commit-interval must be > 0");
    }
    if (refreshSpacing.isNegative()) {
      throw new IllegalArgumentException("annal.query.refresh-spacing must be >= 0");
    }
  }

  public static QuerySettings fromConfig(Config root) {
    Config c = root.getConfig("annal.query");
    return new QuerySettings(
        Path.of(c.getString("index-dir")),
        c.getInt("max-results"),
        c.getBoolean("person-name-case-insensitive"),
        c.getInt("group-size"),
        c.getDuration("group-window"),
        c.getDuration("commit-interval"),
        c.getDuration("refresh-spacing"),
        c.getString("read-journal-plugin-id"),
        c.getDuration("lag-log-interval"));
  }

  public QuerySettings withIndexDir(Path dir) {
    return new QuerySettings(dir, maxResults, personNameCaseInsensitive, groupSize, groupWindow,
        commitInterval, refreshSpacing, readJournalPluginId, lagLogInterval);
  }

  public QuerySettings withMaxResults(int max) {
    return new QuerySettings(indexDir, max, personNameCaseInsensitive, groupSize, groupWindow,
        commitInterval, refreshSpacing, readJournalPluginId, lagLogInterval);
  }

  /** The default per-query options these settings imply (no combined date-time matching). */
  public QueryOptions defaultOptions() {
    return new QueryOptions(false, personNameCaseInsensitive);
  }
}
