#include "vault/witnesses.h"

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/custodians.h"
#include "vault/event.h"
#include "vault/grants.h"
#include "vault/hq_keys.h"
#include "vault/items.h"
#include "vault/received_identities.h"
#include "vault/text.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

// Crockford's base32: no I, L, O or U, so a pseudonym read aloud or copied by hand survives.
constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kMaxWitnessNameBytes = 1000;
constexpr size_t kMaxContactBytes = 4096;
constexpr size_t kMaxNotesBytes = 64 * 1024;

// Wipes a std::string that held identity text before it is freed.
struct WipeString {
  std::string& s;
  ~WipeString() { crypto::Wipe(s.data(), s.size()); }
};

Status BadInput(const std::string& what) {
  return InvalidInput("witness record: " + what)
      .WithHint(
          "give {\"name\": \"...\", \"contact\": \"...\", \"consent\": {\"court\": true, "
          "\"publication\": false, \"contact\": true}, \"notes\": \"...\"}; only name is "
          "required");
}

// Parses a JSON object without ever quoting the input in an error.
Result<json> ParseObject(ByteView text) {
  if (text.size() > kMaxWitnessInputBytes) return BadInput("larger than 1 MiB");
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return BadInput("not valid JSON");
  if (!j.is_object()) return BadInput("not a JSON object");
  return j;
}

Result<Consent> ConsentFrom(const json& j) {
  Consent c;
  auto it = j.find("consent");
  if (it == j.end() || it->is_null()) return c;
  if (!it->is_object()) return BadInput("consent must be an object of true/false flags");
  for (const auto& [key, value] : it->items()) {
    std::optional<bool>* flag = key == "court"         ? &c.court
                                : key == "publication" ? &c.publication
                                : key == "contact"     ? &c.contact
                                                       : nullptr;
    if (flag == nullptr)
      return BadInput("consent has an unknown flag (allowed: court, publication, contact)");
    if (!value.is_boolean()) return BadInput("consent." + key + " must be true or false");
    *flag = value.get<bool>();
  }
  return c;
}

Status CheckText(const json& j, const char* key, size_t max, bool multiline, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return required ? BadInput(std::string(key) + " is required") : OkStatus();
  }
  if (!it->is_string()) return BadInput(std::string(key) + " must be a string");
  const std::string& s = it->get_ref<const std::string&>();
  if (required && s.find_first_not_of(" \t\n") == std::string::npos) {
    return BadInput(std::string(key) + " is empty");
  }
  if (!IsCleanText(s, max, multiline)) {
    return BadInput(std::string(key) + " must be UTF-8 text without control characters, at most " +
                    std::to_string(max) + " bytes");
  }
  return OkStatus();
}

Status CheckObject(const json& j) {
  for (const auto& [key, value] : j.items()) {
    if (key != "name" && key != "contact" && key != "consent" && key != "notes") {
      // The key itself is not quoted: a mis-shaped file may use a name as a key.
      return BadInput("has a field other than name, contact, consent and notes");
    }
  }
  RETURN_IF_ERROR(CheckText(j, "name", kMaxWitnessNameBytes, false, true));
  RETURN_IF_ERROR(CheckText(j, "contact", kMaxContactBytes, true, false));
  RETURN_IF_ERROR(CheckText(j, "notes", kMaxNotesBytes, true, false));
  return ConsentFrom(j).status();
}

Result<bool> PseudonymExists(Db& db, const std::string& p) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare("SELECT 1 FROM witnesses WHERE pseudonym = ?"));
  st.Bind(1, p);
  return st.Step();
}

}  // namespace

json Consent::ToJson() const {
  json j = json::object();
  if (court) j["court"] = *court;
  if (publication) j["publication"] = *publication;
  if (contact) j["contact"] = *contact;
  return j;
}

std::string NewPseudonym() {
  auto r = crypto::RandomArray<6>();
  std::string p = "W-";
  for (uint8_t b : r) p += kAlphabet[b & 31];  // 256 is a multiple of 32: no bias
  return p;
}

