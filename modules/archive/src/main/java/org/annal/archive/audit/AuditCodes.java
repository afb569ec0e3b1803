// SPDX-License-Identifier: Apache-2.0
package org.annal.archive.audit;

import org.annal.archive.audit.AuditMessage.Code;

/**
 * The coded values Annal's audit messages use: DICOM Controlled Terminology (codeSystemName
 * {@code DCM}, PS3.16 Annex D) for event ids, roles and object id types (PS3.15 §A.5.2, §A.5.3),
 * and the RFC 3881 codes PS3.15 §A.5.1 keeps for the patient id type and the audit source type.
 */
public final class AuditCodes {
  private AuditCodes() {}

  public static final String DCM = "DCM";
  public static final String RFC_3881 = "RFC-3881";

  // EventID (PS3.15 §A.5.3)
  /** §A.5.3.3 Begin Transferring DICOM Instances. */
  public static final Code BEGIN_TRANSFERRING =
      new Code("110102", DCM, "Begin Transferring DICOM Instances");
  /** §A.5.3.4 DICOM Instances Transferred. */
  public static final Code INSTANCES_TRANSFERRED =
      new Code("110104", DCM, "DICOM Instances Transferred");
  /** §A.5.3.10 Query. */
  public static final Code QUERY = new Code("110112", DCM, "Query");

  // RoleIDCode of an ActiveParticipant (PS3.16 CID 402)
  public static final Code SOURCE = new Code("110153", DCM, "Source Role ID");
  public static final Code DESTINATION = new Code("110152", DCM, "Destination Role ID");

  // ParticipantObjectIDTypeCode
  public static final Code STUDY_INSTANCE_UID = new Code("110180", DCM, "Study Instance UID");
  public static final Code SOP_CLASS_UID = new Code("110181", DCM, "SOP Class UID");
  /** RFC 3881 §5.5.4 code 2, what PS3.15 §A.5.3 names for a patient's ID. */
  public static final Code PATIENT_NUMBER = new Code("2", RFC_3881, "Patient Number");

  /** AuditSourceTypeCode 4 (RFC 3881 §5.4.3): application server process tier. */
  public static final Code APPLICATION_SERVER = new Code("4", RFC_3881, "Application Server");

  // ParticipantObjectTypeCode and ...TypeCodeRole (RFC 3881 §5.5.1, §5.5.2)
  public static final int PERSON = 1;
  public static final int SYSTEM_OBJECT = 2;
  public static final int ROLE_PATIENT = 1;
  public static final int ROLE_REPORT = 3;
}
