#include "vault/redactions.h"

#include <algorithm>
#include <cstring>

#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/provenance.h"
#include "vault/text.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

}  // namespace

PlainText::~PlainText() { crypto::Wipe(s_.data(), s_.size()); }

Result<PlainText> ReadTextItem(Vault& vault, const ItemInfo& item) {
  if (item.size > kMaxRedactableBytes) {
    return InvalidInput("item " + item.id.substr(0, 16) + " is " + std::to_string(item.size) +
                        " bytes; redaction works on texts of at most 64 MiB");
  }
  std::string text;
  text.reserve(static_cast<size_t>(item.size));
  Status s = ExtractItem(
      vault, item,
      [&](ByteView d) {
        text.append(AsChars(d));
        return OkStatus();
      },
      nullptr);
  PlainText out(std::move(text));  // wiped on every return, also if extraction failed midway
  RETURN_IF_ERROR(s);
  if (!IsValidUtf8(out.view())) {
    return InvalidInput("item " + item.id.substr(0, 16) +
                        " is not UTF-8 text; only UTF-8 text can be redacted with spans")
        .WithHint(
            "for other media, make the redacted version elsewhere and record it with "
            "`amanat derive ID FILE --relation redaction`");
  }
  return out;
}

Result<RedactResult> RedactItem(Vault& vault, const ItemInfo& original, std::string_view text,
                                const std::vector<Span>& spans, const ItemMetadata& meta) {
  RETURN_IF_ERROR(CheckSpans(text, spans));
  PlainText redacted(ApplySpans(text, spans));
  std::vector<Salt> salts;
  RedactionRecord record;
  record.original = original.id;
  record.redacted = crypto::Sha256Hex(AsBytes(redacted.view()));
  record.spans = CommitSpans(text, spans, salts);
  const std::string record_bytes = record.Serialize();
  Bytes salt_bytes;
  for (const Salt& s : salts) salt_bytes.insert(salt_bytes.end(), s.begin(), s.end());
  struct WipeSalts {
    Bytes& b;
    std::vector<Salt>& s;
    ~WipeSalts() {
      crypto::Wipe(b.data(), b.size());
      crypto::Wipe(s.data(), s.size() * sizeof(Salt));
    }
  } wipe{salt_bytes, salts};

  json extra = {{"redaction",
                 {{"format", kRedactionFormat},
                  {"record_sha256", crypto::Sha256Hex(AsBytes(record_bytes))},
                  {"spans", record.spans.size()}}}};
  DeriveOptions options{"redaction", "amanat redact", meta};
  size_t offset = 0;
  ReadFn read = [&](uint8_t* buf, size_t n) -> Result<size_t> {
    size_t take = std::min(n, redacted.view().size() - offset);
    std::memcpy(buf, redacted.view().data() + offset, take);
    offset += take;
    return take;
  };
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  ASSIGN_OR_RETURN(IngestResult stored, DeriveItem(vault, original, read, options, nullptr, extra));
  if (stored.item.id != record.redacted)
    return IoError("redaction: stored text changed on the way in");
  ASSIGN_OR_RETURN(Stmt ins, vault.db().Prepare("INSERT INTO redactions(seq, item, original, "
                                                "record, salts) VALUES(?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(ins.Bind(1, static_cast<int64_t>(stored.sequence))
                      .Bind(2, record.redacted)
                      .Bind(3, record.original)
                      .BindBlob(4, AsBytes(record_bytes))
                      .BindBlob(5, salt_bytes)
                      .Run());
  RETURN_IF_ERROR(vault.Commit(tx));
  return RedactResult{std::move(stored), std::move(record)};
}

Status CheckRedactionEvent(const Event& ev, ByteView record_bytes, const RedactionRecord& record) {
  const std::string name = "custody event " + std::to_string(ev.sequence);
  const json& d = ev.details;
  const json r = d.value("redaction", json());
  if (ev.action != "derive" || d.value("relation", "") != "redaction" || !r.is_object()) {
    return VerifyFailed(name + " is not the derive event of a redaction");
  }
  if (ev.subjects != std::vector<std::string>{record.redacted} ||
      ev.parents != std::vector<std::string>{record.original}) {
    return VerifyFailed(name + ": the redaction record names other items than its signed event");
  }
  if (r.value("record_sha256", "") != crypto::Sha256Hex(record_bytes) ||
      r.value("spans", uint64_t{0}) != record.spans.size()) {
    return VerifyFailed(name + ": the redaction record is not the one its signed event commits to");
  }
  return OkStatus();
}

Result<std::vector<StoredRedaction>> FindRedactions(Vault& vault, const std::string& redacted_id,
                                                    const std::string& original_id) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare("SELECT seq, item, original, record, salts FROM "
                                               "redactions WHERE item = ? OR original = ? "
                                               "ORDER BY seq"));
  st.Bind(1, redacted_id).Bind(2, original_id);
  std::vector<StoredRedaction> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    StoredRedaction r;
    r.sequence = static_cast<uint64_t>(st.ColumnInt(0));
    const std::string where = "redaction of custody event " + std::to_string(r.sequence);
    ByteView rec = st.ColumnBlob(3);
    r.record_bytes.assign(rec.begin(), rec.end());
    auto parsed = RedactionRecord::Parse(r.record_bytes);
    if (!parsed.ok()) return parsed.status().Context(where);
    r.record = std::move(*parsed);
    ByteView salts = st.ColumnBlob(4);
    if (salts.size() != r.record.spans.size() * kSaltBytes ||
        r.record.redacted != st.ColumnText(1) || r.record.original != st.ColumnText(2)) {
      return VerifyFailed(where + ": stored record is damaged");
    }
    for (size_t i = 0; i < salts.size(); i += kSaltBytes) {
      Salt s;
      std::copy(salts.begin() + static_cast<std::ptrdiff_t>(i),
                salts.begin() + static_cast<std::ptrdiff_t>(i + kSaltBytes), s.begin());
      r.salts.push_back(s);
    }
    ASSIGN_OR_RETURN(Bytes entry, vault.log().Entry(r.sequence));
    ASSIGN_OR_RETURN(ParsedEntry pe, ParseEntry(entry));
    RETURN_IF_ERROR(CheckRedactionEvent(pe.event, r.record_bytes, r.record));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace amanat::vault
