#include "vault/schema.h"

#include <string>

namespace amanat::vault {

namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Content, chunked: a blob is the stored bytes of one item.
CREATE TABLE blobs(
  id     INTEGER PRIMARY KEY,
  size   INTEGER NOT NULL CHECK(size >= 0),
  chunks INTEGER NOT NULL CHECK(chunks >= 0)
);
CREATE TABLE chunks(
  blob_id INTEGER NOT NULL REFERENCES blobs(id) DEFERRABLE INITIALLY DEFERRED,
  seq     INTEGER NOT NULL CHECK(seq >= 0),
  data    BLOB NOT NULL,
  PRIMARY KEY(blob_id, seq)
);

-- An item: immutable content under its SHA-256, with the metadata of its first ingest.
CREATE TABLE items(
  id          TEXT PRIMARY KEY CHECK(length(id) = 64),
  blob_id     INTEGER NOT NULL UNIQUE REFERENCES blobs(id),
  size        INTEGER NOT NULL CHECK(size >= 0),
  kind        TEXT NOT NULL,
  media_type  TEXT NOT NULL,
  ingested_at TEXT NOT NULL,
  metadata    TEXT NOT NULL
);
CREATE INDEX items_kind ON items(kind);

-- Items and their content never change once stored.
CREATE TRIGGER items_no_update BEFORE UPDATE ON items
  BEGIN SELECT RAISE(ABORT, 'items are immutable'); END;
CREATE TRIGGER items_no_delete BEFORE DELETE ON items
  BEGIN SELECT RAISE(ABORT, 'items are immutable'); END;
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
  BEGIN SELECT RAISE(ABORT, 'content is immutable'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
  BEGIN SELECT RAISE(ABORT, 'content is immutable'); END;
CREATE TRIGGER chunks_no_update BEFORE UPDATE ON chunks
  BEGIN SELECT RAISE(ABORT, 'content is immutable'); END;
CREATE TRIGGER chunks_no_delete BEFORE DELETE ON chunks
  BEGIN SELECT RAISE(ABORT, 'content is immutable'); END;
)sql";

}  // namespace

Status CreateSchema(Db& db) {
  RETURN_IF_ERROR(db.Exec(kSchema));
  return db.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
}

Status CheckSchema(Db& db) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return VerifyFailed("vault.db has no schema version");
  int64_t v = st.ColumnInt(0);
  if (v != kSchemaVersion) {
    return VerifyFailed("vault.db has schema version " + std::to_string(v) + ", this Amanat reads " +
                        std::to_string(kSchemaVersion));
  }
  return OkStatus();
}

}  // namespace amanat::vault
