#include "vault/bundle_layout.h"

#include <algorithm>
#include <utility>

#include "crypto/encoding.h"
#include "vault/bundle_json.h"
#include "vault/items.h"

namespace amanat::vault {
namespace {

bool IsDecimal(std::string_view s) {
  return !s.empty() && s.size() <= 6 && s[0] != '0' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// For "custody/received/<n>/<name>", sets `name`; false otherwise.
bool InReceivedSection(std::string_view path, std::string_view* name) {
  if (!StartsWith(path, kReceivedDir)) return false;
  std::string_view rest = path.substr(std::string_view(kReceivedDir).size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || !IsDecimal(rest.substr(0, slash))) return false;
  *name = rest.substr(slash + 1);
  return true;
}

// A timestamp member's stem after "timestamps/": <size> or <size>-<n>, n >= 2, decimal.
bool IsTimestampStem(std::string_view stem) {
  auto number = [](std::string_view d) {
    return !d.empty() && d.size() <= 20 && d[0] != '0' &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  size_t dash = stem.find('-');
  if (dash == std::string_view::npos) return number(stem);
  std::string_view n = stem.substr(dash + 1);
  return number(stem.substr(0, dash)) && number(n) && n != "1";
}

// Step 6 of README.txt: the timestamps, with the stock `openssl ts`.
std::string TimestampReadme(const Manifest& m) {
  if (m.timestamps.empty()) return "";
  const TimestampRef& t = m.timestamps.front();
  return "  6. A time-stamping authority (TSA) saw each timestamped checkpoint no later than\n"
         "     the time its token states; with the TSA's CA certificate, obtained from the TSA\n"
         "     by a channel you trust:\n"
         "                  openssl ts -verify -data " + t.checkpoint + " -in " + t.token + " \\\n"
         "                      -CAfile TSA-CA.pem -untrusted " + t.chain + "\n"
         "     It must print \"Verification: OK\"; `openssl ts -reply -in " + t.token + " -text`\n"
         "     shows the time. If the TSA's certificate has expired since, add -attime with that\n"
         "     time in seconds since 1970 (date -u -d TIME +%s). The bundle's checkpoint extends\n"
         "     each timestamped one (custody/proofs.json); amanat verify-bundle checks that.\n";
}

}  // namespace

TimestampPaths TimestampPathsFor(uint64_t size, size_t n) {
  std::string stem = kTimestampsDir + std::to_string(size);
  if (n > 1) stem += "-" + std::to_string(n);
  return {stem + ".tsr", stem + ".chain.pem", stem + ".checkpoint"};
}

bool IsValidCustodianName(std::string_view name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

std::string MinisignKeyPath(const std::string& custodian, const std::string& key_id) {
  return "keys/" + custodian + "-" + key_id + ".minisign.pub";
}

std::string NoteKeyPath(const std::string& custodian, const std::string& key_id) {
  return "keys/" + custodian + "-" + key_id + ".vkey";
}

bool ParseKeyPath(std::string_view path, std::string* custodian, std::string* key_id) {
  if (!StartsWith(path, "keys/")) return false;
  std::string_view name = path.substr(5);
  for (std::string_view ext : {std::string_view(".minisign.pub"), std::string_view(".vkey")}) {
    if (name.size() <= ext.size() || name.substr(name.size() - ext.size()) != ext) continue;
    std::string_view stem = name.substr(0, name.size() - ext.size());
    if (stem.size() < 18 || stem[stem.size() - 17] != '-') return false;
    std::string_view id = stem.substr(stem.size() - 16);
    std::string_view who = stem.substr(0, stem.size() - 17);
    if (!crypto::IsLowerHex(id) || !IsValidCustodianName(who)) return false;
    *custodian = std::string(who);
    *key_id = std::string(id);
    return true;
  }
  return false;
}

MemberKind ClassifyMember(std::string_view path) {
  if (path == kManifestPath) return MemberKind::kManifest;
  if (path == kManifestSigPath) return MemberKind::kManifestSig;
  if (path == kSumsPath) return MemberKind::kSums;
  if (path == kReadmePath) return MemberKind::kReadme;
  if (path == kLogKeyPath) return MemberKind::kLogKey;
  if (StartsWith(path, kIdentitiesDir)) {
    std::string_view name = path.substr(std::string_view(kIdentitiesDir).size());
    for (std::string_view suffix : {kIdentitySuffix, kAgeIdentitySuffix}) {
      if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
        return IsValidPseudonym(name.substr(0, name.size() - suffix.size()))
                   ? MemberKind::kIdentity
                   : MemberKind::kUnknown;
      }
    }
    return MemberKind::kUnknown;
  }
  if (StartsWith(path, kRedactionsDir)) {
    std::string_view name = path.substr(std::string_view(kRedactionsDir).size());
    return name.size() == 64 + 5 && name.substr(64) == ".json" &&
                   crypto::IsLowerHex(name.substr(0, 64))
               ? MemberKind::kRedaction
               : MemberKind::kUnknown;
  }
  if (StartsWith(path, kItemsDir)) {
    return ItemIdOfMember(path).empty() ? MemberKind::kUnknown : MemberKind::kItem;
  }
  if (StartsWith(path, kTimestampsDir)) {
    std::string_view rest = path.substr(std::string_view(kTimestampsDir).size());
    for (auto [ext, kind] : {std::pair{std::string_view(".tsr"), MemberKind::kTimestampToken},
                             std::pair{std::string_view(".chain.pem"), MemberKind::kTimestampChain},
                             std::pair{std::string_view(".checkpoint"),
                                       MemberKind::kTimestampCheckpoint}}) {
      if (rest.size() > ext.size() && rest.substr(rest.size() - ext.size()) == ext &&
          IsTimestampStem(rest.substr(0, rest.size() - ext.size()))) {
        return kind;
      }
    }
    return MemberKind::kUnknown;
  }
  std::string_view name;
  if (StartsWith(path, "custody/") && path.find('/', 8) == std::string_view::npos) {
    name = path.substr(8);
  } else if (InReceivedSection(path, &name)) {
    if (name == "log.vkey") return MemberKind::kLogKey;
  } else {
    std::string who, id;
    if (!ParseKeyPath(path, &who, &id)) return MemberKind::kUnknown;
    return path.substr(path.size() - 5) == ".vkey" ? MemberKind::kNoteKey : MemberKind::kMinisignKey;
  }
  if (name == kEventsName) return MemberKind::kEvents;
  if (name == kProofsName) return MemberKind::kProofs;
  if (name == kCheckpointName) return MemberKind::kCheckpoint;
  return MemberKind::kUnknown;
}

size_t MaxMemberBytes(MemberKind kind) {
  switch (kind) {
    case MemberKind::kManifest: return kMaxManifestBytes;
    case MemberKind::kSums: return kMaxSumsBytes;
    case MemberKind::kReadme: return kMaxReadmeBytes;
    case MemberKind::kEvents: return kMaxEventsBytes;
    case MemberKind::kProofs: return kMaxProofsBytes;
    case MemberKind::kTimestampToken: return kMaxTimestampTokenBytes;
    case MemberKind::kTimestampChain: return kMaxTimestampChainBytes;
    case MemberKind::kManifestSig:
    case MemberKind::kTimestampCheckpoint:
    case MemberKind::kCheckpoint:
    case MemberKind::kLogKey:
    case MemberKind::kMinisignKey:
    case MemberKind::kNoteKey: return kMaxSmallMemberBytes;
    case MemberKind::kIdentity: return kMaxIdentityBytes;
    case MemberKind::kRedaction: return kMaxRedactionRecordBytes;
    case MemberKind::kItem:
    case MemberKind::kUnknown: return 0;
  }
  return 0;
}

std::string IdentityPath(const std::string& pseudonym) {
  return kIdentitiesDir + pseudonym + kIdentitySuffix;
}

std::string SealedItemPath(const std::string& id) { return kItemsDir + id + kSealedItemSuffix; }

std::string ItemIdOfMember(std::string_view path) {
  if (!StartsWith(path, kItemsDir)) return "";
  std::string_view id = path.substr(std::string_view(kItemsDir).size());
  const std::string_view suffix = kSealedItemSuffix;
  if (id.size() == 64 + suffix.size() && id.substr(64) == suffix) id = id.substr(0, 64);
  return id.size() == 64 && crypto::IsLowerHex(id) ? std::string(id) : std::string();
}

std::string AgeIdentityPath(const std::string& pseudonym) {
  return kIdentitiesDir + pseudonym + kAgeIdentitySuffix;
}

std::string RedactionPath(const std::string& redacted_id) {
  return kRedactionsDir + redacted_id + ".json";
}

std::string SectionDir(size_t received_index) {
  if (received_index == 0) return kCustodyDir;
  return std::string(kReceivedDir) + std::to_string(received_index);
}

std::string SectionLogKeyPath(size_t received_index) {
  if (received_index == 0) return kLogKeyPath;
  return SectionDir(received_index) + "/log.vkey";
}

std::string FormatSha256Sums(const std::map<std::string, std::string>& sha256_by_path) {
  std::string out;
  for (const auto& [path, hex] : sha256_by_path) out += hex + "  " + path + "\n";
  return out;
}

std::string BundleReadme(const Manifest& m, const std::string& exporter_key_path) {
  std::string items;
  for (const auto& it : m.items) {
    std::string name = JsonStringField(it.metadata, "filename");
    items += "  " + it.Path() + "\n      " + std::to_string(it.size) + " bytes, " + it.kind +
             (name.empty() ? "" : ", originally \"" + name + "\"") +
             (it.sealed ? ", sealed to HQ (" + std::to_string(it.sealed->size) + " bytes of age)"
                        : "") +
             "\n";
  }
  const bool sealed = std::any_of(m.items.begin(), m.items.end(),
                                  [](const BundleItem& it) { return it.sealed.has_value(); });
  const std::string sealed_note =
      !sealed ? std::string()
              : "Files ending in .age were sealed to HQ in the field: each is an age file\n"
                "encrypted to HQ's key (named in manifest.json); only HQ opens it, and only HQ can\n"
                "check that what it holds has the fingerprint in its name. The fingerprint of the\n"
                ".age file itself is in SHA256SUMS and in the signed manifest.\n";
  // Records encrypted to the legal team's age keys (export --include-identities --to).
  const bool age = std::any_of(m.identities.begin(), m.identities.end(),
                               [](const IdentityRef& r) { return r.format == kAgeIdentityFormat; });
  const std::string identities =
      !age ? std::string()
           : "  identities/            witness identity records, each encrypted to the age keys\n"
             "                         named in manifest.json; only those keys open them:\n"
             "                           age -d -i YOUR-KEY identities/W-....age\n";
  return std::string("AMANAT EVIDENCE BUNDLE (") + kBundleFormat + ")\n" +
         "========================================\n"
         "\n"
         "This archive holds evidence exported from an Amanat evidence vault, with the signed\n"
         "record of who handled it, when and why. It can be checked without the vault and\n"
         "without any password.\n"
         "\n"
         "  Vault (log name):    " + m.origin + "\n"
         "  Exported by:         custodian " + m.exporter + ", key " + m.exporter_key_id + "\n"
         "  Exported on:         " + m.created + " (UTC, by the exporting computer's clock)\n"
         "  Purpose given:       " + (m.purpose.empty() ? "(none)" : m.purpose) + "\n"
         "  Custody record:      " + std::to_string(m.events.size()) +
         " signed entries, checkpoint of " + std::to_string(m.checkpoint_size) + " entries\n"
         "\n"
         "The evidence files, each named by its SHA-256 fingerprint:\n" +
         items + sealed_note +
         "\n"
         "WHAT ELSE IS HERE\n"
         "  manifest.json          the list of everything in this bundle\n"
         "  manifest.json.minisig  the exporter's signature of that list\n"
         "  SHA256SUMS             the fingerprint of every other file\n"
         "  custody/               the signed custody record (events.jsonl), the proofs that\n"
         "                         each entry is part of the vault's log (proofs.json), and the\n"
         "                         vault's signed summary of that log (checkpoint)\n"
         "  keys/                  the public keys that made the signatures\n" + identities +
         (m.timestamps.empty()
              ? std::string()
              : "  timestamps/            trusted timestamps (RFC 3161) of earlier checkpoints: a\n"
                "                         time-stamping authority's token (.tsr), its certificates\n"
                "                         (.chain.pem) and the checkpoint it covers (.checkpoint)\n") +
         "\n"
         "CHECKING WITH AMANAT (recommended; checks everything)\n"
         "  amanat verify-bundle THIS-FILE.zip --trust LOG-KEY --trust CUSTODIAN-KEY ...\n"
         "  With --trust, every signature must come from a key you give; without it, the\n"
         "  command lists the keys it relied on, for you to compare.\n"
         "\n"
         "CHECKING WITH STANDARD TOOLS (Debian/Ubuntu: apt install unzip coreutils minisign)\n"
         "  1. Unpack:      unzip THIS-FILE.zip -d bundle && cd bundle\n"
         "  2. No file was changed:\n"
         "                  sha256sum -c SHA256SUMS\n"
         "     Every line must end in \"OK\".\n"
         "  3. The list of contents was signed by the exporter:\n"
         "                  minisign -Vm manifest.json -p " + exporter_key_path + "\n"
         "     It must print \"Signature and comment signature verified\".\n"
         "  4. Each evidence file's name is its fingerprint:\n"
         "                  sha256sum items/*\n"
         "     On every line the two long numbers must be the same.\n"
         "  5. The checkpoint (custody/checkpoint) is a C2SP signed note; any C2SP verifier\n"
         "     checks it with the key in keys/log.vkey, for example\n"
         "                  amanat checkpoint verify --key keys/log.vkey custody/checkpoint\n"
         + TimestampReadme(m) +
         "  The standard tools do not check the custody record itself (the signature of each\n"
         "  entry and the proofs); amanat verify-bundle does, and the method is published in\n"
         "  Amanat's docs/format/bundle.md for anyone to re-implement.\n"
         "\n"
         "IMPORTANT: COMPARE THE KEYS\n"
         "  A key found inside this bundle proves only that the bundle agrees with itself.\n"
         "  It proves who signed only if it matches a copy you received separately (in person,\n"
         "  on paper, through another channel). This bundle was signed with:\n"
         "    vault log key:  " + m.log_key + "\n"
         "    exporter key:   " + exporter_key_path + "\n"
         "\n"
         "Times are those of the computers that made each entry. Places, titles and notes are\n"
         "what the collector typed. Witnesses are named by pseudonyms only.\n";
}

}  // namespace amanat::vault
