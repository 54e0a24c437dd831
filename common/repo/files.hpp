// File rows (table "File") and their links to chemicals and events. Listing
// queries never read File.contents.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "domain/file_meta.hpp"

namespace amarcord::repo {

std::optional<domain::FileMeta> find_file(db::Conn& c, std::int64_t id);
std::optional<domain::FileMeta> find_file_by_sha_and_name(db::Conn& c, const std::string& sha256,
                                                          const std::string& file_name);
// The row with exactly this file name (lowest id), if any.
std::optional<domain::FileMeta> find_file_by_name(db::Conn& c, const std::string& file_name);
// Points the live-stream row `meta.file_name` at new bytes (kept outside
// the database), creating it when missing; returns its id, which stays the
// same across updates.
std::int64_t upsert_live_stream_file(db::Conn& c, const domain::FileMeta& meta);
// Inserts a row whose bytes are in the blob store (empty contents).
std::int64_t insert_file(db::Conn& c, const domain::FileMeta& f);
void delete_file(db::Conn& c, std::int64_t id);
// Of the given ids, the ones that exist (in the given order, duplicates dropped).
std::vector<std::int64_t> existing_file_ids(db::Conn& c, const std::vector<std::int64_t>& ids);
// Every sha256 some File row carries (blobs of other digests are garbage).
std::set<std::string> referenced_digests(db::Conn& c);
// The bytes stored in File.contents (rows of the original; empty for ours).
std::string file_contents(db::Conn& c, std::int64_t id);

// Files attached to the chemicals selected by `chemical_where` (a condition
// on "Chemical" aliased "e" with one integer parameter), by chemical id,
// in file id order.
std::map<std::int64_t, std::vector<domain::FileMeta>> chemical_files(
    db::Conn& c, const std::string& chemical_where, std::int64_t param);
// Files attached to the events of a beamtime, by event id, file id order.
std::map<std::int64_t, std::vector<domain::FileMeta>> event_files(db::Conn& c,
                                                                  std::int64_t beamtime_id);
void set_chemical_files(db::Conn& c, std::int64_t chemical_id,
                        const std::vector<std::int64_t>& file_ids);

}  // namespace amarcord::repo
