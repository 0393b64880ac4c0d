// vault/keyslots: parsing keyslots.json strictly, wrapping and unwrapping secrets, and
// telling a wrong passphrase (kAuthFailed) from a damaged slot (kVerifyFailed/kInvalidInput).
#include "vault/keyslots.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "crypto/encoding.h"
#include "crypto/kdf.h"
#include "crypto/secret.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

constexpr char kVaultId[] = "0123456789abcdef";

crypto::SecretBytes Passphrase(std::string_view s) { return crypto::SecretBytes::Copy(AsBytes(s)); }

class KeySlotsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::InitCrypto()); }

  void SetUp() override {
    auto kdf = crypto::Argon2ParamsForLevel("insecure-fast");
    ASSERT_TRUE(kdf.ok());
    kdf_ = *kdf;
    vault_key_ = crypto::SecretBytes::Random(32);
    auto slot = MakeKeySlot(kVaultId, "alice", "admin", Passphrase("alice's passphrase"), kdf_,
                            vault_key_, sign_key_);
    ASSERT_TRUE(slot.ok()) << slot.status().message();
    slots_.vault_id = kVaultId;
    slots_.origin = std::string("amanat/") + kVaultId;
    slots_.log_verifier_key = "amanat/0123456789abcdef+01234567+AAAA";
    slots_.db_salt = "00112233445566778899aabbccddeeff";
    slots_.slots.push_back(std::move(*slot));
  }

  // The serialised slots as JSON, for surgery.
  json Json() const { return json::parse(slots_.Serialize()); }

  // Parses `j`, expecting kInvalidInput naming `needle`.
  void ExpectDamaged(const json& j, const std::string& needle) {
    auto r = KeySlots::Parse(j.dump());
    ASSERT_FALSE(r.ok()) << j.dump();
    EXPECT_EQ(r.status().code(), Code::kInvalidInput) << r.status().message();
    EXPECT_NE(r.status().message().find(needle), std::string::npos)
        << "message \"" << r.status().message() << "\" lacks \"" << needle << "\"";
  }

  crypto::Argon2Params kdf_;
  crypto::SecretBytes vault_key_;
  crypto::Ed25519KeyPair sign_key_ = crypto::Ed25519KeyPair::Generate();
  KeySlots slots_;
};

TEST_F(KeySlotsTest, SerializeParseRoundTrip) {
  auto parsed = KeySlots::Parse(slots_.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->vault_id, kVaultId);
  EXPECT_EQ(parsed->origin, slots_.origin);
  EXPECT_EQ(parsed->db_salt, slots_.db_salt);
  ASSERT_EQ(parsed->slots.size(), 1u);
  const KeySlot& s = parsed->slots[0];
  EXPECT_EQ(s.custodian, "alice");
  EXPECT_EQ(s.role, "admin");
  EXPECT_EQ(s.sign_public_key, sign_key_.public_key());
  EXPECT_EQ(s.kdf.opslimit, kdf_.opslimit);
  EXPECT_EQ(s.kdf.memlimit, kdf_.memlimit);
  EXPECT_EQ(s.salt, slots_.slots[0].salt);
  EXPECT_EQ(s.vault_key.ciphertext, slots_.slots[0].vault_key.ciphertext);
  EXPECT_EQ(parsed->Serialize(), slots_.Serialize());
  // And the parsed slot still unlocks.
  auto u = UnlockKeySlot(kVaultId, s, Passphrase("alice's passphrase"));
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_TRUE(u->vault_key.Equals(vault_key_));
}

