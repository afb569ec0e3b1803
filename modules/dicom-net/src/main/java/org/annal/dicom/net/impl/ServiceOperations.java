// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.net.impl;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.annal.dicom.Dataset;
import org.annal.dicom.DatasetReader;
import org.annal.dicom.net.AssociationInfo;
import org.annal.dicom.net.CFindRq;
import org.annal.dicom.net.QueryRetrieveServices;
import org.annal.dicom.net.QueryRetrieveSopClasses;
import org.annal.dicom.net.RetrieveKind;
import org.annal.dicom.net.RetrieveRq;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * What the acceptor needs of the Query/Retrieve services (PS3.4 Annex C): which SOP classes to
 * negotiate, and the start of a C-FIND / C-MOVE / C-GET from its command and identifier.
 * Internal API.
 */
public final class ServiceOperations {
  /** Identifiers are small; a larger one is refused (bounds what an association buffers). */
  static final int MAX_IDENTIFIER_LENGTH = 1024 * 1024;

  private final QueryRetrieveServices services;
  private final ClassicActorSystemProvider system;

  public ServiceOperations(QueryRetrieveServices services, ClassicActorSystemProvider system) {
    this.services = services == null ? QueryRetrieveServices.NONE : services;
    this.system = system;
  }

  /** The Query/Retrieve SOP classes to accept: those whose handler is installed. */
  Set<String> sopClasses() {
    Set<String> classes = new HashSet<>();
    if (services.find() != null) {
      classes.addAll(QueryRetrieveSopClasses.FIND);
    }
    if (services.retrieve() != null && system != null) {
      classes.addAll(QueryRetrieveSopClasses.MOVE);
      classes.addAll(QueryRetrieveSopClasses.GET);
    }
    return classes;
  }

  boolean servesGet() {
    return services.retrieve() != null && system != null;
  }

  /** Whether a request with this command field is served on a context of this SOP class. */
  boolean serves(CommandField field, String sopClass) {
    return switch (field) {
      case C_FIND_RQ -> services.find() != null && QueryRetrieveSopClasses.FIND.contains(sopClass);
      case C_MOVE_RQ -> servesGet() && QueryRetrieveSopClasses.MOVE.contains(sopClass);
      case C_GET_RQ -> servesGet() && QueryRetrieveSopClasses.GET.contains(sopClass);
      default -> false;
    };
  }

  /** Contexts on which C-GET may send C-STORE-RQs: storage, accepted, SCP role granted. */
  static List<RetrieveOperation.StorageContext> getContexts(AAssociateAc ac,
      Map<Integer, String> abstractSyntaxes, Map<Integer, String> transferSyntaxes) {
    Set<String> scpGranted = new HashSet<>();
    for (RoleSelection role : ac.userInformation().roleSelections()) {
      if (role.scpRole() == 1) {
        scpGranted.add(role.sopClassUid());
      }
    }
    List<RetrieveOperation.StorageContext> contexts = new ArrayList<>();
    transferSyntaxes.forEach((id, ts) -> {
      String sopClass = abstractSyntaxes.get(id);
      if (scpGranted.contains(sopClass)) {
        contexts.add(new RetrieveOperation.StorageContext(id, sopClass, ts));
      }
    });
    return contexts;
  }

  /**
   * Starts the operation for a request whose identifier has arrived.
   *
   * @throws IOException if the identifier cannot be decoded (answered C000 by the caller)
   */
  ServiceOperation start(AssociationInfo info, CommandField field, CommandSet cmd, int messageId,
      int contextId, String transferSyntax, byte[] identifierBytes, int maxValueLength,
      List<RetrieveOperation.StorageContext> getContexts) throws IOException {
    Dataset identifier = DatasetReader.read(identifierBytes, transferSyntax);
    String sopClass = cmd.getString(CommandSet.AFFECTED_SOP_CLASS_UID);
    Integer priority = cmd.getUs(CommandSet.PRIORITY);
    int prio = priority == null ? 0 : priority;
    if (field == CommandField.C_FIND_RQ) {
      return new CFindOperation(services.find(), info,
          new CFindRq(messageId, sopClass, prio, transferSyntax), identifier, contextId,
          maxValueLength);
    }
    RetrieveKind kind = field == CommandField.C_MOVE_RQ ? RetrieveKind.MOVE : RetrieveKind.GET;
    RetrieveRq rq = new RetrieveRq(kind, messageId, sopClass, prio,
        kind == RetrieveKind.MOVE ? cmd.getString(CommandSet.MOVE_DESTINATION) : null,
        transferSyntax);
    return new RetrieveOperation(services, info, rq, identifier, contextId, maxValueLength,
        kind == RetrieveKind.GET ? getContexts : List.of(), system);
  }
}