Result<crypto::BoxPublicKey> VaultIdentityKey(Vault& vault) {
  ASSIGN_OR_RETURN(Stmt st,
                   vault.db().Prepare("SELECT value FROM meta WHERE key = 'identity_key'"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) {
    return NotFound(
               "this vault has no identity key (it was made by an Amanat without witness "
               "records)")
        .WithHint("make a new vault for witness records");
  }
  auto pk = crypto::Base64DecodeFixed<32>(st.ColumnText(0));
  if (!pk.ok()) return VerifyFailed("vault.db: the identity key is damaged");
  const auto& copy = vault.keyslots().identity_key;
  if (copy && *copy != *pk) {
    return VerifyFailed("keyslots.json: identity_key is not this vault's identity key")
        .WithHint("restore keyslots.json from your backup of this vault");
  }
  // Both copies could be replaced by someone holding the vault key, so that later records are
  // sealed to a key of theirs (in a field vault, instead of HQ's): the signed init event is
  // the reference.
  ASSIGN_OR_RETURN(Bytes init, vault.log().Entry(0));
  auto pe = ParseEntry(init);
  if (!pe.ok()) return VerifyFailed("custody event 0: " + pe.status().message());
  const json& recorded = pe->event.details.contains("identity_key")
                             ? pe->event.details["identity_key"]
                             : json();
  if (!recorded.is_null() && recorded != crypto::Base64Encode(*pk)) {
    return VerifyFailed("vault.db: the identity key is not the one the signed init event recorded")
        .WithHint("run amanat verify; restore the vault from a backup");
  }
  return *pk;
}

Result<crypto::BoxKeyPair> OpenIdentityKey(Vault& vault) {
  ASSIGN_OR_RETURN(crypto::BoxPublicKey pk, VaultIdentityKey(vault));
  ASSIGN_OR_RETURN(auto hq, FieldVaultHq(vault.db()));
  if (hq) {
    return AuthFailed("this is a field vault: witness identities are sealed to HQ (" +
                      hq->origin + ") and cannot be opened here")
        .WithHint("export them to HQ (amanat export --include-identities) and open them there");
  }
  const std::string& me = vault.actor().custodian;
  ASSIGN_OR_RETURN(CustodianInfo info, GetCustodian(vault, me));
  if (!info.active || !HasGrant(info, kUnsealGrant)) {
    return AuthFailed("custodian " + me + " does not hold the unseal grant")
        .WithHint(
            "only custodians granted unseal (`amanat custodian grant NAME unseal`) can "
            "open witness identities");
  }
  return OpenIdentityGrant(vault.actor(), vault.unlocked(), pk);
}

Status CheckWitnessInput(ByteView json_text) {
  ASSIGN_OR_RETURN(json j, ParseObject(json_text));
  return CheckObject(j);
}

Result<std::string> AddWitness(Vault& vault, const crypto::SecretBytes& json_text) {
  RETURN_IF_ERROR(RequireRole(vault, {"admin", "collector"}, "adding a witness"));
  ASSIGN_OR_RETURN(json input, ParseObject(json_text.view()));
  RETURN_IF_ERROR(CheckObject(input));
  ASSIGN_OR_RETURN(Consent consent, ConsentFrom(input));
  ASSIGN_OR_RETURN(crypto::BoxPublicKey identity, VaultIdentityKey(vault));

  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  std::string pseudonym;
  for (int tries = 0;; ++tries) {
    if (tries == 100) return IoError("cannot find a free witness pseudonym");
    pseudonym = NewPseudonym();
    ASSIGN_OR_RETURN(bool taken, PseudonymExists(vault.db(), pseudonym));
    if (!taken) break;
  }
  // The sealed document names its vault and pseudonym, so that a sealed record moved to
  // another pseudonym (or vault) is caught when it is opened.
  json doc = {{"format", kWitnessRecordFormat},
              {"vault", vault.vault_id()},
              {"pseudonym", pseudonym},
              {"name", input["name"]},
              {"consent", consent.ToJson()}};
  for (const char* k : {"contact", "notes"}) {
    if (input.contains(k) && input[k].is_string()) doc[k] = input[k];
  }
  std::string plain = doc.dump();
  WipeString wipe{plain};
  ASSIGN_OR_RETURN(Bytes sealed, crypto::BoxSeal(identity, AsBytes(plain)));
  const std::string sealed_hash = crypto::Sha256Hex(sealed);

  json details = {
      {"pseudonym", pseudonym}, {"consent", consent.ToJson()}, {"sealed_sha256", sealed_hash}};
  ASSIGN_OR_RETURN(uint64_t seq, vault.Record("witness-add", {}, "", details));
  ASSIGN_OR_RETURN(Stmt ins, vault.db().Prepare("INSERT INTO witnesses(pseudonym, sealed, consent, "
                                                "created_seq) VALUES(?, ?, ?, ?)"));
  RETURN_IF_ERROR(ins.Bind(1, pseudonym)
                      .BindBlob(2, sealed)
                      .Bind(3, consent.ToJson().dump())
                      .Bind(4, static_cast<int64_t>(seq))
                      .Run());
  RETURN_IF_ERROR(vault.Commit(tx));
  return pseudonym;
}

Result<std::vector<WitnessSummary>> ListWitnesses(Vault& vault) {
  ASSIGN_OR_RETURN(
      Stmt st, vault.db().Prepare("SELECT w.pseudonym, w.consent, w.created_seq, e.time, e.actor "
                                  "FROM witnesses w LEFT JOIN events e ON e.seq = w.created_seq "
                                  "ORDER BY w.created_seq"));
  std::vector<WitnessSummary> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    WitnessSummary w;
    w.pseudonym = st.ColumnText(0);
    json consent = json::parse(st.ColumnText(1), nullptr, false);
    auto c =
        consent.is_object() ? ConsentFrom(json{{"consent", consent}}) : Result<Consent>(Consent{});
    if (!c.ok()) return VerifyFailed("witness " + w.pseudonym + ": stored consent is damaged");
    w.consent = *c;
    w.sequence = static_cast<uint64_t>(st.ColumnInt(2));
    w.added_at = st.ColumnText(3);
    w.added_by = st.ColumnText(4);
    out.push_back(std::move(w));
  }
  return out;
}

