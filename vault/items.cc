#include "vault/items.h"

#include <algorithm>
#include <array>
#include <memory>

#include "crypto/age.h"
#include "crypto/encoding.h"
#include "crypto/sha256.h"
#include "vault/chunk_reader.h"
#include "vault/event.h"
#include "vault/hq_keys.h"
#include "vault/media_type.h"
#include "vault/text.h"
#include "vault/timeutil.h"
#include "vault/witnesses.h"

namespace amanat::vault {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 6> kKinds = {"testimony", "audio",    "video",
                                                     "image",     "document", "other"};

constexpr char kItemColumns[] = "id, size, kind, media_type, ingested_at, metadata, blob_id";
// Every item query: the item and, for content sealed to HQ, its sealed_items row.
constexpr char kSelectItems[] =
    "SELECT i.id, i.size, i.kind, i.media_type, i.ingested_at, i.metadata, i.blob_id, "
    "s.format, s.sha256, s.size FROM items i LEFT JOIN sealed_items s ON s.item_id = i.id";

Result<ItemInfo> ItemFromRow(const Stmt& st) {
  ItemInfo info;
  info.id = st.ColumnText(0);
  info.size = static_cast<uint64_t>(st.ColumnInt(1));
  info.kind = st.ColumnText(2);
  info.media_type = st.ColumnText(3);
  info.ingested_at = st.ColumnText(4);
  info.metadata = json::parse(st.ColumnText(5), nullptr, false);
  info.blob_id = st.ColumnInt(6);
  if (!st.ColumnIsNull(7)) {
    info.sealed = SealedContent{st.ColumnText(7), st.ColumnText(8),
                                static_cast<uint64_t>(st.ColumnInt(9))};
  }
  if (info.metadata.is_discarded() || !info.metadata.is_object()) {
    return VerifyFailed("item " + info.id + ": stored metadata is damaged");
  }
  return info;
}

// Fills `buf` completely unless the input ends first; returns the byte count.
Result<size_t> Fill(const ReadFn& read, uint8_t* buf, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    ASSIGN_OR_RETURN(size_t n, read(buf + got, cap - got));
    if (n == 0) break;
    got += n;
  }
  return got;
}

Result<std::optional<ItemInfo>> FindExact(Db& db, const std::string& id) {
  ASSIGN_OR_RETURN(Stmt st, db.Prepare(std::string(kSelectItems) + " WHERE i.id = ?"));
  st.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<ItemInfo>();
  ASSIGN_OR_RETURN(ItemInfo info, ItemFromRow(st));
  return std::optional<ItemInfo>(std::move(info));
}

}  // namespace

bool IsValidKind(std::string_view kind) {
  return std::find(kKinds.begin(), kKinds.end(), kind) != kKinds.end();
}

bool IsValidPseudonym(std::string_view p) {
  if (p.size() < 6 || p.size() > 16 || p.substr(0, 2) != "W-") return false;
  return std::all_of(p.begin() + 2, p.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
  });
}

Status ItemMetadata::Validate() const {
  if (!IsValidKind(kind)) {
    return InvalidInput("unknown kind '" + kind.substr(0, 40) +
                        "' (want testimony, audio, video, image, document or other)");
  }
  if (!witness.empty() && !IsValidPseudonym(witness)) {
    return InvalidInput("--witness takes a pseudonym such as W-7K3F9Q, never a name")
        .WithHint("pseudonyms are 'W-' and 4 to 14 capital letters or digits");
  }
  if (!captured_at.empty() && !IsValidCapturedAt(captured_at)) {
    return InvalidInput("--captured-at '" + captured_at.substr(0, 40) +
                        "' is not a date or date-time such as 2017-03-26 or 2017-03-26T10:00+06:00");
  }
  if (!lang.empty()) {
    bool ok = lang.size() <= 35 && std::all_of(lang.begin(), lang.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
              });
    if (!ok) return InvalidInput("--lang takes a language tag such as ug, kk or en");
  }
  const std::pair<const char*, const std::string*> fields[] = {
      {"title", &title}, {"place", &place}, {"confidentiality", &confidentiality}};
  for (const auto& [name, value] : fields) {
    if (!IsCleanText(*value, 1000)) {
      return InvalidInput(std::string("--") + name +
                          " must be valid UTF-8 without control characters, at most 1000 bytes");
    }
  }
  if (!IsCleanText(note, 64 * 1024, /*multiline=*/true)) {
    return InvalidInput("--note must be valid UTF-8 text of at most 64 KiB");
  }
  if (tags.size() > 100) return InvalidInput("at most 100 tags");
  for (const auto& t : tags) {
    if (t.empty() || !IsCleanText(t, 100)) {
      return InvalidInput("a tag must be 1-100 bytes of UTF-8 text without control characters");
    }
  }
  if (!IsCleanText(filename, 255)) return InvalidInput("file name is not clean UTF-8");
  return OkStatus();
}