TEST_F(KeySlotsTest, ParseRejectsWhatIsNotJson) {
  for (const std::string& text :
       {std::string(""), std::string("{"), std::string("not json"), std::string("\x00\x01", 2),
        slots_.Serialize().substr(0, slots_.Serialize().size() / 2),
        slots_.Serialize() + "trailing garbage"}) {
    auto r = KeySlots::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
    EXPECT_NE(r.status().message().find("keyslots.json"), std::string::npos)
        << r.status().message();
    EXPECT_FALSE(r.status().hint().empty()) << "a damaged file deserves a hint";
  }
  for (const char* text : {"[]", "null", "42", "\"keyslots\""}) {
    auto r = KeySlots::Parse(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  }
}

TEST_F(KeySlotsTest, ParseNamesTheDamagedTopLevelField) {
  json j = Json();
  j.erase("format");
  ExpectDamaged(j, "format");

  j = Json();
  j["format"] = "amanat-keyslots/99";
  ExpectDamaged(j, "unknown format");

  for (const char* id : {"0123", "0123456789ABCDEF", "0123456789abcdeg", ""}) {
    j = Json();
    j["vault_id"] = id;
    ExpectDamaged(j, "vault_id");
  }
  j = Json();
  j["vault_id"] = 7;
  ExpectDamaged(j, "vault_id");

  j = Json();
  j["db_salt"] = "short";
  ExpectDamaged(j, "db_salt");

  j = Json();
  j.erase("origin");
  ExpectDamaged(j, "origin");

  j = Json();
  j["slots"] = json::array();
  ExpectDamaged(j, "slots");

  j = Json();
  j["slots"] = "alice";
  ExpectDamaged(j, "slots");

  j = Json();
  j["slots"][0] = 5;
  ExpectDamaged(j, "slots[0]");
}

TEST_F(KeySlotsTest, ParseNamesTheDamagedSlotField) {
  struct Case {
    std::string what;
    std::function<void(json&)> damage;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"custodian missing", [](json& s) { s.erase("custodian"); }, "custodian"},
      {"custodian with a space", [](json& s) { s["custodian"] = "alice smith"; }, "custodian"},
      {"custodian empty", [](json& s) { s["custodian"] = ""; }, "custodian"},
      {"role unknown", [](json& s) { s["role"] = "root"; }, "role"},
      {"public key short",
       [](json& s) { s["sign_public_key"] = crypto::Base64Encode(Bytes(31, 1)); },
       "sign_public_key"},
      {"public key not base64", [](json& s) { s["sign_public_key"] = "!!!"; }, "sign_public_key"},
      {"kdf missing", [](json& s) { s.erase("kdf"); }, "kdf"},
      {"kdf algorithm", [](json& s) { s["kdf"]["algorithm"] = "pbkdf2"; }, "kdf.algorithm"},
      {"opslimit negative", [](json& s) { s["kdf"]["opslimit"] = -1; }, "opslimit"},
      {"opslimit string", [](json& s) { s["kdf"]["opslimit"] = "3"; }, "opslimit"},
      {"memlimit absurd", [](json& s) { s["kdf"]["memlimit"] = 1ULL << 50; }, "out of range"},
      {"opslimit zero", [](json& s) { s["kdf"]["opslimit"] = 0; }, "out of range"},
      {"salt short", [](json& s) { s["kdf"]["salt"] = crypto::Base64Encode(Bytes(8, 1)); },
       "salt"},
      {"check missing", [](json& s) { s.erase("check"); }, "check"},
      {"vault_key missing", [](json& s) { s.erase("vault_key"); }, "vault_key"},
      {"vault_key nonce short",
       [](json& s) { s["vault_key"]["nonce"] = crypto::Base64Encode(Bytes(12, 1)); },
       "vault_key.nonce"},
      {"vault_key ciphertext short",
       [](json& s) { s["vault_key"]["ciphertext"] = crypto::Base64Encode(Bytes(40, 1)); },
       "vault_key.ciphertext"},
      {"sign_key ciphertext not base64",
       [](json& s) { s["sign_key"]["ciphertext"] = "%%%"; }, "sign_key.ciphertext"},
      {"wrapped secrets swapped",
       [](json& s) { std::swap(s["vault_key"], s["sign_key"]); }, "ciphertext"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    json j = Json();
    c.damage(j["slots"][0]);
    ExpectDamaged(j, c.needle);
  }
}

TEST_F(KeySlotsTest, ParseRejectsTwoSlotsForOneCustodian) {
  json j = Json();
  j["slots"].push_back(j["slots"][0]);
  ExpectDamaged(j, "two slots for alice");
}

TEST_F(KeySlotsTest, LoadOfAMissingFileIsNotFound) {
  auto r = KeySlots::Load("/nonexistent-amanat-dir/keyslots.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

TEST_F(KeySlotsTest, FindByNameOrTheOnlySlot) {
  auto only = slots_.Find("");
  ASSERT_TRUE(only.ok());
  EXPECT_EQ((*only)->custodian, "alice");
  auto bob = slots_.Find("bob");
  ASSERT_FALSE(bob.ok());
  EXPECT_EQ(bob.status().code(), Code::kNotFound);

  auto second = MakeKeySlot(kVaultId, "bob", "collector", Passphrase("bob's"), kdf_, vault_key_,
                            crypto::Ed25519KeyPair::Generate());
  ASSERT_TRUE(second.ok());
  slots_.slots.push_back(std::move(*second));
  auto ambiguous = slots_.Find("");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.status().code(), Code::kInvalidInput);
  auto found = slots_.Find("bob");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->role, "collector");
}

TEST_F(KeySlotsTest, UnlockYieldsTheWrappedSecrets) {
  auto u = UnlockKeySlot(kVaultId, slots_.slots[0], Passphrase("alice's passphrase"));
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_TRUE(u->vault_key.Equals(vault_key_));
  EXPECT_EQ(u->sign_key.public_key(), sign_key_.public_key());
  EXPECT_TRUE(u->sign_key.secret_key().Equals(sign_key_.secret_key()));
}

TEST_F(KeySlotsTest, WrongPassphraseIsAuthFailed) {
  for (std::string_view wrong : {"alice's passphras", "alice's passphrase ", "Alice's passphrase",
                                 "x"}) {
    auto u = UnlockKeySlot(kVaultId, slots_.slots[0], Passphrase(wrong));
    ASSERT_FALSE(u.ok()) << wrong;
    EXPECT_EQ(u.status().code(), Code::kAuthFailed);
    EXPECT_NE(u.status().message().find("wrong passphrase"), std::string::npos);
    EXPECT_EQ(u.status().message().find(std::string(wrong)), std::string::npos)
        << "the message must not echo the passphrase";
  }
  auto empty = UnlockKeySlot(kVaultId, slots_.slots[0], crypto::SecretBytes());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), Code::kAuthFailed);
}