Result<crypto::SecretBytes> UnsealWitness(Vault& vault, const std::string& pseudonym,
                                          const std::string& purpose) {
  if (purpose.empty()) {
    return InvalidInput("unsealing a witness identity needs a purpose")
        .WithHint("add --purpose TEXT (it is recorded in the custody log)");
  }
  if (!IsCleanText(purpose, 1000)) {
    return InvalidInput("--purpose must be one line of UTF-8 text, at most 1000 bytes");
  }
  ASSIGN_OR_RETURN(crypto::BoxKeyPair identity, OpenIdentityKey(vault));
  // This vault's own record, else one received sealed to this vault's identity key in an
  // imported bundle (a field vault's, exported with --include-identities).
  Bytes sealed;
  std::string bound_vault = vault.vault_id();
  json details = {{"pseudonym", pseudonym}};
  {
    ASSIGN_OR_RETURN(Stmt st,
                     vault.db().Prepare("SELECT sealed FROM witnesses WHERE pseudonym = ?"));
    st.Bind(1, pseudonym);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      ByteView b = st.ColumnBlob(0);
      sealed.assign(b.begin(), b.end());
    }
  }
  if (sealed.empty()) {
    ASSIGN_OR_RETURN(auto received, FindReceivedIdentity(vault.db(), pseudonym));
    if (!received) return NotFound("no witness " + pseudonym.substr(0, 16) + " in this vault");
    sealed = std::move(received->sealed);
    bound_vault = received->vault_id;
    details["received_from"] = received->origin;
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                   OpenWitnessRecord(identity, sealed, bound_vault, pseudonym));
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  RETURN_IF_ERROR(vault.Record("unseal", {}, purpose, details).status());
  RETURN_IF_ERROR(vault.Commit(tx));
  return plain;
}

Result<crypto::SecretBytes> OpenWitnessRecord(const crypto::BoxKeyPair& identity, ByteView sealed,
                                              const std::string& vault_id,
                                              const std::string& pseudonym) {
  const std::string damaged = "witness " + pseudonym + ": sealed identity record";
  auto plain = crypto::BoxSealOpen(identity, sealed);
  if (!plain.ok()) return VerifyFailed(damaged + " does not open (damaged)");
  json doc = json::parse(plain->view().begin(), plain->view().end(), nullptr, false);
  const bool bound = !doc.is_discarded() && doc.is_object() &&
                     doc.value("format", "") == kWitnessRecordFormat &&
                     doc.value("vault", "") == vault_id && doc.value("pseudonym", "") == pseudonym;
  // The parser's copies of the record's strings are ordinary memory: wipe what can be reached.
  if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (it->is_string()) {
        auto& s = it->get_ref<std::string&>();
        crypto::Wipe(s.data(), s.size());
      }
    }
  }
  if (!bound) return VerifyFailed(damaged + " does not belong to this pseudonym");
  return std::move(*plain);
}

Result<std::string> ResealWitnessRecord(const crypto::BoxKeyPair& identity, ByteView sealed,
                                        const std::string& vault_id, const std::string& pseudonym,
                                        const std::vector<crypto::AgeRecipient>& to) {
  ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                   OpenWitnessRecord(identity, sealed, vault_id, pseudonym));
  std::string out;
  ASSIGN_OR_RETURN(crypto::AgeEncryptor enc,
                   crypto::AgeEncryptor::Create(to, [&out](ByteView b) {
                     out.append(AsChars(b));
                     return OkStatus();
                   }));
  RETURN_IF_ERROR(enc.Write(plain.view()));
  RETURN_IF_ERROR(enc.Finish());
  return out;
}

Status CheckWitnessKnown(Vault& vault, const std::string& pseudonym) {
  if (pseudonym.empty()) return OkStatus();
  ASSIGN_OR_RETURN(bool known, PseudonymExists(vault.db(), pseudonym));
  if (known) return OkStatus();
  ASSIGN_OR_RETURN(auto received, FindReceivedIdentity(vault.db(), pseudonym));
  if (received) return OkStatus();
  ASSIGN_OR_RETURN(Stmt any, vault.db().Prepare("SELECT 1 FROM witnesses LIMIT 1"));
  ASSIGN_OR_RETURN(bool has_records, any.Step());
  if (!has_records) return OkStatus();
  return NotFound("no witness " + pseudonym + " in this vault")
      .WithHint("see `amanat witness ls`; record a new witness with `amanat witness add`");
}

}  // namespace amanat::vault
