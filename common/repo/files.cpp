#include "repo/files.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <set>

#include "db/values.hpp"

namespace amarcord::repo {
namespace {

constexpr const char* kColumns =
    "f.id, f.type, f.file_name, f.size_in_bytes, f.original_path, f.sha256, f.modified, "
    "f.description, f.size_in_bytes_compressed";

struct Row {
  long long id = 0, size = 0, compressed = 0;
  std::string type, name, original_path, sha, modified, description;
  soci::indicator i_path{}, i_description{}, i_compressed{};

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(type));
    st.exchange(soci::into(name));
    st.exchange(soci::into(size));
    st.exchange(soci::into(original_path, i_path));
    st.exchange(soci::into(sha));
    st.exchange(soci::into(modified));
    st.exchange(soci::into(description, i_description));
    st.exchange(soci::into(compressed, i_compressed));
  }
  domain::FileMeta get() const {
    domain::FileMeta f;
    f.id = id;
    f.type = type;
    f.file_name = name;
    f.size_in_bytes = size;
    if (i_path == soci::i_ok) f.original_path = original_path;
    f.sha256 = sha;
    f.modified = db::instant_from_db(modified, "File.modified");
    if (i_description == soci::i_ok) f.description = description;
    if (i_compressed == soci::i_ok) f.size_in_bytes_compressed = compressed;
    return f;
  }
};