json SealedContent::ToJson() const {
  return {{"format", format}, {"sha256", sha256}, {"size", size}};
}

json ItemMetadata::ToJson() const {
  json j = json::object();
  j["kind"] = kind;
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) j[k] = v;
  };
  put("filename", filename);
  put("title", title);
  put("lang", lang);
  put("captured_at", captured_at);
  put("place", place);
  put("witness", witness);
  if (!tags.empty()) j["tags"] = tags;
  put("note", note);
  put("confidentiality", confidentiality);
  return j;
}

namespace {

struct StoredBlob {
  std::string id;
  int64_t blob_id = 0;
  int64_t chunks = 0;
  uint64_t size = 0;  // of the content (the plaintext)
  std::string media_type;
  std::optional<SealedContent> sealed;  // with `seal_to`: what the chunks hold
};

// Chunk rows of sealed content: the age encryptor's output, cut into chunks of kChunkSize
// and hashed as it is stored. Only ciphertext ever reaches `store`.
class SealedChunks {
 public:
  explicit SealedChunks(std::function<Status(ByteView)> store) : store_(std::move(store)) {
    pending_.reserve(kChunkSize);
  }
  Status Add(ByteView b) {
    hash_.Update(b);
    size_ += b.size();
    while (!b.empty()) {
      const size_t k = std::min(b.size(), kChunkSize - pending_.size());
      pending_.insert(pending_.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(k));
      b = b.subspan(k);
      if (pending_.size() == kChunkSize) RETURN_IF_ERROR(Flush());
    }
    return OkStatus();
  }
  Result<SealedContent> Finish() {
    if (!pending_.empty()) RETURN_IF_ERROR(Flush());
    return SealedContent{kSealedFormat, crypto::HexEncode(hash_.Finish()), size_};
  }

