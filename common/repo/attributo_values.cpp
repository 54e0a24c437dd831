#include "repo/attributo_values.hpp"

#include <soci/soci.h>

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

std::map<std::int64_t, domain::ValueMap> read_values(db::Conn& c, ValueTable table,
                                                     const std::string& entity_where,
                                                     std::int64_t param) {
  const TableInfo t = info(table);
  ValueRow row;
  long long p = param;
  soci::statement st(c.sql);
  row.bind(st, t.has_chemical);
  st.exchange(soci::use(p));
  st.alloc();
  st.prepare("SELECT " + select_columns(t, "v") + " FROM \"" + t.table + "\" v JOIN \"" +
             t.entity_table + "\" e ON e.id = v." + t.entity_column + " WHERE " + entity_where);
  // No ORDER BY: the maps order the rows, and sorting thousands of value
  // rows in the database was the largest cost of listing them.
  st.define_and_bind();
  st.execute();
  std::map<std::int64_t, domain::ValueMap> out;
  while (st.fetch())
    out[row.entity][row.attributo] = row.get(t.has_chemical);
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
  const TableInfo t = info(table);
  delete_value(c, table, entity_id, attributo_id);
  long long e = entity_id, a = attributo_id;
  long long integer = v.integer.value_or(0), chemical = v.chemical.value_or(0);
  double number = v.number.value_or(0);
  std::string string = v.string.value_or("");
  int boolean = v.boolean.value_or(false) ? 1 : 0;
  std::string datetime = v.datetime ? db::to_db(*v.datetime) : "";
  std::string list = v.list ? json::serialize_python_dumps(*v.list) : "";
  soci::indicator i_integer = v.integer ? soci::i_ok : soci::i_null;
  soci::indicator i_number = v.number ? soci::i_ok : soci::i_null;
  soci::indicator i_string = v.string ? soci::i_ok : soci::i_null;
  soci::indicator i_boolean = v.boolean ? soci::i_ok : soci::i_null;
  soci::indicator i_datetime = v.datetime ? soci::i_ok : soci::i_null;
  soci::indicator i_list = v.list ? soci::i_ok : soci::i_null;
  soci::indicator i_chemical = v.chemical ? soci::i_ok : soci::i_null;
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
