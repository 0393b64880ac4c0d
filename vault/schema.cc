#include "vault/schema.h"

#include <iterator>
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

// Migrations, applied in this order to databases that lack them. Each only adds tables,
// columns, indexes and triggers. Names are unique and never change.
struct Migration {
  const char* name;
  const char* sql;
};

// Witnesses, provenance and redactions (docs/format/witnesses.md, provenance.md).
constexpr char kWitnessesProvenanceSql[] = R"sql(
-- The X25519 slot box key of each custodian, as recorded in the custody log: grants of the
-- identity key are sealed to this key, never to one read from keyslots.json alone.
ALTER TABLE custodians ADD COLUMN box_public_key BLOB;

-- A witness: pseudonym, identity record sealed to the vault's identity key, consent flags
-- (non-identifying, JSON object of booleans), and the witness-add event that recorded it.
CREATE TABLE witnesses(
  pseudonym   TEXT PRIMARY KEY CHECK(length(pseudonym) BETWEEN 6 AND 16),
  sealed      BLOB NOT NULL,
  consent     TEXT NOT NULL,
  created_seq INTEGER NOT NULL UNIQUE REFERENCES events(seq)
);
-- Provenance edges: `child` was derived from `parent` by the derive event `seq`.
CREATE TABLE derivations(
  seq      INTEGER NOT NULL REFERENCES events(seq),
  child    TEXT NOT NULL CHECK(length(child) = 64),
  parent   TEXT NOT NULL CHECK(length(parent) = 64),
  relation TEXT NOT NULL,
  PRIMARY KEY(seq, parent)
);
CREATE INDEX derivations_child ON derivations(child);
CREATE INDEX derivations_parent ON derivations(parent);
-- Verifiable redactions: the amanat-redaction/1 record (exact bytes, committed to by the
-- derive event `seq`) and the secret salts of its span commitments, 32 bytes per span.
CREATE TABLE redactions(
  seq      INTEGER PRIMARY KEY REFERENCES events(seq),
  item     TEXT NOT NULL CHECK(length(item) = 64),
  original TEXT NOT NULL CHECK(length(original) = 64),
  record   BLOB NOT NULL,
  salts    BLOB NOT NULL
);
CREATE INDEX redactions_item ON redactions(item);
CREATE INDEX redactions_original ON redactions(original);

CREATE TRIGGER witnesses_no_update BEFORE UPDATE ON witnesses
  BEGIN SELECT RAISE(ABORT, 'witness records are append-only'); END;
CREATE TRIGGER witnesses_no_delete BEFORE DELETE ON witnesses
  BEGIN SELECT RAISE(ABORT, 'witness records are append-only'); END;
CREATE TRIGGER witnesses_no_replace BEFORE INSERT ON witnesses
  WHEN EXISTS (SELECT 1 FROM witnesses WHERE pseudonym = NEW.pseudonym)
  BEGIN SELECT RAISE(ABORT, 'witness records are append-only'); END;
CREATE TRIGGER derivations_no_update BEFORE UPDATE ON derivations
  BEGIN SELECT RAISE(ABORT, 'provenance is append-only'); END;
CREATE TRIGGER derivations_no_delete BEFORE DELETE ON derivations
  BEGIN SELECT RAISE(ABORT, 'provenance is append-only'); END;
CREATE TRIGGER derivations_no_replace BEFORE INSERT ON derivations
  WHEN EXISTS (SELECT 1 FROM derivations WHERE seq = NEW.seq AND parent = NEW.parent)
  BEGIN SELECT RAISE(ABORT, 'provenance is append-only'); END;
CREATE TRIGGER redactions_no_update BEFORE UPDATE ON redactions
  BEGIN SELECT RAISE(ABORT, 'redaction records are append-only'); END;
CREATE TRIGGER redactions_no_delete BEFORE DELETE ON redactions
  BEGIN SELECT RAISE(ABORT, 'redaction records are append-only'); END;
CREATE TRIGGER redactions_no_replace BEFORE INSERT ON redactions
  WHEN EXISTS (SELECT 1 FROM redactions WHERE seq = NEW.seq)
  BEGIN SELECT RAISE(ABORT, 'redaction records are append-only'); END;
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

