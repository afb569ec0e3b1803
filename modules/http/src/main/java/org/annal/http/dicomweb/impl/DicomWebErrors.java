// SPDX-License-Identifier: Apache-2.0
package org.annal.http.dicomweb.impl;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Internal API. Error answers of the DICOMweb routes (PS3.18 §8.6.3 leaves the payload to the
 * server): {@code {"status":406,"error":"Not Acceptable","message":"..."}} as the /api routes
 * answer, so a client reads every error the same way.
 */
public final class DicomWebErrors {
  private DicomWebErrors() {}

  public static HttpResponse response(StatusCode status, String message) {
    ObjectNode body = JsonNodeFactory.instance.objectNode()
        .put("status", status.intValue())
        .put("error", status.reason())
        .put("message", message);
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  public static Route error(StatusCode status, String message) {
    return Directives.complete(response(status, message));
  }
}
