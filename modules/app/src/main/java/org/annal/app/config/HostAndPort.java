// SPDX-License-Identifier: Apache-2.0
package org.annal.app.config;

/** A "host:port" pair, as {@code --cassandra} takes it ("[::1]:9042" for IPv6 literals). */
public record HostAndPort(String host, int port) {

  public HostAndPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range 1-65535: " + port);
    }
  }

  public static HostAndPort parse(String value) {
    int colon = value == null ? -1 : value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      return new HostAndPort(host, Integer.parseInt(value.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
    }
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
