// SPDX-License-Identifier: Apache-2.0
package org.annal.http.impl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.Instant;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Internal API. What every route of the node answers in the same way: errors as
 * {@code {"status":406,"error":"Not Acceptable","message":"..."}} (the /api routes and DICOMweb,
 * where PS3.18 §8.6.3 leaves the payload to the server), pekko-http's own rejections in that
 * shape, echoed input clipped, and instants as the query parameters take them.
 */
public final class HttpErrors {
  private HttpErrors() {}

  public static HttpResponse response(StatusCode status, String message) {
    ObjectNode body = JsonNodeFactory.instance.objectNode()
        .put("status", status.intValue())
        .put("error", status.reason())
        .put("message", message);
    return HttpResponse.create().withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, body.toString());
  }

  public static Route error(StatusCode status, String message) {
    return Directives.complete(response(status, message));
  }

  /** The default rejections (404, 405, ...) with their text in the error shape above. */
  public static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity().getContentType().mediaType().toString().startsWith("application/json")) {
        return response;
      }
      String text = response.entity() instanceof HttpEntity.Strict strict
          ? strict.getData().utf8String() : response.status().reason();
      return response(response.status(), text).addHeaders(response.getHeaders());
    });
  }

  /** Input echoed in a message, cut to 80 characters. */
  public static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /**
   * An ISO-8601 instant ({@code 2026-11-30T10:00:00Z}) or epoch milliseconds.
   *
   * @throws IllegalArgumentException naming the parameter when it is neither
   */
  public static Instant instant(String name, String value) {
    try {
      return value.matches("[0-9]{1,15}") ? Instant.ofEpochMilli(Long.parseLong(value))
          : Instant.parse(value);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(name + " is neither an ISO-8601 instant "
          + "(2026-11-30T10:00:00Z) nor epoch milliseconds: " + clip(value));
    }
  }
}
