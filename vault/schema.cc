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

-- The custody log: each entry is the exact signed bytes (a DSSE envelope); action, time and
-- actor are copies for listing only. Verification re-derives everything from `entry`.
CREATE TABLE events(
  seq    INTEGER PRIMARY KEY CHECK(seq >= 0),
  entry  BLOB NOT NULL,
  action TEXT NOT NULL,
  time   TEXT NOT NULL,
  actor  TEXT NOT NULL
);
CREATE TABLE event_subjects(
  item_id TEXT NOT NULL,
  seq     INTEGER NOT NULL REFERENCES events(seq),
  PRIMARY KEY(item_id, seq)
) WITHOUT ROWID;
-- Perfect-subtree hashes of the RFC 9162 tree over the entries (crypto/merkle.h).
CREATE TABLE merkle_nodes(
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL CHECK(length(hash) = 32),
  PRIMARY KEY(level, idx)
) WITHOUT ROWID;
-- Every checkpoint this vault signed, as signed.
CREATE TABLE checkpoints(
  size INTEGER PRIMARY KEY,
  note TEXT NOT NULL
);
-- Current custodians, derived from the custody log (verify checks it against a replay).
CREATE TABLE custodians(
  name       TEXT PRIMARY KEY,
  role       TEXT NOT NULL,
  public_key BLOB NOT NULL,
  key_id     TEXT NOT NULL,
  active     INTEGER NOT NULL,
  grants     TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER event_subjects_no_update BEFORE UPDATE ON event_subjects
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER event_subjects_no_delete BEFORE DELETE ON event_subjects
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
-- INSERT OR REPLACE deletes the old row without firing delete triggers: refuse inserts
-- over an existing key as well.
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
  WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER merkle_nodes_no_replace BEFORE INSERT ON merkle_nodes
  WHEN EXISTS (SELECT 1 FROM merkle_nodes WHERE level = NEW.level AND idx = NEW.idx)
  BEGIN SELECT RAISE(ABORT, 'the custody log is append-only'); END;
CREATE TRIGGER checkpoints_no_replace BEFORE INSERT ON checkpoints
  WHEN EXISTS (SELECT 1 FROM checkpoints WHERE size = NEW.size)
  BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER items_no_replace BEFORE INSERT ON items
  WHEN EXISTS (SELECT 1 FROM items WHERE id = NEW.id OR blob_id = NEW.blob_id)
  BEGIN SELECT RAISE(ABORT, 'items are immutable'); END;
CREATE TRIGGER blobs_no_replace BEFORE INSERT ON blobs
  WHEN EXISTS (SELECT 1 FROM blobs WHERE id = NEW.id)
  BEGIN SELECT RAISE(ABORT, 'content is immutable'); END;
CREATE TRIGGER chunks_no_replace BEFORE INSERT ON chunks
  WHEN EXISTS (SELECT 1 FROM chunks WHERE blob_id = NEW.blob_id AND seq = NEW.seq)
  BEGIN SELECT RAISE(ABORT, 'content is immutable'); END;
CREATE TRIGGER custodians_no_delete BEFORE DELETE ON custodians
  BEGIN SELECT RAISE(ABORT, 'custodians are revoked, never deleted'); END;
)sql";

// Custody records of other vaults, received in imported bundles and kept exactly as received
// (docs/format/bundle.md, "Import"): the bundle's signed manifest, each custody section of it
// (checkpoint, proofs, log key) and the section's entries. Append-only, like the log.
constexpr char kReceivedRecords[] = R"sql(
CREATE TABLE received_bundles(
  manifest_sha256 TEXT PRIMARY KEY CHECK(length(manifest_sha256) = 64),
  import_seq      INTEGER NOT NULL,
  manifest        BLOB NOT NULL,
  signature       TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE received_sections(
  id              INTEGER PRIMARY KEY,
  manifest_sha256 TEXT NOT NULL REFERENCES received_bundles(manifest_sha256),
  origin          TEXT NOT NULL,
  log_key         TEXT NOT NULL,
  checkpoint      TEXT NOT NULL,
  proofs          BLOB NOT NULL
);
CREATE TABLE received_events(
  section_id INTEGER NOT NULL REFERENCES received_sections(id),
  seq        INTEGER NOT NULL CHECK(seq >= 0),
  entry      BLOB NOT NULL,
  PRIMARY KEY(section_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER received_bundles_no_update BEFORE UPDATE ON received_bundles
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_bundles_no_delete BEFORE DELETE ON received_bundles
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_bundles_no_replace BEFORE INSERT ON received_bundles
  WHEN EXISTS (SELECT 1 FROM received_bundles WHERE manifest_sha256 = NEW.manifest_sha256)
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_sections_no_update BEFORE UPDATE ON received_sections
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_sections_no_delete BEFORE DELETE ON received_sections
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_sections_no_replace BEFORE INSERT ON received_sections
  WHEN EXISTS (SELECT 1 FROM received_sections WHERE id = NEW.id)
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_events_no_update BEFORE UPDATE ON received_events
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_events_no_delete BEFORE DELETE ON received_events
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_events_no_replace BEFORE INSERT ON received_events
  WHEN EXISTS (SELECT 1 FROM received_events WHERE section_id = NEW.section_id AND seq = NEW.seq)
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
)sql";

// Additions to the base schema, each applied once, in this order, and recorded in meta under
// "schema:<name>". Keyed by name rather than by number so that branches adding tables merge
// by appending their entries.
struct Migration {
  const char* name;
  const char* sql;
};
constexpr Migration kMigrations[] = {
    {"received-records", kReceivedRecords},
};

Status ApplyMigration(Db& db, const Migration& m) {
  RETURN_IF_ERROR(db.Exec(m.sql));
  ASSIGN_OR_RETURN(Stmt put, db.Prepare("INSERT INTO meta(key, value) VALUES(?, 'applied')"));
  return put.Bind(1, std::string("schema:") + m.name).Run();
}

}  // namespace

Status CreateSchema(Db& db) {
  RETURN_IF_ERROR(db.Exec(kSchema));
  for (const auto& m : kMigrations) RETURN_IF_ERROR(ApplyMigration(db, m));
  return db.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
}

Status MigrateSchema(Db& db) {
  for (const auto& m : kMigrations) {
    ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT 1 FROM meta WHERE key = ?"));
    st.Bind(1, std::string("schema:") + m.name);
    ASSIGN_OR_RETURN(bool applied, st.Step());
    if (applied) continue;
    ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    RETURN_IF_ERROR(ApplyMigration(db, m).Context(std::string("upgrading vault.db (") + m.name + ")"));
    RETURN_IF_ERROR(tx.Commit());
  }
  return OkStatus();
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
