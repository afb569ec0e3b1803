// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * Internal API. DA, TM and DT values (PS3.5 §6.2) as numbers the index can range over: a date as
 * its epoch day, a time as microseconds of the day, a date-time as microseconds since
 * 1970-01-01T00:00 without zone (PS3.4 C.2.2.2.5 compares values as sent; offsets are ignored, as
 * most archives do). Partial values have a first and a last instant, so that {@code 1015} as the
 * upper end of a range includes 10:15:59.999999 (PS3.4 C.2.2.2.5: the bounds are inclusive).
 */
public final class DicomDateTime {
  private DicomDateTime() {}

  public static final long MICROS_PER_DAY = 86_400_000_000L;

  /** An inclusive interval of index numbers. */
  public record Interval(long lower, long upper) {}

  /** Epoch day of a DA value ({@code YYYYMMDD}, or the ACR-NEMA {@code YYYY.MM.DD}); null if invalid. */
  public static Long date(String value) {
    String v = value.strip().replace(".", "");
    if (v.length() != 8 || !digits(v)) {
      return null;
    }
    try {
      return LocalDate.of(Integer.parseInt(v.substring(0, 4)), Integer.parseInt(v.substring(4, 6)),
          Integer.parseInt(v.substring(6, 8))).toEpochDay();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The interval of microseconds of the day a TM value ({@code HH[MM[SS[.F{1,6}]]]}) covers; null if invalid. */
  public static Interval time(String value) {
    String v = value.strip().replace(":", "");
    String whole = v;
    String fraction = "";
    int dot = v.indexOf('.');
    if (dot >= 0) {
      whole = v.substring(0, dot);
      fraction = v.substring(dot + 1);
    }
    if (!(whole.length() == 2 || whole.length() == 4 || whole.length() == 6) || !digits(whole)
        || fraction.length() > 6 || !digits(fraction) || (dot >= 0 && whole.length() != 6)) {
      return null;
    }
    int hh = Integer.parseInt(whole.substring(0, 2));
    int mm = whole.length() >= 4 ? Integer.parseInt(whole.substring(2, 4)) : 0;
    int ss = whole.length() == 6 ? Integer.parseInt(whole.substring(4, 6)) : 0;
    if (hh > 23 || mm > 59 || ss > 60) {
      return null;
    }
    long micros = ((hh * 60L + mm) * 60L + Math.min(ss, 59)) * 1_000_000L;
    long span;
    if (!fraction.isEmpty()) {
      micros += Long.parseLong(fraction) * pow10(6 - fraction.length());
      span = pow10(6 - fraction.length());
    } else {
      span = switch (whole.length()) {
        case 2 -> 3_600_000_000L;
        case 4 -> 60_000_000L;
        default -> 1_000_000L;
      };
    }
    return new Interval(micros, micros + span - 1);
  }

  /**
   * The interval a DT value ({@code YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]}) covers, in microseconds
   * since the epoch without zone; null if invalid.
   */
  public static Interval dateTime(String value) {
    String v = value.strip();
    int zone = -1;
    for (int i = 4; i < v.length(); i++) {
      if (v.charAt(i) == '+' || v.charAt(i) == '-') {
        zone = i;
        break;
      }
    }
    if (zone >= 0) {
      // &ZZXX: exactly a sign and four digits, else this is not a DT (it may be a range)
      if (v.length() - zone != 5 || !digits(v.substring(zone + 1))) {
        return null;
      }
      v = v.substring(0, zone);
    }
    int dot = v.indexOf('.');
    String whole = dot >= 0 ? v.substring(0, dot) : v;
    if (whole.length() < 4 || whole.length() > 14 || (whole.length() & 1) != 0 || !digits(whole)) {
      return null;
    }
    String y = whole.substring(0, 4);
    String mo = whole.length() >= 6 ? whole.substring(4, 6) : null;
    String d = whole.length() >= 8 ? whole.substring(6, 8) : null;
    Long firstDay = date(y + (mo == null ? "01" : mo) + (d == null ? "01" : d));
    if (firstDay == null) {
      return null;
    }
    long lastDay;
    if (mo == null) {
      lastDay = LocalDate.ofEpochDay(firstDay).plusYears(1).toEpochDay() - 1;
    } else if (d == null) {
      lastDay = LocalDate.ofEpochDay(firstDay).plusMonths(1).toEpochDay() - 1;
    } else {
      lastDay = firstDay;
    }
    if (whole.length() <= 8) {
      return new Interval(firstDay * MICROS_PER_DAY, lastDay * MICROS_PER_DAY + MICROS_PER_DAY - 1);
    }
    Interval t = time(v.substring(8));
    if (t == null) {
      return null;
    }
    return new Interval(firstDay * MICROS_PER_DAY + t.lower(), firstDay * MICROS_PER_DAY + t.upper());
  }

  /** The interval of a DA value in microseconds since the epoch (the whole day). */
  public static Interval dateAsDateTime(long epochDay) {
    return new Interval(epochDay * MICROS_PER_DAY, epochDay * MICROS_PER_DAY + MICROS_PER_DAY - 1);
  }

  private static long pow10(int n) {
    long r = 1;
    for (int i = 0; i < n; i++) {
      r *= 10;
    }
    return r;
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
