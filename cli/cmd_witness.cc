// amanat witness add|ls|show: witness identities, sealed to the vault's identity key.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "cli/app.h"
#include "crypto/secret.h"
#include "vault/fs.h"
#include "vault/items.h"
#include "vault/received_identities.h"
#include "vault/witnesses.h"

namespace amanat::cli {
namespace {

struct WitnessOptions {
  std::string from;  // FILE.json, or "-" for standard input; empty: ask on the terminal
  std::string pseudonym;
  std::string purpose;
  bool json = false;
};

// Wipes a string that held identity text.
struct Wiped {
  std::string s;
  ~Wiped() { crypto::Wipe(s.data(), s.size()); }
};

Result<crypto::SecretBytes> ReadAll(int fd, const std::string& what) {
  crypto::SecretBytes buf(vault::kMaxWitnessInputBytes + 1);
  size_t len = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data() + len, buf.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return vault::ErrnoStatus(errno, what);
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
    if (len > vault::kMaxWitnessInputBytes) return InvalidInput(what + ": larger than 1 MiB");
  }
  buf.Truncate(len);
  return buf;
}

Result<crypto::SecretBytes> ReadRecordFile(const std::string& path) {
  if (path == "-") return ReadAll(STDIN_FILENO, "standard input");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return vault::ErrnoStatus(errno, path);
  auto r = ReadAll(fd, path);
  ::close(fd);
  return r;
}

// Asks for the record field by field on the terminal (with echo: these are not passwords).
Result<crypto::SecretBytes> AskRecord() {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return InvalidInput("no terminal to ask for the witness's details on")
        .WithHint("use --from FILE.json, or --from - to read the JSON from standard input");
  }
  auto ask = [&](const std::string& prompt) -> Result<Wiped> {
    std::string text = prompt + ": ";
    if (::write(fd, text.data(), text.size()) < 0) return vault::ErrnoStatus(errno, "/dev/tty");
    Wiped line;
    for (;;) {
      char c;
      ssize_t n = ::read(fd, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return vault::ErrnoStatus(errno, "/dev/tty");
      if (n == 0 || c == '\n') break;
      if (line.s.size() >= 64 * 1024) return InvalidInput("an answer is longer than 64 KiB");
      line.s += c;
    }
    if (!line.s.empty() && line.s.back() == '\r') line.s.pop_back();
    return line;
  };
  auto ask_flag = [&](const std::string& prompt) -> Result<std::optional<bool>> {
    for (;;) {
      ASSIGN_OR_RETURN(Wiped a, ask(prompt + " (y/n, empty: not asked)"));
      if (a.s.empty()) return std::optional<bool>();
      if (a.s == "y" || a.s == "yes") return std::optional<bool>(true);
      if (a.s == "n" || a.s == "no") return std::optional<bool>(false);
    }
  };
  Result<crypto::SecretBytes> out = [&]() -> Result<crypto::SecretBytes> {
    nlohmann::json j = nlohmann::json::object();
    ASSIGN_OR_RETURN(Wiped name, ask("Name"));
    j["name"] = name.s;
    ASSIGN_OR_RETURN(Wiped contact, ask("Contact (optional)"));
    if (!contact.s.empty()) j["contact"] = contact.s;
    nlohmann::json consent = nlohmann::json::object();
    for (const auto& [key, label] :
         {std::pair<const char*, const char*>{"court", "Consents to use in court"},
          {"publication", "Consents to publication"},
          {"contact", "Consents to be contacted"}}) {
      ASSIGN_OR_RETURN(std::optional<bool> flag, ask_flag(label));
      if (flag) consent[key] = *flag;
    }
    if (!consent.empty()) j["consent"] = consent;
    ASSIGN_OR_RETURN(Wiped notes, ask("Notes (optional, one line)"));
    if (!notes.s.empty()) j["notes"] = notes.s;
    Wiped text{j.dump()};
    return crypto::SecretBytes::Copy(AsBytes(text.s));
  }();
  ::close(fd);
  return out;
}

std::string Flag(const std::optional<bool>& f) { return !f ? "?" : *f ? "yes" : "no"; }

std::string ConsentText(const vault::Consent& c) {
  return "court " + Flag(c.court) + ", publication " + Flag(c.publication) + ", contact " +
         Flag(c.contact);
}

// The flags of a consent object as a witness-add entry records them (only those given).
vault::Consent ConsentOf(const nlohmann::json& j) {
  vault::Consent c;
  auto flag = [&](const char* key) -> std::optional<bool> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_boolean()) return std::nullopt;
    return it->get<bool>();
  };
  c.court = flag("court");
  c.publication = flag("publication");
  c.contact = flag("contact");
  return c;
}

Status RunAdd(const WitnessOptions& o, const GlobalOptions& g) {
  // A file given is checked before anyone types a passphrase; prompts come after unlocking.
  std::optional<crypto::SecretBytes> input;
  if (!o.from.empty()) {
    ASSIGN_OR_RETURN(crypto::SecretBytes text, ReadRecordFile(o.from));
    RETURN_IF_ERROR(vault::CheckWitnessInput(text.view()));
    input.emplace(std::move(text));
  }
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  if (!input) {
    ASSIGN_OR_RETURN(crypto::SecretBytes text, AskRecord());
    input.emplace(std::move(text));
  }
  ASSIGN_OR_RETURN(std::string pseudonym, vault::AddWitness(*v, *input));
  if (o.json) {
    PrintJson({{"pseudonym", pseudonym}});
  } else {
    PrintLine(pseudonym);
  }
  return OkStatus();
}

