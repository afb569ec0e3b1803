// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.LocalDate;
import org.annal.dicom.Vr;
import org.junit.jupiter.api.Test;

/** DA/TM/DT values and ranges as index numbers (PS3.5 §6.2, PS3.4 C.2.2.2.5). */
class DicomDateTimeTest {
  static final long DAY = DicomDateTime.MICROS_PER_DAY;

  @Test
  void dates() {
    assertEquals(LocalDate.of(2024, 1, 5).toEpochDay(), DicomDateTime.date("20240105"));
    assertEquals(LocalDate.of(2024, 1, 5).toEpochDay(), DicomDateTime.date("2024.01.05"));
    assertNull(DicomDateTime.date("20240230"));
    assertNull(DicomDateTime.date("2024"));
  }

  @Test
  void partialTimesCoverTheirPrecision() {
    assertEquals(new DicomDateTime.Interval(10 * 3_600_000_000L, 11 * 3_600_000_000L - 1),
        DicomDateTime.time("10"));
    assertEquals(new DicomDateTime.Interval(37_800_000_000L, 37_859_999_999L),
        DicomDateTime.time("1030"));
    assertEquals(new DicomDateTime.Interval(37_815_500_000L, 37_815_599_999L),
        DicomDateTime.time("103015.5"));
    assertEquals(DicomDateTime.time("103015"), DicomDateTime.time("10:30:15"));
    assertNull(DicomDateTime.time("2500"));
    assertNull(DicomDateTime.time("10a0"));
  }

  @Test
  void dateTimesIgnoreOffsetAndCoverTheirPrecision() {
    long jan5 = LocalDate.of(2024, 1, 5).toEpochDay();
    assertEquals(new DicomDateTime.Interval(jan5 * DAY + 37_800_000_000L, jan5 * DAY + 37_859_999_999L),
        DicomDateTime.dateTime("202401051030-0500"));
    long jan1 = LocalDate.of(2024, 1, 1).toEpochDay();
    long feb1 = LocalDate.of(2024, 2, 1).toEpochDay();
    assertEquals(new DicomDateTime.Interval(jan1 * DAY, feb1 * DAY - 1),
        DicomDateTime.dateTime("202401"));
    assertNull(DicomDateTime.dateTime("2024010"));
  }

  @Test
  void dtRangeDashIsTheOneThatLeavesTwoValidHalves() {
    assertArrayEquals(new String[] {"20240105-0500", "20240106"},
        MatchQueryBuilder.splitRange(Vr.DT, "20240105-0500-20240106"));
    assertArrayEquals(new String[] {"", "20240106+0100"},
        MatchQueryBuilder.splitRange(Vr.DT, "-20240106+0100"));
    assertArrayEquals(new String[] {"20240105", ""},
        MatchQueryBuilder.splitRange(Vr.DA, "20240105-"));
    assertNull(MatchQueryBuilder.splitRange(Vr.TM, "1030"));
  }
}
