#include "repo/attributo_values.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <stdexcept>

#include "db/values.hpp"
#include "json/number_parser.hpp"
#include "json/pyjson.hpp"

namespace amarcord::repo {
namespace {

struct TableInfo {
  const char* table;
  const char* entity_table;
  const char* entity_column;
  bool has_chemical;
};

TableInfo info(ValueTable t) {
  switch (t) {
    case ValueTable::chemical:
      return {"ChemicalHasAttributoValue", "Chemical", "chemical_id", false};
    case ValueTable::run:
      return {"RunHasAttributoValue", "Run", "run_id", true};
    case ValueTable::data_set:
      return {"DataSetHasAttributoValue", "DataSet", "data_set_id", true};
  }
  throw std::logic_error("bad value table");
}

// The value columns read into typed holders with null indicators.
struct ValueRow {
  long long entity = 0, attributo = 0;
  long long integer = 0, chemical = 0;
  double number = 0;
  std::string string, boolean, datetime, list;
  soci::indicator i_integer{}, i_number{}, i_string{}, i_boolean{}, i_datetime{}, i_list{},
      i_chemical{};

  void bind(soci::statement& st, bool with_chemical) {
    st.exchange(soci::into(entity));
    st.exchange(soci::into(attributo));
    st.exchange(soci::into(integer, i_integer));
    st.exchange(soci::into(number, i_number));
    st.exchange(soci::into(string, i_string));
    st.exchange(soci::into(boolean, i_boolean));
    st.exchange(soci::into(datetime, i_datetime));
    st.exchange(soci::into(list, i_list));
    if (with_chemical) st.exchange(soci::into(chemical, i_chemical));
  }