Status RunLs(const WitnessOptions& o, const GlobalOptions& g) {
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(auto list, vault::ListWitnesses(*v));
  ASSIGN_OR_RETURN(auto items, vault::ListItems(*v, ""));
  auto count = [&](const std::string& p) {
    return std::count_if(items.begin(), items.end(), [&](const vault::ItemInfo& i) {
      return i.metadata.value("witness", "") == p;
    });
  };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& w : list) {
    if (o.json) {
      out.push_back({{"pseudonym", w.pseudonym},
                     {"consent", w.consent.ToJson()},
                     {"added_at", w.added_at},
                     {"added_by", w.added_by},
                     {"event", w.sequence},
                     {"items", count(w.pseudonym)}});
    } else {
      PrintLine(w.pseudonym + "  added " + w.added_at + " by " + w.added_by + "  consent: " +
                ConsentText(w.consent) + "  items: " + std::to_string(count(w.pseudonym)));
    }
  }
  // Records received from field vaults (sealed to this vault's identity key).
  ASSIGN_OR_RETURN(auto received, vault::ListReceivedWitnesses(v->db()));
  for (const auto& w : received) {
    vault::Consent consent = ConsentOf(w.consent);
    if (o.json) {
      out.push_back({{"pseudonym", w.pseudonym},
                     {"consent", consent.ToJson()},
                     {"added_at", w.added_at},
                     {"received_from", w.origin},
                     {"event", w.sequence},
                     {"items", count(w.pseudonym)}});
    } else {
      PrintLine(w.pseudonym + "  added " + w.added_at + " in " + w.origin +
                " (received)  consent: " + ConsentText(consent) +
                "  items: " + std::to_string(count(w.pseudonym)));
    }
  }
  if (o.json) PrintJson(out);
  return OkStatus();
}

Status RunShow(const WitnessOptions& o, const GlobalOptions& g) {
  if (!vault::IsValidPseudonym(o.pseudonym)) {
    return InvalidInput("'" + o.pseudonym.substr(0, 20) +
                        "' is not a witness pseudonym (W-7K3F9Q)");
  }
  ASSIGN_OR_RETURN(auto v, OpenVault(g));
  ASSIGN_OR_RETURN(crypto::SecretBytes plain, vault::UnsealWitness(*v, o.pseudonym, o.purpose));
  nlohmann::json doc =
      nlohmann::json::parse(plain.view().begin(), plain.view().end(), nullptr, false);
  if (!doc.is_object())
    return VerifyFailed("witness " + o.pseudonym + ": identity record is damaged");
  doc.erase("format");
  doc.erase("vault");
  if (o.json) {
    PrintJson(doc);
    return OkStatus();
  }
  PrintLine("pseudonym  " + o.pseudonym);
  PrintLine("name       " + doc.value("name", ""));
  if (doc.contains("contact")) PrintLine("contact    " + doc.value("contact", ""));
  nlohmann::json c = doc.value("consent", nlohmann::json::object());
  vault::Consent consent;
  auto flag = [&](const char* k, std::optional<bool>& f) {
    if (c.is_object() && c.contains(k) && c[k].is_boolean()) f = c[k].get<bool>();
  };
  flag("court", consent.court);
  flag("publication", consent.publication);
  flag("contact", consent.contact);
  PrintLine("consent    " + ConsentText(consent));
  if (doc.contains("notes")) PrintLine("notes      " + doc.value("notes", ""));
  return OkStatus();
}

}  // namespace

Command SetupWitness(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<WitnessOptions>();
  CLI::App* sub =
      app.add_subcommand("witness", "Witness identities, sealed to the vault's identity key");
  sub->require_subcommand(1);
  CLI::App* add =
      sub->add_subcommand("add", "Seal a witness's identity; prints their new pseudonym");
  add->add_option("--from", o->from,
                  "Read {\"name\", \"contact\", \"consent\", \"notes\"} from FILE.json ('-': "
                  "standard input); without it, asks on the terminal");
  add->add_flag("--json", o->json, "Machine-readable output");
  CLI::App* ls = sub->add_subcommand("ls", "List pseudonyms and consent flags (no identities)");
  ls->add_flag("--json", o->json, "Machine-readable output");
  CLI::App* show =
      sub->add_subcommand("show", "Unseal a witness's identity (needs the unseal grant; logged)");
  show->add_option("pseudonym", o->pseudonym, "Pseudonym, e.g. W-7K3F9Q")->required();
  show->add_option("--purpose", o->purpose,
                   "Why you are unsealing it (recorded in the custody log)")
      ->required();
  show->add_flag("--json", o->json, "Machine-readable output");
  return {sub, [o, &g, add, ls, show]() -> Status {
            if (add->parsed()) return RunAdd(*o, g);
            if (ls->parsed()) return RunLs(*o, g);
            if (show->parsed()) return RunShow(*o, g);
            return InvalidInput("witness: give add, ls or show");
          }};
}

}  // namespace amanat::cli
