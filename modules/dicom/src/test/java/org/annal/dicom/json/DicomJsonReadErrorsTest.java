// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom.json;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JSON that is well formed but not a DICOM JSON object: a clear IOException naming the element. */
class DicomJsonReadErrorsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "'[]'                                                  | the JSON value is an array",
      "'{\"0010001\":{\"vr\":\"PN\"}}'                       | 8 hex digits",
      "'{\"00100010\":[]}'"
          + " | 00100010: expected an attribute object",
      "'{\"00100010\":{}}'"
          + " | 00100010: \"vr\" must be a DICOM VR, found none",
      "'{\"00100010\":{\"vr\":\"XX\"}}'                      | must be a DICOM VR, found \"XX\"",
      "'{\"00100010\":{\"vr\":\"PN\",\"value\":[]}}'         | unknown member \"value\"",
      "'{\"00100010\":{\"vr\":\"PN\",\"Value\":[\"Doe\"]}}'  | a PN value must be an object",
      "'{\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":1}]}}' | only the string members",
      "'{\"00100010\":{\"vr\":\"PN\",\"Value\":{}}}'         | Value must be an array",
      "'{\"00280010\":{\"vr\":\"US\",\"Value\":[65536]}}'"
          + " | 00280010: value 0 of a US is out of range",
      "'{\"00280010\":{\"vr\":\"US\",\"Value\":[1.5]}}'      | must be an integer",
      "'{\"00280010\":{\"vr\":\"US\",\"Value\":[\"1\"]}}'    | must be a number",
      "'{\"00280010\":{\"vr\":\"US\",\"Value\":[null]}}'     | must be a number",
      "'{\"00280106\":{\"vr\":\"SS\",\"Value\":[-32769]}}'   | out of range",
      "'{\"00091001\":{\"vr\":\"UV\",\"Value\":[-1]}}'       | out of range",
      "'{\"00091001\":{\"vr\":\"AT\",\"Value\":[\"0010\"]}}' | 8 hex digits",
      "'{\"00091001\":{\"vr\":\"OB\",\"Value\":[1]}}'"
          + " | OB takes InlineBinary or BulkDataURI, not Value",
      "'{\"00091001\":{\"vr\":\"OB\",\"InlineBinary\":\"*\"}}' | not valid base64",
      "'{\"00091001\":{\"vr\":\"LO\",\"InlineBinary\":\"AA==\"}}' | InlineBinary is only for",
      "'{\"00091001\":{\"vr\":\"OB\",\"InlineBinary\":\"AA==\",\"BulkDataURI\":\"x\"}}'"
          + " | at most one of",
      "'{\"7FE00010\":{\"vr\":\"OB\",\"BulkDataURI\":\"http://x/1\"}}'"
          + " | BulkDataURI of 7FE00010 (http://x/1) cannot be resolved",
      "'{\"00081030\":{\"vr\":\"LO\",\"Value\":[1]}}'        | value 0 of a LO must be a string",
      "'{\"00082218\":{\"vr\":\"SQ\",\"Value\":[1]}}'        | sequence item 0 must be an object",
      "'{\"00082218\":{\"vr\":\"SQ\",\"Value\":[{\"00280010\":{\"vr\":\"US\",\"Value\":[-1]}}]}}'"
          + " | 00082218.0.00280010: value 0 of a US is out of range",
      "'{\"00100010\":{\"vr\":\"PN\"},\"00100010\":{\"vr\":\"PN\"}}' | duplicate",
      "'{\"0010001a\":{\"vr\":\"PN\"},\"0010001A\":{\"vr\":\"PN\"}}' | the tag occurs twice",
  })
  void rejectsWithAClearMessage(String json, String expected) {
    IOException e = assertThrows(IOException.class, () -> DicomJson.fromJson(json));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
