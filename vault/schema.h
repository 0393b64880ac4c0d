// The vault database schema (docs/format/vault.md, "Tables").
#ifndef AMANAT_VAULT_SCHEMA_H_
#define AMANAT_VAULT_SCHEMA_H_

#include "crypto/status.h"
#include "vault/db.h"

namespace amanat::vault {

// Version 1 is the schema of amanat 0.1.0; later versions add tables (kMigrations in schema.cc).
inline constexpr int kSchemaVersion = 2;

// Creates every table, index and trigger in a fresh database. REQUIRES: empty database.
Status CreateSchema(Db& db);
// kVerifyFailed unless the database carries a schema version this Amanat reads (1 up to
// kSchemaVersion).
Status CheckSchema(Db& db);
// Brings a database of an older schema version up to kSchemaVersion, in one transaction.
// Does nothing to a current one. REQUIRES: CheckSchema passed; no open transaction.
Status MigrateSchema(Db& db);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_SCHEMA_H_