 private:
  Status Flush() {
    RETURN_IF_ERROR(store_(pending_));
    pending_.clear();
    return OkStatus();
  }
  std::function<Status(ByteView)> store_;
  Bytes pending_;
  crypto::Sha256 hash_;
  uint64_t size_ = 0;
};

// Streams `read` into chunk rows of a new blob, hashing on the way. After the first chunk,
// reading and hashing run on a second thread (vault/chunk_reader.h) while this one stores.
// A non-empty `media_type` was detected already; otherwise libmagic looks at the first chunk.
// With `seal_to`, the content is encrypted to it on the way (one age file, with a fresh file
// key) and only the age bytes are stored.
Result<StoredBlob> StoreChunks(Db& db, const ReadFn& read, const ProgressFn& progress,
                               const std::optional<crypto::AgeRecipient>& seal_to,
                               const std::string& media_type = "") {
  StoredBlob out;
  ASSIGN_OR_RETURN(Stmt next, db.Prepare("SELECT coalesce(max(id), 0) + 1 FROM blobs"));
  ASSIGN_OR_RETURN(bool has_row, next.Step());
  if (!has_row) return IoError("database: cannot allocate a blob");
  out.blob_id = next.ColumnInt(0);

  ASSIGN_OR_RETURN(Stmt put,
                   db.Prepare("INSERT INTO chunks(blob_id, seq, data) VALUES(?, ?, ?)"));
  auto put_row = [&](ByteView chunk) -> Status {
    put.Bind(1, out.blob_id).Bind(2, out.chunks).BindBlobNoCopy(3, chunk);
    RETURN_IF_ERROR(put.Run());
    put.Reset();
    ++out.chunks;
    return OkStatus();
  };
  std::optional<SealedChunks> sealed;
  std::optional<crypto::AgeEncryptor> enc;
  if (seal_to) {
    sealed.emplace(put_row);
    ASSIGN_OR_RETURN(enc, crypto::AgeEncryptor::Create(
                              {*seal_to}, [&sealed](ByteView b) { return sealed->Add(b); }));
  }
  auto store = [&](ByteView chunk) -> Status {
    RETURN_IF_ERROR(enc ? enc->Write(chunk) : put_row(chunk));
    out.size += chunk.size();
    if (progress) progress(out.size);
    return OkStatus();
  };

  crypto::Sha256 hash;
  // Not zero-filled: only the bytes read are ever used, and those are wiped on the way out.
  std::unique_ptr<uint8_t[]> buf(new uint8_t[kChunkSize]);
  size_t used = kChunkSize;  // until the read returns, bytes may have landed anywhere
  struct WipeOnExit {
    uint8_t* p;
    size_t* n;
    ~WipeOnExit() { crypto::Wipe(p, *n); }
  } wipe{buf.get(), &used};
  ASSIGN_OR_RETURN(size_t n, Fill(read, buf.get(), kChunkSize));
  used = n;
  ByteView first(buf.get(), n);
  out.media_type = !media_type.empty() && n > 0
                       ? media_type
                       : DetectMediaType(first.first(std::min(n, kMediaSniffBytes)));
  hash.Update(first);
  if (n > 0) RETURN_IF_ERROR(store(first));
  if (n == kChunkSize) {
    ChunkReader rest(read, hash);
    for (;;) {
      ASSIGN_OR_RETURN(ByteView chunk, rest.Next());
      if (chunk.empty()) break;
      RETURN_IF_ERROR(store(chunk));
    }
  }
  out.id = crypto::HexEncode(hash.Finish());
  if (enc) {
    RETURN_IF_ERROR(enc->Finish());
    ASSIGN_OR_RETURN(out.sealed, sealed->Finish());
  }
  return out;
}

json IngestDetails(const ItemInfo& item, const json& meta, bool already_present,
                   const StoreEvent& event) {
  json d = event.details;
  d["size"] = item.size;
  d["media_type"] = item.media_type;
  d["metadata"] = meta;
  d["already_present"] = already_present;
  if (item.sealed) d["sealed"] = item.sealed->ToJson();
  return d;
}

// The blobs row of freshly stored chunks and the items row that names them.
Status InsertItemRows(Db& db, const StoredBlob& blob, const ItemInfo& info) {
  ASSIGN_OR_RETURN(Stmt b, db.Prepare("INSERT INTO blobs(id, size, chunks) VALUES(?, ?, ?)"));
  const uint64_t stored = blob.sealed ? blob.sealed->size : blob.size;
  RETURN_IF_ERROR(
      b.Bind(1, blob.blob_id).Bind(2, static_cast<int64_t>(stored)).Bind(3, blob.chunks).Run());
  ASSIGN_OR_RETURN(Stmt item, db.Prepare(std::string("INSERT INTO items(") + kItemColumns +
                                         ") VALUES(?, ?, ?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(item.Bind(1, info.id)
                      .Bind(2, static_cast<int64_t>(info.size))
                      .Bind(3, info.kind)
                      .Bind(4, info.media_type)
                      .Bind(5, info.ingested_at)
                      .Bind(6, info.metadata.dump(-1, ' ', false, json::error_handler_t::replace))
                      .Bind(7, blob.blob_id)
                      .Run());
  if (!blob.sealed) return OkStatus();
  ASSIGN_OR_RETURN(Stmt s, db.Prepare("INSERT INTO sealed_items(item_id, format, sha256, size) "
                                      "VALUES(?, ?, ?, ?)"));
  return s.Bind(1, info.id)
      .Bind(2, blob.sealed->format)
      .Bind(3, blob.sealed->sha256)
      .Bind(4, static_cast<int64_t>(blob.sealed->size))
      .Run();
}

// What an ingest event says about the item's description: the collector's metadata and who
// collected it.
json IngestMetadata(Vault& vault, const ItemMetadata& meta) {
  json j = meta.ToJson();
  j["collector"] = vault.actor().custodian;
  return j;
}

Result<uint64_t> RecordStored(Vault& vault, const ItemInfo& info, const json& ingest_meta,
                              bool already_present, const StoreEvent& event) {
  return vault.Record(event.action, {info.id}, "",
                      IngestDetails(info, ingest_meta, already_present, event), event.parents);
}

// The rows naming freshly stored chunks as a new item, and the event that records it.
Result<IngestResult> AddStoredItem(Vault& vault, const StoredBlob& blob, const std::string& kind,
                                   const json& ingest_meta, const StoreEvent& event) {
  ItemInfo info;
  info.id = blob.id;
  info.size = blob.size;
  info.kind = kind;
  info.media_type = blob.media_type;
  info.ingested_at = NowUtc();
  info.metadata = ingest_meta;
  info.blob_id = blob.blob_id;
  info.sealed = blob.sealed;
  RETURN_IF_ERROR(InsertItemRows(vault.db(), blob, info));
  ASSIGN_OR_RETURN(uint64_t seq, RecordStored(vault, info, ingest_meta, false, event));
  return IngestResult{std::move(info), false, seq};
}

}  // namespace

Result<IngestResult> IngestItem(Vault& vault, const ReadFn& read, const ItemMetadata& meta,
                                const ProgressFn& progress) {
  return StoreItem(vault, read, meta, progress, StoreEvent{});
}

Result<IngestResult> StoreItem(Vault& vault, const ReadFn& read, const ItemMetadata& meta,
                               const ProgressFn& progress, const StoreEvent& event) {
  RETURN_IF_ERROR(meta.Validate());
  RETURN_IF_ERROR(CheckWitnessKnown(vault, meta.witness));
  Db& db = vault.db();
  const json ingest_meta = IngestMetadata(vault, meta);
  ASSIGN_OR_RETURN(auto seal_to, ContentSealRecipient(vault));
  std::optional<ItemInfo> existing;
  {
    ASSIGN_OR_RETURN(Savepoint sp, Savepoint::Begin(db));
    ASSIGN_OR_RETURN(StoredBlob blob, StoreChunks(db, read, progress, seal_to));
    ASSIGN_OR_RETURN(existing, FindExact(db, blob.id));
    if (!existing) {
      ASSIGN_OR_RETURN(IngestResult r, AddStoredItem(vault, blob, meta.kind, ingest_meta, event));
      RETURN_IF_ERROR(sp.Release());
      return r;
    }
    // Same bytes already stored: leaving this scope rolls the duplicate chunks back.
  }
  ASSIGN_OR_RETURN(Savepoint sp, Savepoint::Begin(db));
  ASSIGN_OR_RETURN(uint64_t seq, RecordStored(vault, *existing, ingest_meta, true, event));
  RETURN_IF_ERROR(sp.Release());
  return IngestResult{std::move(*existing), true, seq};
}

Result<IngestResult> IngestWholeItem(Vault& vault, ByteView content, const ItemMetadata& meta,
                                     const std::string& media_type) {
  if (content.size() > kChunkSize) return InvalidInput("content larger than one chunk");
  RETURN_IF_ERROR(meta.Validate());
  RETURN_IF_ERROR(CheckWitnessKnown(vault, meta.witness));
  Db& db = vault.db();
  const json ingest_meta = IngestMetadata(vault, meta);
  const StoreEvent event;
  const std::string id = crypto::Sha256Hex(content);
  ASSIGN_OR_RETURN(std::optional<ItemInfo> existing, FindExact(db, id));
  if (existing) {
    ASSIGN_OR_RETURN(uint64_t seq, RecordStored(vault, *existing, ingest_meta, true, event));
    return IngestResult{std::move(*existing), true, seq};
  }
  size_t off = 0;
  auto read = [&](uint8_t* buf, size_t n) -> Result<size_t> {
    const size_t k = std::min(n, content.size() - off);
    std::copy_n(content.data() + off, k, buf);
    off += k;
    return k;
  };
  ASSIGN_OR_RETURN(auto seal_to, ContentSealRecipient(vault));
  ASSIGN_OR_RETURN(StoredBlob blob, StoreChunks(db, read, nullptr, seal_to, media_type));
  return AddStoredItem(vault, blob, meta.kind, ingest_meta, event);
}

Result<IngestResult> StoreReceivedItem(Vault& vault, const ReadFn& read, const ReceivedItem& item,
                                       const ProgressFn& progress) {
  Db& db = vault.db();
  ASSIGN_OR_RETURN(std::optional<ItemInfo> existing, FindExact(db, item.id));
  if (existing) return IngestResult{std::move(*existing), true};
  ASSIGN_OR_RETURN(auto seal_to, ContentSealRecipient(vault));
  ASSIGN_OR_RETURN(Savepoint sp, Savepoint::Begin(db));
  ASSIGN_OR_RETURN(StoredBlob blob, StoreChunks(db, read, progress, seal_to));
  if (blob.id != item.id || blob.size != item.size) {
    return VerifyFailed("item " + item.id + ": the received content does not match its ID");
  }
  ItemInfo info;
  info.id = item.id;
  info.size = item.size;
  info.kind = item.kind;
  info.media_type = item.media_type;
  info.ingested_at = NowUtc();
  info.metadata = item.metadata;
  info.blob_id = blob.blob_id;
  info.sealed = blob.sealed;
  RETURN_IF_ERROR(InsertItemRows(db, blob, info));
  RETURN_IF_ERROR(sp.Release());
  return IngestResult{std::move(info), false};
}

Status AnnotateItem(Vault& vault, const ItemInfo& item, const ItemMetadata& changes) {
  RETURN_IF_ERROR(changes.Validate());
  RETURN_IF_ERROR(CheckWitnessKnown(vault, changes.witness));
  json j = changes.ToJson();
  j.erase("kind");
  j.erase("filename");
  if (j.empty()) return InvalidInput("annotate: give at least one field to record");
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  RETURN_IF_ERROR(vault.Record("annotate", {item.id}, "", {{"changes", j}}).status());
  return vault.Commit(tx);
}

Result<json> ItemAnnotations(Vault& vault, const ItemInfo& item) {
  json out = json::array();
  ASSIGN_OR_RETURN(auto seqs, vault.log().EventsAbout(item.id));
  for (uint64_t seq : seqs) {
    ASSIGN_OR_RETURN(Bytes entry, vault.log().Entry(seq));
    ASSIGN_OR_RETURN(ParsedEntry pe, ParseEntry(entry));
    if (pe.event.action != "annotate") continue;
    out.push_back({{"sequence", seq},
                   {"time", pe.event.time},
                   {"custodian", pe.event.actor},
                   {"changes", pe.event.details.value("changes", json::object())}});
  }
  return out;
}

Status RecordAccess(Vault& vault, const ItemInfo& item, const std::string& operation,
                    const std::string& purpose) {
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(vault.db()));
  RETURN_IF_ERROR(vault.Record("access", {item.id}, purpose, {{"operation", operation}}).status());
  return vault.Commit(tx);
}

