// SPDX-License-Identifier: Apache-2.0
package org.annal.app.cli;

import org.annal.app.config.HostAndPort;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code --cassandra HOST:PORT}; a bad value is a usage error (exit 2). */
public final class HostAndPortConverter implements ITypeConverter<HostAndPort> {
  @Override
  public HostAndPort convert(String value) {
    return HostAndPort.parse(value);
  }
}
