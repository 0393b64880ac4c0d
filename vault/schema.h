// The vault database schema (docs/format/vault.md, "Tables").
#ifndef AMANAT_VAULT_SCHEMA_H_
#define AMANAT_VAULT_SCHEMA_H_

#include "crypto/status.h"
#include "vault/db.h"

namespace amanat::vault {

inline constexpr int kSchemaVersion = 1;

// Creates every table, index and trigger in a fresh database. REQUIRES: empty database.
Status CreateSchema(Db& db);
// kVerifyFailed unless the database carries this schema version.
Status CheckSchema(Db& db);
// Applies, each in its own transaction, the additions to the base schema that an older vault
// lacks (vault/schema.cc, kMigrations). REQUIRES: CheckSchema passed.
Status MigrateSchema(Db& db);

}  // namespace amanat::vault

#endif  // AMANAT_VAULT_SCHEMA_H_