TEST_F(KeySlotsTest, DamagedWrappedSecretsAreVerifyFailedNotWrongPassphrase) {
  struct Case {
    std::string what;
    std::function<void(KeySlot&)> damage;
  };
  const std::vector<Case> cases = {
      {"vault key ciphertext bit", [](KeySlot& s) { s.vault_key.ciphertext[5] ^= 1; }},
      {"vault key tag bit", [](KeySlot& s) { s.vault_key.ciphertext.back() ^= 0x80; }},
      {"vault key nonce bit", [](KeySlot& s) { s.vault_key.nonce[0] ^= 1; }},
      {"signing key ciphertext bit", [](KeySlot& s) { s.sign_key.ciphertext[40] ^= 4; }},
      {"signing key nonce bit", [](KeySlot& s) { s.sign_key.nonce[23] ^= 1; }},
      // Associated data binds custodian and public key: renaming or re-keying a slot fails.
      {"custodian renamed", [](KeySlot& s) { s.custodian = "mallory"; }},
      {"public key replaced",
       [](KeySlot& s) { s.sign_public_key = crypto::Ed25519KeyPair::Generate().public_key(); }},
      {"wrapped secrets exchanged between vault key and signing key",
       [](KeySlot& s) {
         std::swap(s.vault_key.nonce, s.sign_key.nonce);
       }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    KeySlot slot = slots_.slots[0];
    c.damage(slot);
    auto u = UnlockKeySlot(kVaultId, slot, Passphrase("alice's passphrase"));
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.status().code(), Code::kVerifyFailed) << u.status().message();
    EXPECT_NE(u.status().message().find("damaged"), std::string::npos) << u.status().message();
    EXPECT_EQ(u.status().message().find("wrong passphrase"), std::string::npos);
  }
}

TEST_F(KeySlotsTest, SlotOfAnotherVaultDoesNotUnlockHere) {
  // Wrapped under the same passphrase for another vault ID: the associated data differs.
  auto u = UnlockKeySlot("fedcba9876543210", slots_.slots[0], Passphrase("alice's passphrase"));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), Code::kVerifyFailed);
}