Result<ItemInfo> ResolveItem(Vault& vault, std::string_view ref) {
  std::string p(ref);
  std::transform(p.begin(), p.end(), p.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (p.size() < 8 || p.size() > 64 || !crypto::IsLowerHex(p)) {
    std::string msg = "'";
    msg.append(ref.substr(0, 80));
    msg.append("' is not an item ID (64 hex digits, or a unique prefix of 8 or more)");
    return InvalidInput(std::move(msg));
  }
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(std::string(kSelectItems) +
                                               " WHERE i.id >= ? AND i.id < ? "
                                               "ORDER BY i.id LIMIT 6"));
  st.Bind(1, p).Bind(2, p + "g");  // 'g' sorts after every hex digit
  std::vector<ItemInfo> found;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(ItemInfo info, ItemFromRow(st));
    found.push_back(std::move(info));
  }
  if (found.empty()) return NotFound("no item " + p + " in this vault");
  if (found.size() > 1) {
    std::string list;
    for (size_t i = 0; i < found.size() && i < 5; ++i) list += (i ? ", " : "") + found[i].id.substr(0, 16);
    if (found.size() > 5) list += ", ...";
    return InvalidInput("ambiguous item prefix " + p + ": matches " + list)
        .WithHint("give more hex digits of the ID");
  }
  return std::move(found.front());
}

