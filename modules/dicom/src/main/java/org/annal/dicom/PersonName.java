// SPDX-License-Identifier: Apache-2.0
package org.annal.dicom;

/**
 * A Person Name (PN) value split into its three component groups, alphabetic, ideographic and
 * phonetic, separated by '=' (PS3.5 §6.2.1.1). Absent groups are empty.
 */
public record PersonName(ComponentGroup alphabetic, ComponentGroup ideographic,
    ComponentGroup phonetic) {

  /**
   * One component group: up to five components separated by '^' (PS3.5 §6.2.1.1); absent
   * components are empty strings.
   */
  public record ComponentGroup(String familyName, String givenName, String middleName,
      String namePrefix, String nameSuffix) {

    static final ComponentGroup EMPTY = new ComponentGroup("", "", "", "", "");

    static ComponentGroup parse(String group) {
      String[] c = group.split("\\^", -1);
      return new ComponentGroup(part(c, 0), part(c, 1), part(c, 2), part(c, 3), part(c, 4));
    }

    private static String part(String[] c, int i) {
      return i < c.length ? c[i].strip() : "";
    }

    public boolean isEmpty() {
      return (familyName + givenName + middleName + namePrefix + nameSuffix).isEmpty();
    }

    /** The group in DICOM form, trailing empty components dropped. */
    @Override
    public String toString() {
      String s = String.join("^", familyName, givenName, middleName, namePrefix, nameSuffix);
      return s.replaceAll("\\^+$", "");
    }
  }

  /** Parses one (already decoded) PN value; '\' separated multiple values are not split here. */
  public static PersonName parse(String value) {
    String[] g = value.split("=", -1);
    return new PersonName(
        g.length > 0 ? ComponentGroup.parse(g[0]) : ComponentGroup.EMPTY,
        g.length > 1 ? ComponentGroup.parse(g[1]) : ComponentGroup.EMPTY,
        g.length > 2 ? ComponentGroup.parse(g[2]) : ComponentGroup.EMPTY);
  }

  /** The value in DICOM form, trailing empty groups dropped. */
  @Override
  public String toString() {
    String s = alphabetic + "=" + ideographic + "=" + phonetic;
    return s.replaceAll("=+$", "");
  }
}
