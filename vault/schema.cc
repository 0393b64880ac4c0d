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
-- INSERT OR REPLACE deletes the row it replaces: Amanat's connections set
-- recursive_triggers, under which that fires the delete triggers above. There are no BEFORE
-- INSERT triggers on purpose: any INSERT trigger makes SQLite journal every page each insert
-- touches (a statement journal, encrypted page by page), which halved the append rate.
CREATE TRIGGER custodians_no_delete BEFORE DELETE ON custodians
  BEGIN SELECT RAISE(ABORT, 'custodians are revoked, never deleted'); END;
)sql";

// Trusted timestamps (RFC 3161) of checkpoints (docs/format/timestamps.md). A request waits
// in timestamp_requests until the TSA's response is added; each accepted response is kept in
// timestamps exactly as received, next to the custody event that recorded it.
constexpr char kTimestampsSchema[] = R"sql(
CREATE TABLE timestamp_requests(
  nonce           TEXT PRIMARY KEY,
  checkpoint_size INTEGER NOT NULL CHECK(checkpoint_size >= 1),
  request         BLOB NOT NULL,
  created_at      TEXT NOT NULL
);
CREATE TABLE timestamps(
  event_seq       INTEGER PRIMARY KEY REFERENCES events(seq),
  checkpoint_size INTEGER NOT NULL CHECK(checkpoint_size >= 1),
  nonce           TEXT NOT NULL UNIQUE REFERENCES timestamp_requests(nonce),
  response        BLOB NOT NULL,
  tsr_sha256      TEXT NOT NULL CHECK(length(tsr_sha256) = 64),
  gen_time        TEXT NOT NULL,
  tsa             TEXT NOT NULL,
  serial          TEXT NOT NULL,
  policy          TEXT NOT NULL,
  ca_pem          TEXT NOT NULL,
  chain_pem       TEXT NOT NULL
);
CREATE INDEX timestamps_checkpoint ON timestamps(checkpoint_size);
CREATE TRIGGER timestamp_requests_no_update BEFORE UPDATE ON timestamp_requests
  BEGIN SELECT RAISE(ABORT, 'timestamp requests are append-only'); END;
CREATE TRIGGER timestamp_requests_no_delete BEFORE DELETE ON timestamp_requests
  BEGIN SELECT RAISE(ABORT, 'timestamp requests are append-only'); END;
CREATE TRIGGER timestamps_no_update BEFORE UPDATE ON timestamps
  BEGIN SELECT RAISE(ABORT, 'timestamps are append-only'); END;
CREATE TRIGGER timestamps_no_delete BEFORE DELETE ON timestamps
  BEGIN SELECT RAISE(ABORT, 'timestamps are append-only'); END;
)sql";

// Additions to the schema after version 1, in order. A new vault gets kSchema and then every
// migration; an older vault gets the ones above its version when it is opened. Each is keyed
// by the version it brings the database to: when branches that each add one are merged,
// renumber them so that the versions run 2, 3, ... and kSchemaVersion is the last.
struct Migration {
  int version;
  const char* sql;
};
constexpr Migration kMigrations[] = {
    {2, kTimestampsSchema},
};

constexpr bool MigrationsInOrder() {
  int want = 2;
  for (const Migration& m : kMigrations) {
    if (m.version != want++) return false;
  }
  return want - 1 == kSchemaVersion;
}
static_assert(MigrationsInOrder(), "kMigrations must run 2, 3, ... up to kSchemaVersion");

Result<int64_t> UserVersion(Db& db) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return VerifyFailed("vault.db has no schema version");
  return st.ColumnInt(0);
}

}  // namespace

Status CreateSchema(Db& db) {
  RETURN_IF_ERROR(db.Exec(kSchema));
  for (const Migration& m : kMigrations) RETURN_IF_ERROR(db.Exec(m.sql));
  return db.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
}

Status MigrateSchema(Db& db) {
  ASSIGN_OR_RETURN(int64_t version, UserVersion(db));
  if (version >= kSchemaVersion) return OkStatus();
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  // Read again under the write lock: another process may have migrated meanwhile.
  ASSIGN_OR_RETURN(version, UserVersion(db));
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    Status s = db.Exec(m.sql);
    if (!s.ok()) {
      return s.Context("upgrading vault.db to schema version " + std::to_string(m.version));
    }
  }
  RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion)));
  return tx.Commit();
}

Status CheckSchema(Db& db) {
  ASSIGN_OR_RETURN(int64_t v, UserVersion(db));
  if (v < 1 || v > kSchemaVersion) {
    return VerifyFailed("vault.db has schema version " + std::to_string(v) +
                        ", this Amanat reads 1 to " + std::to_string(kSchemaVersion));
  }
  return OkStatus();
}

}  // namespace amanat::vault