Result<std::vector<ItemInfo>> ListItems(Vault& vault, const std::string& kind) {
  if (!kind.empty() && !IsValidKind(kind)) {
    return InvalidInput("unknown kind '" + kind.substr(0, 40) + "'");
  }
  std::string sql = std::string(kSelectItems) + (kind.empty() ? "" : " WHERE i.kind = ?") +
                    " ORDER BY i.rowid";
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(sql));
  if (!kind.empty()) st.Bind(1, kind);
  std::vector<ItemInfo> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(ItemInfo info, ItemFromRow(st));
    out.push_back(std::move(info));
  }
  return out;
}

namespace {

// Streams the blob's chunk rows in order to `write`; returns their SHA-256 and byte count.
Result<std::pair<std::string, uint64_t>> StreamChunks(Vault& vault, const ItemInfo& item,
                                                      const WriteFn& write,
                                                      const ProgressFn& progress) {
  ASSIGN_OR_RETURN(Stmt st, vault.db().Prepare(
                                "SELECT seq, data FROM chunks WHERE blob_id = ? ORDER BY seq"));
  st.Bind(1, item.blob_id);
  crypto::Sha256 hash;
  uint64_t total = 0;
  int64_t expect = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (st.ColumnInt(0) != expect) {
      return VerifyFailed("item " + item.id + ": stored content is missing chunk " +
                          std::to_string(expect));
    }
    ByteView data = st.ColumnBlob(1);
    hash.Update(data);
    RETURN_IF_ERROR(write(data));
    total += data.size();
    ++expect;
    if (progress) progress(total);
  }
  return std::make_pair(crypto::HexEncode(hash.Finish()), total);
}

}  // namespace

