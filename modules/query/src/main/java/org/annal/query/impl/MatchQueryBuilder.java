// SPDX-License-Identifier: Apache-2.0
package org.annal.query.impl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.annal.archive.impl.IndexedAttributes.Level;
import org.annal.dicom.Dataset;
import org.annal.dicom.Element;
import org.annal.dicom.ElementDictionary;
import org.annal.dicom.Tag;
import org.annal.dicom.Vr;
import org.annal.query.InformationModel;
import org.annal.query.QueryException;
import org.annal.query.QueryOptions;
import org.annal.query.QueryRetrieveLevel;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Internal API. Turns a C-FIND identifier into a Lucene query following PS3.4 C.2.2.2:
 * <ul>
 *   <li>universal matching: an empty key, or {@code *} alone, matches everything (C.2.2.2.3);
 *   <li>single value matching: exact, leading/trailing spaces insignificant; PN optionally
 *       case-insensitive (C.2.2.2.1);
 *   <li>list of UID matching: UIDs separated by a backslash (C.2.2.2.2); other values with a backslash match
 *       any of them (ModalitiesInStudy C.6.1.1.4, and a common extension elsewhere);
 *   <li>wildcard matching with {@code *} and {@code ?} (C.2.2.2.4), not for DA/TM/DT/UI;
 *   <li>range matching of DA, TM, DT: {@code a-b}, {@code -b}, {@code a-} (C.2.2.2.5), and
 *       combined date-time matching of a Date/Time pair when negotiated (C.2.2.2.5.1);
 *   <li>sequence matching: the keys of the (one) item match the flattened
 *       {@code Sequence>Keyword} fields (C.2.2.2.6).
 * </ul>
 * Hierarchical search (C.4.1.2.1): at a level, the keys of that level match; of higher levels only
 * the Unique Keys, which must be present with a single value; keys of other levels, and keys the
 * index holds no field for (unsupported optional keys), do not restrict the answer. With
 * {@link QueryOptions#relational()} the higher levels' Unique Keys may be left out (C.4.1.2.2).
 */
public final class MatchQueryBuilder {
  private MatchQueryBuilder() {}

  /**
   * @param indexed whether the index holds a field of that name (else the key is not supported
   *     for matching and is ignored, C.2.2.1.2)
   */
  public static Query build(Dataset identifier, QueryRetrieveLevel level, InformationModel model,
      QueryOptions options, Predicate<String> indexed) {
    if (!model.levels().contains(level)) {
      throw new QueryException(QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS,
          Tag.QueryRetrieveLevel, "level " + level + " is not part of " + model);
    }
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    Set<String> uniqueAbove = new HashSet<>();
    for (QueryRetrieveLevel above : model.levelsAbove(level)) {
      String keyword = above.uniqueKey();
      uniqueAbove.add(keyword);
      int tag = ElementDictionary.tagOf(keyword);
      String v = identifier.getString(tag);
      if (options.relational() && (v == null || v.isBlank())) {
        continue; // C.4.1.2.2: a relational search may leave a higher level's Unique Key out
      }
      if (v == null || v.isBlank() || v.indexOf('\\') >= 0 || v.indexOf('*') >= 0
          || v.indexOf('?') >= 0) {
        throw new QueryException(QueryException.Reason.IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS, tag,
            keyword + " must have a single value for a " + level + " query in " + model);
      }
      q.add(new TermQuery(new Term(keyword, v.strip())), BooleanClause.Occur.FILTER);
    }
    Set<Level> levels = matchingLevels(level, model);
    Set<Integer> done = new HashSet<>();
    int clauses = 0;
    for (Element e : identifier.elements()) {
      int tag = e.tag();
      String keyword = ElementDictionary.keywordOf(tag);
      if (keyword == null || tag == Tag.SpecificCharacterSet || tag == Tag.QueryRetrieveLevel
          || (tag >>> 16) <= 0x0002 || uniqueAbove.contains(keyword) || done.contains(tag)) {
        continue;
      }
      if (!levels.contains(IndexFields.levelOf(keyword))) {
        continue;
      }
      Query key;
      if (options.combinedDateTime() && keyword.endsWith("Date") && e.vr() == Vr.DA) {
        key = combined(identifier, keyword, indexed, done);
      } else {
        key = keyQuery(identifier, e, keyword, options, indexed);
      }
      if (key != null) {
        q.add(key, BooleanClause.Occur.FILTER);
        clauses++;
      }
    }
    BooleanQuery built = q.build();
    return built.clauses().isEmpty() && clauses == 0 ? new MatchAllDocsQuery() : built;
  }

  /** The attribute levels whose keys match at {@code level} (Study Root's study level includes the patient's, C.6.2.1.2). */
  static Set<Level> matchingLevels(QueryRetrieveLevel level, InformationModel model) {
    if (level == QueryRetrieveLevel.STUDY && model == InformationModel.STUDY_ROOT) {
      return Set.of(Level.PATIENT, Level.STUDY);
    }
    return Set.of(level.attributeLevel());
  }

  private static Query keyQuery(Dataset ds, Element e, String field, QueryOptions options,
      Predicate<String> indexed) {
    if (e.isSequence()) {
      return sequenceQuery(e, field, options, indexed);
    }
    String value = ds.getString(e.tag());
    return valueQuery(field, e.tag(), IndexFields.vrOf(field), value, options, indexed);
  }

  private static Query sequenceQuery(Element e, String keyword, QueryOptions options,
      Predicate<String> indexed) {
    List<Dataset> items = e.items();
    if (items == null || items.isEmpty()) {
      return null;
    }
    // PS3.4 C.2.2.2.6: one item; its keys match as a whole. The index flattens items to one level,
    // so several keys of the item match any item each (documented limitation).
    Dataset item = items.get(0);
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    int n = 0;
    for (Element sub : item.elements()) {
      String subKeyword = ElementDictionary.keywordOf(sub.tag());
      if (subKeyword == null || sub.isSequence()) {
        continue;
      }
      String field = keyword + ">" + subKeyword;
      Query sq = valueQuery(field, sub.tag(), IndexFields.vrOf(field), item.getString(sub.tag()),
          options, indexed);
      if (sq != null) {
        q.add(sq, BooleanClause.Occur.FILTER);
        n++;
      }
    }
    return n == 0 ? null : q.build();
  }

  /** The query for one key, or null if it does not restrict (universal or unsupported). */
  static Query valueQuery(String field, int tag, Vr vr, String value, QueryOptions options,
      Predicate<String> indexed) {
    if (value == null || value.isBlank() || value.strip().equals("*")) {
      return null;
    }
    if (!indexed.test(field)) {
      return null;
    }
    String v = value.strip();
    switch (vr) {
      case UI -> {
        List<BytesRef> uids = new ArrayList<>();
        for (String u : v.split("\\\\")) {
          if (!u.isBlank()) {
            uids.add(new BytesRef(u.strip()));
          }
        }
        return uids.size() == 1 ? new TermQuery(new Term(field, uids.get(0)))
            : new TermInSetQuery(field, uids);
      }
      case DA, TM, DT -> {
        return anyOf(v, part -> rangeQuery(field, tag, vr, part));
      }
      case PN -> {
        boolean fold = options.caseInsensitivePersonName();
        String f = fold ? field + ".ci" : field;
        return anyOf(v, part -> {
          String n = IndexFields.normalizePersonName(part);
          return textQuery(f, fold ? IndexFields.fold(n) : n);
        });
      }
      default -> {
        if (vr == Vr.LT || vr == Vr.ST || vr == Vr.UT) {
          return textQuery(field, v);
        }
        return anyOf(v, part -> textQuery(field, part.strip()));
      }
    }
  }

  private static Query textQuery(String field, String value) {
    int star = value.indexOf('*');
    if (star == value.length() - 1 && value.indexOf('?') < 0) {
      // the common "DOE*": a prefix automaton is much cheaper to build than a general wildcard
      return new PrefixQuery(new Term(field, value.substring(0, star)));
    }
    if (star >= 0 || value.indexOf('?') >= 0) {
      return new WildcardQuery(new Term(field, value));
    }
    return new TermQuery(new Term(field, value));
  }

  private static Query anyOf(String value, java.util.function.Function<String, Query> one) {
    String[] parts = value.split("\\\\");
    if (parts.length == 1) {
      return one.apply(parts[0]);
    }
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    for (String p : parts) {
      if (!p.isBlank()) {
        q.add(one.apply(p), BooleanClause.Occur.SHOULD);
      }
    }
    return q.build();
  }

  private static Query rangeQuery(String field, int tag, Vr vr, String value) {
    String[] range = splitRange(vr, value.strip());
    String low = range == null ? value : range[0];
    String high = range == null ? value : range[1];
    Long lo = low.isEmpty() ? Long.valueOf(Long.MIN_VALUE) : lower(vr, low);
    Long hi = high.isEmpty() ? Long.valueOf(Long.MAX_VALUE) : upper(vr, high);
    if (lo == null || hi == null) {
      throw new QueryException(QueryException.Reason.UNABLE_TO_PROCESS, tag,
          "invalid " + vr + " matching value '" + value + "' for " + field);
    }
    return LongPoint.newRangeQuery(field + ".n", lo, hi);
  }

  /** {@code [low, high]} of a range value, "" for an open end; null if not a range. */
  static String[] splitRange(Vr vr, String v) {
    if (vr != Vr.DT) {
      int dash = v.indexOf('-');
      return dash < 0 ? null : new String[] {v.substring(0, dash).strip(), v.substring(dash + 1).strip()};
    }
    // A DT may carry a -ZZXX offset: the range dash is the one that leaves two valid halves.
    for (int i = v.indexOf('-'); i >= 0; i = v.indexOf('-', i + 1)) {
      String a = v.substring(0, i).strip();
      String b = v.substring(i + 1).strip();
      if ((a.isEmpty() || DicomDateTime.dateTime(a) != null)
          && (b.isEmpty() || DicomDateTime.dateTime(b) != null)) {
        return new String[] {a, b};
      }
    }
    return null;
  }

  private static Long lower(Vr vr, String v) {
    return switch (vr) {
      case DA -> DicomDateTime.date(v);
      case TM -> bound(DicomDateTime.time(v), true);
      default -> bound(DicomDateTime.dateTime(v), true);
    };
  }

  private static Long upper(Vr vr, String v) {
    return switch (vr) {
      case DA -> DicomDateTime.date(v);
      case TM -> bound(DicomDateTime.time(v), false);
      default -> bound(DicomDateTime.dateTime(v), false);
    };
  }

  private static Long bound(DicomDateTime.Interval i, boolean lower) {
    return i == null ? null : lower ? i.lower() : i.upper();
  }

  /**
   * Combined date and time range matching (PS3.4 C.2.2.2.5.1): {@code XDate} and {@code XTime}
   * match together as the range from (first date, first time) to (last date, last time). Without a
   * time key, or an empty one, the date matches alone.
   */
  private static Query combined(Dataset ds, String dateKeyword, Predicate<String> indexed,
      Set<Integer> done) {
    int dateTag = ElementDictionary.tagOf(dateKeyword);
    String timeKeyword = dateKeyword.substring(0, dateKeyword.length() - 4) + "Time";
    int timeTag = ElementDictionary.tagOf(timeKeyword);
    String date = ds.getString(dateTag);
    String time = timeTag == -1 ? null : ds.getString(timeTag);
    QueryOptions plain = new QueryOptions(false, false);
    if (time == null || time.isBlank() || time.strip().equals("*") || date == null
        || date.isBlank() || date.strip().equals("*")) {
      return valueQuery(dateKeyword, dateTag, Vr.DA, date, plain, indexed);
    }
    done.add(timeTag);
    if (!indexed.test(dateKeyword)) {
      return null;
    }
    String[] d = splitRange(Vr.DA, date.strip());
    String[] t = splitRange(Vr.TM, time.strip());
    String d1 = d == null ? date.strip() : d[0];
    String d2 = d == null ? date.strip() : d[1];
    String t1 = t == null ? time.strip() : t[0];
    String t2 = t == null ? time.strip() : t[1];
    long lo = Long.MIN_VALUE;
    long hi = Long.MAX_VALUE;
    if (!d1.isEmpty()) {
      Long day = DicomDateTime.date(d1);
      Long tl = t1.isEmpty() ? Long.valueOf(0) : bound(DicomDateTime.time(t1), true);
      if (day == null || tl == null) {
        throw invalid(dateTag, date + " " + time);
      }
      lo = day * DicomDateTime.MICROS_PER_DAY + tl;
    }
    if (!d2.isEmpty()) {
      Long day = DicomDateTime.date(d2);
      Long th = t2.isEmpty() ? Long.valueOf(DicomDateTime.MICROS_PER_DAY - 1)
          : bound(DicomDateTime.time(t2), false);
      if (day == null || th == null) {
        throw invalid(dateTag, date + " " + time);
      }
      hi = day * DicomDateTime.MICROS_PER_DAY + th;
    }
    return LongPoint.newRangeQuery(dateKeyword + ".dt", lo, hi);
  }

  private static QueryException invalid(int tag, String value) {
    return new QueryException(QueryException.Reason.UNABLE_TO_PROCESS, tag,
        "invalid combined date-time matching value '" + value + "'");
  }
}