TEST_F(KeySlotsTest, WrappedKeyMovedFromAnotherSlotIsDamaged) {
  // Same custodian, same passphrase, another vault key: move its wrapped key into our slot.
  crypto::SecretBytes other_key = crypto::SecretBytes::Random(32);
  auto other = MakeKeySlot(kVaultId, "alice", "admin", Passphrase("alice's passphrase"), kdf_, other_key,
                           sign_key_);
  ASSERT_TRUE(other.ok());
  KeySlot slot = slots_.slots[0];
  slot.vault_key = other->vault_key;
  auto u = UnlockKeySlot(kVaultId, slot, Passphrase("alice's passphrase"));
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), Code::kVerifyFailed);
}

TEST_F(KeySlotsTest, EachSlotHasFreshSaltAndNonces) {
  auto again = MakeKeySlot(kVaultId, "alice", "admin", Passphrase("alice's passphrase"), kdf_,
                           vault_key_, sign_key_);
  ASSERT_TRUE(again.ok());
  const KeySlot& a = slots_.slots[0];
  EXPECT_NE(a.salt, again->salt);
  EXPECT_NE(a.check, again->check);
  EXPECT_NE(a.vault_key.nonce, again->vault_key.nonce);
  EXPECT_NE(a.vault_key.ciphertext, again->vault_key.ciphertext);
  EXPECT_NE(a.vault_key.nonce, a.sign_key.nonce);
  // Ciphertext is the secret's size plus a 16-byte tag, and is not the secret.
  ASSERT_EQ(a.vault_key.ciphertext.size(), 32u + 16u);
  EXPECT_NE(Bytes(a.vault_key.ciphertext.begin(), a.vault_key.ciphertext.begin() + 32),
            Bytes(vault_key_.data(), vault_key_.data() + 32));
}

TEST_F(KeySlotsTest, MakeKeySlotValidatesItsInputs) {
  for (const char* name : {"", "alice smith", "a/b", "ali\nce"}) {
    auto r = MakeKeySlot(kVaultId, name, "admin", Passphrase("p"), kdf_, vault_key_, sign_key_);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  }
  auto r = MakeKeySlot(kVaultId, "alice", "admin", crypto::SecretBytes(), kdf_, vault_key_,
                       sign_key_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
}

TEST_F(KeySlotsTest, SerializedSlotsHoldNoSecretInClear) {
  const std::string text = slots_.Serialize();
  for (const auto& [name, secret] :
       {std::pair<std::string, ByteView>{"vault key", vault_key_.view()},
        {"signing seed", sign_key_.secret_key().view().first(32)}}) {
    EXPECT_EQ(text.find(crypto::HexEncode(secret)), std::string::npos) << name;
    EXPECT_EQ(text.find(crypto::Base64Encode(secret)), std::string::npos) << name;
    EXPECT_EQ(text.find(std::string(AsChars(secret.first(16)))), std::string::npos) << name;
  }
  EXPECT_EQ(text.find("alice's passphrase"), std::string::npos);
}

TEST_F(KeySlotsTest, ArgonParamsForLevels) {
  for (const char* level : {"interactive", "moderate", "sensitive", "insecure-fast"}) {
    auto p = crypto::Argon2ParamsForLevel(level);
    ASSERT_TRUE(p.ok()) << level;
    EXPECT_TRUE(crypto::CheckArgon2Params(*p).ok()) << level;
    EXPECT_EQ(crypto::Argon2LevelName(*p), level);
  }
  EXPECT_FALSE(crypto::Argon2ParamsForLevel("weak").ok());
}

}  // namespace
}  // namespace amanat::vault