std::vector<domain::FileMeta> query(db::Conn& c, const std::string& where,
                                    std::vector<long long> ints, std::vector<std::string> strings) {
  Row row;
  soci::statement st(c.sql);
  row.bind(st);
  for (auto& s : strings)
    st.exchange(soci::use(s));
  for (auto& i : ints)
    st.exchange(soci::use(i));
  st.alloc();
  st.prepare(std::string("SELECT ") + kColumns + " FROM \"File\" f " + where);
  st.define_and_bind();
  st.execute();
  std::vector<domain::FileMeta> out;
  while (st.fetch())
    out.push_back(row.get());
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

std::optional<domain::FileMeta> find_file(db::Conn& c, std::int64_t id) {
  auto rows = query(c, "WHERE f.id = :id", {id}, {});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<domain::FileMeta> find_file_by_sha_and_name(db::Conn& c, const std::string& sha256,
                                                          const std::string& file_name) {
  auto rows =
      query(c, "WHERE f.sha256 = :s AND f.file_name = :n ORDER BY f.id", {}, {sha256, file_name});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<domain::FileMeta> find_file_by_name(db::Conn& c, const std::string& file_name) {
  // Exact comparison here: MySQL collations may ignore case or padding.
  for (auto& f : query(c, "WHERE f.file_name = :n ORDER BY f.id", {}, {file_name})) {
    if (f.file_name == file_name) return std::move(f);
  }
  return std::nullopt;
}

std::int64_t upsert_live_stream_file(db::Conn& c, const domain::FileMeta& meta) {
  if (const auto existing = find_file_by_name(c, meta.file_name)) {
    long long id = existing->id, size = meta.size_in_bytes;
    std::string modified = db::to_db(meta.modified);
    const std::string empty;
    c.sql << "UPDATE \"File\" SET type = :t, size_in_bytes = :s, sha256 = :h, modified = :m, "
             "contents = :c, "
             "size_in_bytes_compressed = NULL WHERE id = :id",
        soci::use(meta.type), soci::use(size), soci::use(meta.sha256), soci::use(modified),
        soci::use(empty), soci::use(id);
    return existing->id;
  }
  return insert_file(c, meta);
}

std::int64_t insert_file(db::Conn& c, const domain::FileMeta& f) {
  long long size = f.size_in_bytes;
  std::string modified = db::to_db(f.modified);
  std::string path = f.original_path.value_or(""), description = f.description.value_or("");
  soci::indicator i_path = f.original_path ? soci::i_ok : soci::i_null;
  soci::indicator i_description = f.description ? soci::i_ok : soci::i_null;
  const std::string empty;
  c.sql
      << "INSERT INTO \"File\" (type, file_name, size_in_bytes, original_path, sha256, modified, "
         "contents, description, size_in_bytes_compressed) VALUES (:t, :n, :s, :p, :h, :m, :c, :d, "
         "NULL)",
      soci::use(f.type), soci::use(f.file_name), soci::use(size), soci::use(path, i_path),
      soci::use(f.sha256), soci::use(modified), soci::use(empty),
      soci::use(description, i_description);
  return c.last_insert_id();
}

void delete_file(db::Conn& c, std::int64_t id) {
  long long key = id;
  c.sql << "DELETE FROM \"File\" WHERE id = :id", soci::use(key);
}

std::vector<std::int64_t> existing_file_ids(db::Conn& c, const std::vector<std::int64_t>& ids) {
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  for (const auto id : ids) {
    if (!seen.insert(id).second) continue;
    long long key = id;
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM \"File\" WHERE id = :id", soci::use(key), soci::into(n);
    if (n > 0) out.push_back(id);
  }
  return out;
}

std::set<std::string> referenced_digests(db::Conn& c) {
  std::string sha;
  soci::statement st = (c.sql.prepare << "SELECT DISTINCT sha256 FROM \"File\"", soci::into(sha));
  st.execute();
  std::set<std::string> out;
  while (st.fetch())
    out.insert(sha);
  return out;
}

std::string file_contents(db::Conn& c, std::int64_t id) {
  // Hex keeps binary bytes intact through every SOCI backend (NULs included).
  long long key = id;
  std::string hex;
  soci::indicator ind = soci::i_ok;
  std::string expr =
      c.backend == db::Backend::postgresql ? "encode(contents, 'hex')" : "hex(contents)";
  c.sql << "SELECT " + expr + " FROM \"File\" WHERE id = :id", soci::use(key), soci::into(hex, ind);
  std::string bytes;
  if (ind != soci::i_ok) return bytes;
  bytes.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
  }
  return bytes;
}

std::map<std::int64_t, std::vector<domain::FileMeta>> chemical_files(
    db::Conn& c, const std::string& chemical_where, std::int64_t param) {
  Row row;
  long long owner = 0, p = param;
  soci::statement st(c.sql);
  st.exchange(soci::into(owner));
  row.bind(st);
  st.exchange(soci::use(p));
  st.alloc();
  st.prepare(
      std::string("SELECT l.chemical_id, ") + kColumns +
      " FROM \"ChemicalHasFile\" l JOIN \"File\" f ON f.id = l.file_id JOIN \"Chemical\" e ON "
      "e.id = l.chemical_id WHERE " +
      chemical_where + " ORDER BY l.chemical_id, f.id");
  st.define_and_bind();
  st.execute();
  std::map<std::int64_t, std::vector<domain::FileMeta>> out;
  while (st.fetch()) {
    auto& list = out[owner];
    // A file linked twice (the table has no key) is listed once.
    if (list.empty() || list.back().id != row.id) list.push_back(row.get());
  }
  return out;
}

std::map<std::int64_t, std::vector<domain::FileMeta>> event_files(db::Conn& c,
                                                                  std::int64_t beamtime_id) {
  Row row;
  long long owner = 0, p = beamtime_id;
  soci::statement st(c.sql);
  st.exchange(soci::into(owner));
  row.bind(st);
  st.exchange(soci::use(p));
  st.alloc();
  st.prepare(std::string("SELECT l.event_id, ") + kColumns +
             " FROM \"EventHasFile\" l JOIN \"File\" f ON f.id = l.file_id JOIN \"EventLog\" e ON "
             "e.id = l.event_id WHERE e.beamtime_id = :p ORDER BY l.event_id, f.id");
  st.define_and_bind();
  st.execute();
  std::map<std::int64_t, std::vector<domain::FileMeta>> out;
  while (st.fetch()) {
    auto& list = out[owner];
    if (list.empty() || list.back().id != row.id) list.push_back(row.get());
  }
  return out;
}

void set_chemical_files(db::Conn& c, std::int64_t chemical_id,
                        const std::vector<std::int64_t>& file_ids) {
  long long chem = chemical_id;
  c.sql << "DELETE FROM \"ChemicalHasFile\" WHERE chemical_id = :c", soci::use(chem);
  for (const auto id : existing_file_ids(c, file_ids)) {
    long long f = id;
    c.sql << "INSERT INTO \"ChemicalHasFile\" (chemical_id, file_id) VALUES (:c, :f)",
        soci::use(chem), soci::use(f);
  }
}

}  // namespace amarcord::repo