  domain::AttributoValue get(bool with_chemical) const {
    domain::AttributoValue v;
    if (i_integer == soci::i_ok) v.integer = integer;
    if (i_number == soci::i_ok) v.number = number;
    if (i_string == soci::i_ok) v.string = string;
    if (i_boolean == soci::i_ok) v.boolean = db::bool_from_db(boolean);
    if (i_datetime == soci::i_ok) v.datetime = db::instant_from_db(datetime, "datetime_value");
    if (i_list == soci::i_ok) {
      // SQL NULL and the JSON text null both mean "no list".
      auto parsed = json::parse_json_exact(list);
      if (parsed.ok && parsed.value.is_array()) v.list = std::move(parsed.value.get_array());
    }
    if (with_chemical && i_chemical == soci::i_ok) v.chemical = chemical;
    return v;
  }
};

std::string select_columns(const TableInfo& t, const char* alias) {
  std::string a(alias);
  std::string s = a + "." + t.entity_column + ", " + a + ".attributo_id, " + a +
                  ".integer_value, " + a + ".float_value, " + a + ".string_value, " + a +
                  ".bool_value, " + a + ".datetime_value, " + a + ".list_value";
  if (t.has_chemical) s += ", " + a + ".chemical_value";
  return s;
}

}  // namespace

namespace {

// Reads the value rows on SQLite through its own API. Listing a whole
// beamtime reads hundreds of thousands of rows; SOCI's per-column copies and
// type checks cost more than SQLite's own work there. Same SQL, same result
// as the SOCI path below.
std::map<std::int64_t, domain::ValueMap> read_values_sqlite(db::Conn& c, const std::string& sql,
                                                            bool has_chemical, std::int64_t param) {
  namespace lite = ::sqlite_api;
  auto* backend = static_cast<soci::sqlite3_session_backend*>(c.sql.get_backend());
  lite::sqlite3_stmt* stmt = nullptr;
  int rc = lite::sqlite3_prepare_v2(backend->conn_, sql.c_str(), static_cast<int>(sql.size()),
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) throw soci::sqlite3_soci_error(lite::sqlite3_errmsg(backend->conn_), rc);
  std::unique_ptr<lite::sqlite3_stmt, int (*)(lite::sqlite3_stmt*)> guard(stmt,
                                                                          lite::sqlite3_finalize);
  lite::sqlite3_bind_int64(stmt, 1, param);
  auto text = [&](int col) {
    const auto* p = reinterpret_cast<const char*>(lite::sqlite3_column_text(stmt, col));
    return std::string(p, static_cast<std::size_t>(lite::sqlite3_column_bytes(stmt, col)));
  };
  auto null = [&](int col) { return lite::sqlite3_column_type(stmt, col) == SQLITE_NULL; };
  std::map<std::int64_t, domain::ValueMap> out;
  auto current = out.end();
  while ((rc = lite::sqlite3_step(stmt)) == SQLITE_ROW) {
    domain::AttributoValue v;
    if (!null(2)) v.integer = lite::sqlite3_column_int64(stmt, 2);
    if (!null(3)) v.number = lite::sqlite3_column_double(stmt, 3);
    if (!null(4)) v.string = text(4);
    if (!null(5)) {
      v.boolean = lite::sqlite3_column_type(stmt, 5) == SQLITE_INTEGER
                      ? lite::sqlite3_column_int64(stmt, 5) != 0
                      : db::bool_from_db(text(5));
    }
    if (!null(6)) v.datetime = db::instant_from_db(text(6), "datetime_value");
    if (!null(7)) {
      const std::string list = text(7);
      if (list != "null") {
        auto parsed = json::parse_json_exact(list);
        if (parsed.ok && parsed.value.is_array()) v.list = std::move(parsed.value.get_array());
      }
    }
    if (has_chemical && !null(8)) v.chemical = lite::sqlite3_column_int64(stmt, 8);
    const std::int64_t entity = lite::sqlite3_column_int64(stmt, 0);
    if (current == out.end() || current->first != entity) {
      // Entities usually have as many values as the one before: reserve that
      // many, so the map does not grow (and move its values) step by step.
      const std::size_t expected = current == out.end() ? 0 : current->second.size();
      current = out.try_emplace(entity).first;
      current->second.reserve(expected);
    }
    current->second.insert_or_assign(lite::sqlite3_column_int64(stmt, 1), std::move(v));
  }
  if (rc != SQLITE_DONE) throw soci::sqlite3_soci_error(lite::sqlite3_errmsg(backend->conn_), rc);
  return out;
}

}  // namespace

std::map<std::int64_t, domain::ValueMap> read_values(db::Conn& c, ValueTable table,
                                                     const std::string& entity_where,
                                                     std::int64_t param) {
  // Rows are fetched in batches: a beamtime's run table has hundreds of
  // thousands of value rows, and row-at-a-time fetching cost more than the
  // query itself.
  constexpr std::size_t kBatch = 1024;
  const TableInfo t = info(table);
  const std::string sql = "SELECT " + select_columns(t, "v") + " FROM \"" + t.table +
                          "\" v JOIN \"" + t.entity_table + "\" e ON e.id = v." + t.entity_column +
                          " WHERE " + entity_where;
  if (c.backend == db::Backend::sqlite) return read_values_sqlite(c, sql, t.has_chemical, param);
  std::vector<long long> entity(kBatch), attributo(kBatch), integer(kBatch), chemical(kBatch);
  std::vector<double> number(kBatch);
  std::vector<std::string> string(kBatch), boolean(kBatch), datetime(kBatch), list(kBatch);
  std::vector<soci::indicator> i_integer(kBatch), i_number(kBatch), i_string(kBatch),
      i_boolean(kBatch), i_datetime(kBatch), i_list(kBatch), i_chemical(kBatch);
  long long p = param;
  soci::statement st(c.sql);
  st.exchange(soci::into(entity));
  st.exchange(soci::into(attributo));
  st.exchange(soci::into(integer, i_integer));
  st.exchange(soci::into(number, i_number));
  st.exchange(soci::into(string, i_string));
  st.exchange(soci::into(boolean, i_boolean));
  st.exchange(soci::into(datetime, i_datetime));
  st.exchange(soci::into(list, i_list));
  if (t.has_chemical) st.exchange(soci::into(chemical, i_chemical));
  st.exchange(soci::use(p));
  st.alloc();
  // No ORDER BY: the maps order the rows, and sorting thousands of value
  // rows in the database was the largest cost of listing them.
  st.prepare(sql);
  st.define_and_bind();
  std::map<std::int64_t, domain::ValueMap> out;
  if (!st.execute(true)) return out;
  auto resize = [&](std::size_t n) {
    for (auto* v : {&entity, &attributo, &integer, &chemical})
      v->resize(n);
    number.resize(n);
    for (auto* v : {&string, &boolean, &datetime, &list})
      v->resize(n);
    for (auto* v :
         {&i_integer, &i_number, &i_string, &i_boolean, &i_datetime, &i_list, &i_chemical}) {
      v->resize(n);
    }
  };
  auto current = out.end();
  do {
    for (std::size_t i = 0; i < entity.size(); ++i) {
      domain::AttributoValue v;
      if (i_integer[i] == soci::i_ok) v.integer = integer[i];
      if (i_number[i] == soci::i_ok) v.number = number[i];
      if (i_string[i] == soci::i_ok) v.string = std::move(string[i]);
      if (i_boolean[i] == soci::i_ok) v.boolean = db::bool_from_db(boolean[i]);
      if (i_datetime[i] == soci::i_ok)
        v.datetime = db::instant_from_db(datetime[i], "datetime_value");
      // SQL NULL and the JSON text null both mean "no list".
      if (i_list[i] == soci::i_ok && list[i] != "null") {
        auto parsed = json::parse_json_exact(list[i]);
        if (parsed.ok && parsed.value.is_array()) v.list = std::move(parsed.value.get_array());
      }
      if (t.has_chemical && i_chemical[i] == soci::i_ok) v.chemical = chemical[i];
      // Rows of one entity usually come together.
      if (current == out.end() || current->first != entity[i])
        current = out.try_emplace(entity[i]).first;
      current->second.insert_or_assign(attributo[i], std::move(v));
    }
    resize(kBatch);
  } while (st.fetch());
  return out;
}

domain::ValueMap read_values_of(db::Conn& c, ValueTable table, std::int64_t entity_id) {
  auto all = read_values(c, table, "e.id = :p", entity_id);
  return all.empty() ? domain::ValueMap{} : std::move(all.begin()->second);
}

void delete_value(db::Conn& c, ValueTable table, std::int64_t entity_id,
                  std::int64_t attributo_id) {
  const TableInfo t = info(table);
  long long e = entity_id, a = attributo_id;
  c.sql << std::string("DELETE FROM \"") + t.table + "\" WHERE " + t.entity_column +
               " = :e AND attributo_id = :a",
      soci::use(e), soci::use(a);
}

void write_value(db::Conn& c, ValueTable table, std::int64_t entity_id, std::int64_t attributo_id,
                 const domain::AttributoValue& v) {
  delete_value(c, table, entity_id, attributo_id);
  insert_values(c, table, entity_id, {{attributo_id, &v}});
}

void insert_values(
    db::Conn& c, ValueTable table, std::int64_t entity_id,
    const std::vector<std::pair<std::int64_t, const domain::AttributoValue*>>& values) {
  if (values.empty()) return;
  const TableInfo t = info(table);
  // Column vectors for SOCI's bulk binding: the statement is compiled once
  // and executed per row (compiling was much of a run insert's cost).
  const std::size_t n = values.size();
  std::vector<long long> e(n, entity_id), a(n), integer(n), chemical(n);
  std::vector<double> number(n);
  std::vector<std::string> string(n), datetime(n), list(n);
  std::vector<int> boolean(n);
  std::vector<soci::indicator> i_integer(n), i_number(n), i_string(n), i_boolean(n), i_datetime(n),
      i_list(n), i_chemical(n);
  const auto indicator = [](bool present) { return present ? soci::i_ok : soci::i_null; };
  for (std::size_t i = 0; i < n; ++i) {
    const domain::AttributoValue& v = *values[i].second;
    a[i] = values[i].first;
    integer[i] = v.integer.value_or(0);
    chemical[i] = v.chemical.value_or(0);
    number[i] = v.number.value_or(0);
    string[i] = v.string.value_or("");
    boolean[i] = v.boolean.value_or(false) ? 1 : 0;
    datetime[i] = v.datetime ? db::to_db(*v.datetime) : "";
    list[i] = v.list ? json::serialize_python_dumps(*v.list) : "";
    i_integer[i] = indicator(v.integer.has_value());
    i_number[i] = indicator(v.number.has_value());
    i_string[i] = indicator(v.string.has_value());
    i_boolean[i] = indicator(v.boolean.has_value());
    i_datetime[i] = indicator(v.datetime.has_value());
    i_list[i] = indicator(v.list.has_value());
    i_chemical[i] = indicator(v.chemical.has_value());
  }
  std::string sql = std::string("INSERT INTO \"") + t.table + "\" (" + t.entity_column +
                    ", attributo_id, integer_value, float_value, string_value, bool_value, "
                    "datetime_value, list_value" +
                    (t.has_chemical ? ", chemical_value" : "") +
                    ") VALUES (:e, :a, :i, :f, :s, :b, :d, :l" + (t.has_chemical ? ", :c)" : ")");
  soci::statement st(c.sql);
  st.exchange(soci::use(e));
  st.exchange(soci::use(a));
  st.exchange(soci::use(integer, i_integer));
  st.exchange(soci::use(number, i_number));
  st.exchange(soci::use(string, i_string));
  st.exchange(soci::use(boolean, i_boolean));
  st.exchange(soci::use(datetime, i_datetime));
  st.exchange(soci::use(list, i_list));
  if (t.has_chemical) st.exchange(soci::use(chemical, i_chemical));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(true);
}

std::vector<std::pair<std::int64_t, domain::AttributoValue>> values_of_attributo(
    db::Conn& c, ValueTable table, std::int64_t attributo_id) {
  const TableInfo t = info(table);
  ValueRow row;
  long long a = attributo_id;
  soci::statement st(c.sql);
  row.bind(st, t.has_chemical);
  st.exchange(soci::use(a));
  st.alloc();
  st.prepare("SELECT " + select_columns(t, "v") + " FROM \"" + t.table +
             "\" v WHERE v.attributo_id = :a ORDER BY v." + t.entity_column);
  st.define_and_bind();
  st.execute();
  std::vector<std::pair<std::int64_t, domain::AttributoValue>> out;
  while (st.fetch())
    out.emplace_back(row.entity, row.get(t.has_chemical));
  return out;
}

}  // namespace amarcord::repo
