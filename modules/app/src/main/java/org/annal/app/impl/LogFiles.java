// SPDX-License-Identifier: Apache-2.0
package org.annal.app.impl;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Logging set-up that depends on the command line: the data dir's log file, and the level of the
 * CLI tools. Internal API.
 */
public final class LogFiles {
  private LogFiles() {}

  /** Name of the logger whose events go to {@code audit.log} only (C-FIND queries, ...). */
  public static final String AUDIT_LOGGER = "annal.audit";

  /**
   * Adds {@code logDir/annal.log}: JSON lines (logback's JsonEncoder), rolled daily and at 100 MB,
   * 14 days kept; and {@code logDir/audit.log}, the same format, for the {@link #AUDIT_LOGGER}
   * only (kept 366 days: an audit trail outlives operational logs).
   */
  public static void attach(Path logDir) {
    LoggerContext context = context();
    if (context == null) {
      return;
    }
    context.getLogger(Logger.ROOT_LOGGER_NAME)
        .addAppender(jsonFile(context, "DATA_DIR_FILE", logDir, "annal", 14));
    Logger audit = context.getLogger(AUDIT_LOGGER);
    audit.setAdditive(false);
    audit.setLevel(Level.INFO);
    audit.addAppender(jsonFile(context, "AUDIT_FILE", logDir, "audit", 366));
  }

  private static RollingFileAppender<ILoggingEvent> jsonFile(LoggerContext context, String name,
      Path logDir, String base, int days) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    // The formatted message and key=value pairs; not the raw pattern, arguments or context blob.
    encoder.setWithFormattedMessage(true);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithContext(false);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.start();

    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName(name);
    appender.setFile(logDir.resolve(base + ".log").toString());
    appender.setEncoder(encoder);

    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(context);
    policy.setParent(appender);
    policy.setFileNamePattern(logDir.resolve(base + ".%d{yyyy-MM-dd}.%i.log.gz").toString());
    policy.setMaxFileSize(FileSize.valueOf("100MB"));
    policy.setMaxHistory(days);
    policy.start();
    appender.setRollingPolicy(policy);
    appender.start();
    return appender;
  }

  /**
   * Sets the root level, and that of the loggers logback.xml names, unless -Dannal.log.level chose
   * one: the CLI tools keep their output for their results.
   */
  public static void defaultLevel(String level) {
    LoggerContext context = context();
    if (context != null && System.getProperty("annal.log.level") == null) {
      Level l = Level.toLevel(level, Level.INFO);
      for (Logger logger : context.getLoggerList()) {
        if (logger.getLevel() != null && logger.getLevel().toInt() < l.toInt()) {
          logger.setLevel(l);
        }
      }
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(l);
    }
  }

  /** Sets one logger's level (e.g. a tool that prints what that logger would say). */
  public static void level(String loggerName, String level) {
    LoggerContext context = context();
    if (context != null) {
      context.getLogger(loggerName).setLevel(Level.toLevel(level, Level.INFO));
    }
  }

  /** Flushes and closes the appenders; call last before the JVM exits. */
  public static void shutdown() {
    LoggerContext context = context();
    if (context != null) {
      context.stop();
    }
  }

  private static LoggerContext context() {
    return LoggerFactory.getILoggerFactory() instanceof LoggerContext c ? c : null;
  }
}
