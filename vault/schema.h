// The vault database schema (docs/format/vault.md, "Tables").
#ifndef AMANAT_VAULT_SCHEMA_H_
#define AMANAT_VAULT_SCHEMA_H_

#include "crypto/status.h"
#include "vault/db.h"

namespace amanat::vault {

// Version 1 is the base schema; each migration in schema.cc adds one. A database is at
// version 1 + (number of migrations applied), kept in PRAGMA user_version; each applied
// migration is also named in meta ("schema:<name>"), and migrations are applied by name, so
// that their order in the list can change without a vault applying one twice.
int SchemaVersion();

// Creates every table, index and trigger in a fresh database, migrations included.
// REQUIRES: empty database, inside a transaction.
Status CreateSchema(Db& db);
// Brings an older database up to SchemaVersion() in its own transaction (migrations only
// add). kVerifyFailed if the database is newer than this Amanat or carries no version.
Status CheckSchema(Db& db);

// Tests only: the base schema and the first `migrations` migrations, as an older Amanat made
// them.
Status TEST_CreateSchema(Db& db, size_t migrations);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_SCHEMA_H_