// Witness identity records received sealed in imported bundles (export
// --include-identities; docs/format/bundle.md, "Identities"): exactly the sealed bytes, the
// vault that sealed them (its origin and ID, which the opened record must name), and the
// bundle they came in. `witness show` opens them with this vault's identity key.
constexpr char kReceivedIdentities[] = R"sql(
CREATE TABLE received_identities(
  origin          TEXT NOT NULL,
  pseudonym       TEXT NOT NULL CHECK(length(pseudonym) BETWEEN 6 AND 16),
  vault_id        TEXT NOT NULL CHECK(length(vault_id) = 16),
  sealed          BLOB NOT NULL,
  manifest_sha256 TEXT NOT NULL REFERENCES received_bundles(manifest_sha256),
  PRIMARY KEY(origin, pseudonym)
) WITHOUT ROWID;
CREATE INDEX received_identities_pseudonym ON received_identities(pseudonym);
CREATE TRIGGER received_identities_no_update BEFORE UPDATE ON received_identities
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
CREATE TRIGGER received_identities_no_delete BEFORE DELETE ON received_identities
  BEGIN SELECT RAISE(ABORT, 'received records are append-only'); END;
)sql";

// Content sealed to HQ in a field vault made with `init --seal-content`
// (docs/format/hq-keys.md, "Sealed content"): the item's blob holds an age file encrypted to
// HQ's identity key, never the plaintext; this row gives the SHA-256 and size of those stored
// bytes, as the signed ingest or derive event records them. The item's ID and size stay the
// plaintext's.
constexpr char kSealedItems[] = R"sql(
CREATE TABLE sealed_items(
  item_id TEXT PRIMARY KEY REFERENCES items(id) CHECK(length(item_id) = 64),
  format  TEXT NOT NULL,
  sha256  TEXT NOT NULL CHECK(length(sha256) = 64),
  size    INTEGER NOT NULL CHECK(size >= 0)
) WITHOUT ROWID;
CREATE TRIGGER sealed_items_no_update BEFORE UPDATE ON sealed_items
  BEGIN SELECT RAISE(ABORT, 'items are immutable'); END;
CREATE TRIGGER sealed_items_no_delete BEFORE DELETE ON sealed_items
  BEGIN SELECT RAISE(ABORT, 'items are immutable'); END;
)sql";

constexpr Migration kMigrations[] = {
    {"witnesses-provenance", kWitnessesProvenanceSql},
    {"timestamps", kTimestampsSchema},
    {"received-records", kReceivedRecords},
    {"received-identities", kReceivedIdentities},
    {"sealed-items", kSealedItems},
};

Result<bool> IsApplied(Db& db, const Migration& m) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT 1 FROM meta WHERE key = ?"));
  st.Bind(1, std::string("schema:") + m.name);
  return st.Step();
}

Status Apply(Db& db, const Migration& m) {
  RETURN_IF_ERROR(db.Exec(m.sql));
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("INSERT INTO meta(key, value) VALUES(?, 'applied')"));
  return st.Bind(1, std::string("schema:") + m.name).Run();
}

Status SetVersion(Db& db) {
  return db.Exec("PRAGMA user_version = " + std::to_string(SchemaVersion()));
}

}  // namespace

int SchemaVersion() { return 1 + static_cast<int>(std::size(kMigrations)); }

Status CreateSchema(Db& db) {
  RETURN_IF_ERROR(db.Exec(kSchema));
  for (const Migration& m : kMigrations) RETURN_IF_ERROR(Apply(db, m));
  return SetVersion(db);
}

Status TEST_CreateSchema(Db& db, size_t migrations) {
  RETURN_IF_ERROR(db.Exec(kSchema));
  for (size_t i = 0; i < migrations && i < std::size(kMigrations); ++i) {
    RETURN_IF_ERROR(Apply(db, kMigrations[i]));
  }
  return db.Exec("PRAGMA user_version = " + std::to_string(1 + migrations));
}

Status CheckSchema(Db& db) {
  auto version = [&]() -> Result<int64_t> {
    ASSIGN_OR_RETURN(Stmt st, db.Prepare("PRAGMA user_version"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return VerifyFailed("vault.db has no schema version");
    return st.ColumnInt(0);
  };
  ASSIGN_OR_RETURN(int64_t v, version());
  if (v == SchemaVersion()) return OkStatus();
  if (v < 1 || v > SchemaVersion()) {
    return VerifyFailed("vault.db has schema version " + std::to_string(v) + ", this Amanat reads " +
                        "1 to " + std::to_string(SchemaVersion()))
        .WithHint(v > SchemaVersion() ? "use a newer Amanat" : "");
  }
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  ASSIGN_OR_RETURN(v, version());  // another process may have upgraded it meanwhile
  if (v == SchemaVersion()) return OkStatus();
  for (const Migration& m : kMigrations) {
    ASSIGN_OR_RETURN(bool applied, IsApplied(db, m));
    if (applied) continue;
    RETURN_IF_ERROR(Apply(db, m).Context(std::string("upgrading vault.db (") + m.name + ")"));
  }
  RETURN_IF_ERROR(SetVersion(db));
  return tx.Commit();
}

}  // namespace amanat::vault