namespace amanat::vault {
namespace {

// ---- slot box keys and identity grants (format 2) ----

TEST_F(KeySlotsTest, SlotBoxKeyIsWrappedAndUnlocked) {
  const KeySlot& s = slots_.slots[0];
  ASSERT_TRUE(s.box_public_key.has_value());
  ASSERT_TRUE(s.box_key.has_value());
  EXPECT_EQ(s.box_key->ciphertext.size(), 32u + 16u);
  auto parsed = KeySlots::Parse(slots_.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->slots[0].box_public_key, s.box_public_key);
  auto u = UnlockKeySlot(kVaultId, parsed->slots[0], Passphrase("alice's passphrase"));
  ASSERT_TRUE(u.ok()) << u.status().message();
  ASSERT_TRUE(u->box_key.has_value());
  EXPECT_EQ(u->box_key->public_key(), *s.box_public_key);
  EXPECT_EQ(Json()["format"], "amanat-keyslots/3");
}

TEST_F(KeySlotsTest, GivenBoxKeyIsKeptAcrossRewrap) {
  auto box = crypto::BoxKeyPair::Generate();
  auto a = MakeKeySlot(kVaultId, "alice", "admin", Passphrase("p1"), kdf_, vault_key_, sign_key_, &box);
  auto b = MakeKeySlot(kVaultId, "alice", "admin", Passphrase("p2"), kdf_, vault_key_, sign_key_, &box);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->box_public_key, box.public_key());
  EXPECT_EQ(b->box_public_key, box.public_key());
  EXPECT_NE(a->box_key->ciphertext, b->box_key->ciphertext);
}

TEST_F(KeySlotsTest, DamagedOrSwappedBoxKeyIsDamageNotWrongPassphrase) {
  const std::vector<std::pair<std::string, std::function<void(KeySlot&)>>> cases = {
      {"box key ciphertext bit", [](KeySlot& s) { s.box_key->ciphertext[3] ^= 1; }},
      {"box key nonce bit", [](KeySlot& s) { s.box_key->nonce[0] ^= 1; }},
      {"box public key replaced",
       [](KeySlot& s) { s.box_public_key = crypto::BoxKeyPair::Generate().public_key(); }},
  };
  for (const auto& [what, damage] : cases) {
    SCOPED_TRACE(what);
    KeySlot slot = slots_.slots[0];
    damage(slot);
    auto u = UnlockKeySlot(kVaultId, slot, Passphrase("alice's passphrase"));
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.status().code(), Code::kVerifyFailed) << u.status().message();
    EXPECT_NE(u.status().message().find("box key"), std::string::npos) << u.status().message();
  }
}

TEST_F(KeySlotsTest, FormatOneSlotsWithoutBoxKeysStillParseAndUnlock) {
  json j = Json();
  j["format"] = "amanat-keyslots/1";
  j["slots"][0].erase("box_public_key");
  j["slots"][0].erase("box_key");
  auto parsed = KeySlots::Parse(j.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_FALSE(parsed->slots[0].box_public_key.has_value());
  EXPECT_FALSE(parsed->identity_key.has_value());
  auto u = UnlockKeySlot(kVaultId, parsed->slots[0], Passphrase("alice's passphrase"));
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_FALSE(u->box_key.has_value());
  // Granting to such a slot asks its custodian to run passwd once.
  auto identity = crypto::BoxKeyPair::Generate();
  auto g = SealIdentityGrant(parsed->slots[0], identity);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().hint().find("passwd"), std::string::npos);
  // Written back, the file is format 3, with the page size such a vault has.
  EXPECT_EQ(parsed->db_page_size, 4096);
  EXPECT_NE(parsed->Serialize().find("amanat-keyslots/3"), std::string::npos);
  EXPECT_EQ(json::parse(parsed->Serialize())["db_page_size"], 4096);
}

// Format 3 names vault.db's page size; a format 2 file (no such field) means 4096-byte pages,
// as every vault had before.
TEST_F(KeySlotsTest, PageSizeIsNamedInFormatThreeAndImpliedBefore) {
  json j = Json();
  EXPECT_EQ(j["format"], "amanat-keyslots/3");
  for (int size : {512, 4096, 16384, 65536}) {
    j["db_page_size"] = size;
    auto parsed = KeySlots::Parse(j.dump());
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(parsed->db_page_size, size);
  }
  for (json bad : {json(0), json(1000), json(131072), json(-4096), json("4096"), json(4096.5)}) {
    SCOPED_TRACE(bad.dump());
    j["db_page_size"] = bad;
    auto parsed = KeySlots::Parse(j.dump());
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.status().message().find("db_page_size"), std::string::npos);
  }
  j.erase("db_page_size");
  EXPECT_FALSE(KeySlots::Parse(j.dump()).ok()) << "format 3 without a page size";
  j["format"] = "amanat-keyslots/2";
  auto two = KeySlots::Parse(j.dump());
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(two->db_page_size, 4096);
}