Status RequireOpenable(Vault& vault, const ItemInfo& item) {
  if (!item.sealed) return OkStatus();
  ASSIGN_OR_RETURN(std::optional<HqKeys> hq, FieldVaultHq(vault.db()));
  const std::string to = hq ? hq->origin : std::string("HQ's identity key");
  return Status(Code::kAuthFailed,
                "item " + item.id.substr(0, 8) + "… is sealed to HQ (" + to +
                    "): its content cannot be opened in this vault",
                "export it to HQ (amanat export ID -o FILE), where a custodian with the unseal "
                "grant imports it");
}

Status ExtractItem(Vault& vault, const ItemInfo& item, const WriteFn& write,
                   const ProgressFn& progress) {
  RETURN_IF_ERROR(RequireOpenable(vault, item));
  ASSIGN_OR_RETURN(auto got, StreamChunks(vault, item, write, progress));
  const auto& [sha256, total] = got;
  if (total != item.size) {
    return VerifyFailed("item " + item.id + ": stored content has " + std::to_string(total) +
                        " bytes, expected " + std::to_string(item.size));
  }
  if (sha256 != item.id) {
    return VerifyFailed("item " + item.id + ": stored content does not match its SHA-256");
  }
  return OkStatus();
}

Status ExtractSealedItem(Vault& vault, const ItemInfo& item, const WriteFn& write,
                         const ProgressFn& progress) {
  if (!item.sealed) return InvalidInput("item " + item.id + ": its content is not sealed");
  ASSIGN_OR_RETURN(auto got, StreamChunks(vault, item, write, progress));
  const auto& [sha256, total] = got;
  if (total != item.sealed->size || sha256 != item.sealed->sha256) {
    return VerifyFailed("item " + item.id + ": stored sealed content (" + std::to_string(total) +
                        " bytes) does not match its sealed record (SHA-256 and size)");
  }
  return OkStatus();
}

}  // namespace amanat::vault