TEST_F(KeySlotsTest, IdentityGrantOpensOnlyForItsSlotAndItsVault) {
  auto identity = crypto::BoxKeyPair::Generate();
  KeySlot& alice = slots_.slots[0];
  auto g = SealIdentityGrant(alice, identity);
  ASSERT_TRUE(g.ok()) << g.status().message();
  alice.identity_grant = *g;
  slots_.identity_key = identity.public_key();
  auto parsed = KeySlots::Parse(slots_.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->identity_key, identity.public_key());
  EXPECT_EQ(parsed->slots[0].identity_grant, *g);
  auto u = UnlockKeySlot(kVaultId, parsed->slots[0], Passphrase("alice's passphrase"));
  ASSERT_TRUE(u.ok());
  auto opened = OpenIdentityGrant(parsed->slots[0], *u, identity.public_key());
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_TRUE(opened->secret_key().Equals(identity.secret_key()));

  // Another vault's identity key: refused as damaged or replaced.
  auto other = OpenIdentityGrant(parsed->slots[0], *u, crypto::BoxKeyPair::Generate().public_key());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), Code::kVerifyFailed);

  // Bob's slot with alice's grant copied in: his box key cannot open it.
  auto bob = MakeKeySlot(kVaultId, "bob", "collector", Passphrase("bob's"), kdf_, vault_key_,
                         crypto::Ed25519KeyPair::Generate());
  ASSERT_TRUE(bob.ok());
  bob->identity_grant = *g;
  auto ub = UnlockKeySlot(kVaultId, *bob, Passphrase("bob's"));
  ASSERT_TRUE(ub.ok());
  auto stolen = OpenIdentityGrant(*bob, *ub, identity.public_key());
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.status().code(), Code::kVerifyFailed);

  // No grant at all: an authorisation failure, with a hint.
  bob->identity_grant.clear();
  auto none = OpenIdentityGrant(*bob, *ub, identity.public_key());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Code::kAuthFailed);
}

TEST_F(KeySlotsTest, ParseChecksTheNewFields) {
  {
    json j = Json();
    j["identity_key"] = "AAAA";
    ExpectDamaged(j, "identity_key");
  }
  {
    json j = Json();
    j["slots"][0]["identity_grant"] = crypto::Base64Encode(Bytes(79, 1));
    ExpectDamaged(j, "identity_grant has the wrong length");
  }
  {
    json j = Json();
    j["slots"][0].erase("box_public_key");
    ExpectDamaged(j, "box_public_key");
  }
  {
    json j = Json();
    j["slots"][0].erase("box_key");
    j["slots"][0].erase("box_public_key");
    j["slots"][0]["identity_grant"] = crypto::Base64Encode(Bytes(80, 1));
    ExpectDamaged(j, "identity_grant without a box key");
  }
  {
    json j = Json();
    j["format"] = "amanat-keyslots/4";
    auto r = KeySlots::Parse(j.dump());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("unknown format"), std::string::npos);
  }
}

TEST_F(KeySlotsTest, SerializedGrantHoldsNoSecretInClear) {
  auto identity = crypto::BoxKeyPair::Generate();
  slots_.slots[0].identity_grant = *SealIdentityGrant(slots_.slots[0], identity);
  auto u = UnlockKeySlot(kVaultId, slots_.slots[0], Passphrase("alice's passphrase"));
  ASSERT_TRUE(u.ok());
  const std::string text = slots_.Serialize();
  for (ByteView secret : {identity.secret_key().view(), u->box_key->secret_key().view()}) {
    EXPECT_EQ(text.find(crypto::Base64Encode(secret)), std::string::npos);
    EXPECT_EQ(text.find(crypto::HexEncode(secret)), std::string::npos);
    EXPECT_EQ(text.find(std::string(AsChars(secret.first(16)))), std::string::npos);
  }
}

}  // namespace
}  // namespace amanat::vault
