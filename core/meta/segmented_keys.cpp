#include "core/meta/segmented_keys.hpp"

namespace shoal::meta {
namespace {

constexpr char kExact = '\x00';
constexpr char kMarker = '\x01';

struct Parsed {
    bool marker;
    std::string_view segment;
    std::string_view suffix;  // exact entries only
};

// Splits an LMDB key of namespace `ns_bytes` into its parts; nullopt when the
// key belongs to another namespace.
std::optional<Parsed> parse(std::string_view lmdb_key, std::string_view ns_bytes) {
    if (lmdb_key.substr(0, 8) != ns_bytes) return std::nullopt;
    const std::string_view rest = lmdb_key.substr(8);
    const std::size_t nul = rest.find(kExact);
    if (nul != std::string_view::npos && nul <= kSegment) {
        return Parsed{false, rest.substr(0, nul), rest.substr(nul + 1)};
    }
    if (rest.size() == kSegment + 1 && rest.back() == kMarker) return Parsed{true, rest.substr(0, kSegment), {}};
    throw CorruptRecord("metadata store: malformed entry key");
}

std::string marker_key(std::string_view ns_bytes, std::string_view segment) {
    std::string k(ns_bytes);
    k.append(segment);
    k.push_back(kMarker);
    return k;
}

}  // namespace

std::string encode_u64(std::uint64_t v) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
        v >>= 8;
    }
    return out;
}

std::uint64_t decode_u64(std::string_view bytes) {
    if (bytes.size() != 8) throw CorruptRecord("metadata store: bad 64-bit field");
    std::uint64_t v = 0;
    for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}

std::optional<std::string> prefix_successor(std::string_view prefix) {
    std::string s(prefix);
    while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
    if (s.empty()) return std::nullopt;
    s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
    return s;
}

std::string SegmentedKeys::key_for_write(Txn& txn, MDB_dbi data, std::uint64_t ns, std::string_view key,
                                         std::string_view suffix) const {
    std::string ns_bytes = encode_u64(ns);
    while (key.size() > kSegment) {
        const std::string_view segment = key.substr(0, kSegment);
        const std::string link = ns_bytes + std::string(segment);
        std::string child;
        if (auto found = txn.get(namespaces_, link)) {
            child = std::string(*found);
        } else {
            child = encode_u64(allocate_(txn, context_));
            txn.put(namespaces_, link, child);
        }
        const std::string marker = marker_key(ns_bytes, segment);
        if (!txn.get(data, marker)) txn.put(data, marker, child);
        ns_bytes = child;
        key.remove_prefix(kSegment);
    }
    std::string out = ns_bytes;
    out.append(key);
    out.push_back(kExact);
    out.append(suffix);
    return out;
}

std::optional<std::string> SegmentedKeys::key_for_read(const Txn& txn, std::uint64_t ns, std::string_view key,
                                                       std::string_view suffix) const {
    std::string ns_bytes = encode_u64(ns);
    while (key.size() > kSegment) {
        const auto child = txn.get(namespaces_, ns_bytes + std::string(key.substr(0, kSegment)));
        if (!child) return std::nullopt;
        ns_bytes = std::string(*child);
        key.remove_prefix(kSegment);
    }
    std::string out = ns_bytes;
    out.append(key);
    out.push_back(kExact);
    out.append(suffix);
    return out;
}

void SegmentedKeys::prune(Txn& txn, MDB_dbi data, std::uint64_t ns, std::string_view key) const {
    // The chain of (namespace, segment, child) from the root to the key's level.
    struct Link {
        std::string ns_bytes;
        std::string segment;
        std::string child;
    };
    std::vector<Link> chain;
    std::string ns_bytes = encode_u64(ns);
    while (key.size() > kSegment) {
        const std::string segment(key.substr(0, kSegment));
        const auto child = txn.get(namespaces_, ns_bytes + segment);
        if (!child) return;
        chain.push_back(Link{ns_bytes, segment, std::string(*child)});
        ns_bytes = std::string(*child);
        key.remove_prefix(kSegment);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        Cursor cursor(txn, data);
        if (cursor.seek(it->child) && cursor.key().substr(0, 8) == it->child) return;  // still in use
        txn.del(data, marker_key(it->ns_bytes, it->segment));
    }
}

struct SegmentedIterator::Frame {
    Frame(const Txn& txn, MDB_dbi data, std::uint64_t ns_, std::string prefix_)
        : ns_bytes(encode_u64(ns_)), prefix(std::move(prefix_)), cursor(txn, data) {}
    std::string ns_bytes;
    std::string prefix;  // the full-key bytes leading to this namespace
    Cursor cursor;
    bool positioned = false;  // cursor on an entry of this namespace
};

SegmentedIterator::SegmentedIterator(const Txn& txn, MDB_dbi data, std::uint64_t ns)
    : txn_(txn), data_(data), root_(ns) {}

SegmentedIterator::~SegmentedIterator() = default;

std::string_view SegmentedIterator::value() const { return frames_.back()->cursor.value(); }
std::string_view SegmentedIterator::lmdb_key() const { return frames_.back()->cursor.key(); }

void SegmentedIterator::push(std::uint64_t ns, std::string prefix) {
    frames_.push_back(std::make_unique<Frame>(txn_, data_, ns, std::move(prefix)));
}

bool SegmentedIterator::seek(std::string_view key, std::string_view suffix) {
    frames_.clear();
    valid_ = false;
    seek_in(root_, std::string(), key, suffix);
    return settle();
}

// Positions a frame for `ns` at the first entry >= (key, suffix), descending
// when the key continues below a marker of this namespace.
bool SegmentedIterator::seek_in(std::uint64_t ns, std::string prefix, std::string_view key, std::string_view suffix) {
    push(ns, std::move(prefix));
    Frame& frame = *frames_.back();
    if (key.size() <= kSegment) {
        std::string target = frame.ns_bytes + std::string(key);
        if (!suffix.empty()) {
            target.push_back(kExact);
            target.append(suffix);
        }
        frame.positioned = frame.cursor.seek(target);
        return frame.positioned;
    }
    const std::string_view segment = key.substr(0, kSegment);
    frame.positioned = frame.cursor.seek(marker_key(frame.ns_bytes, segment));
    if (!frame.positioned) return false;
    const auto parsed = parse(frame.cursor.key(), frame.ns_bytes);
    if (parsed && parsed->marker && parsed->segment == segment) {
        const std::uint64_t child = decode_u64(frame.cursor.value());
        const std::string child_prefix = frame.prefix + std::string(segment);
        if (!seek_in(child, child_prefix, key.substr(kSegment), suffix)) {
            // Nothing at or after the key below this marker: continue after it.
            frames_.pop_back();
            frame.positioned = frame.cursor.next();
        }
    }
    return true;
}

// Makes the top frame rest on an exact entry: descends into markers, pops
// exhausted namespaces. Sets key_/suffix_.
bool SegmentedIterator::settle() {
    while (!frames_.empty()) {
        Frame& top = *frames_.back();
        std::optional<Parsed> parsed;
        if (top.positioned) parsed = parse(top.cursor.key(), top.ns_bytes);
        if (!parsed) {
            frames_.pop_back();
            if (frames_.empty()) break;
            Frame& parent = *frames_.back();
            parent.positioned = parent.cursor.next();
            continue;
        }
        if (parsed->marker) {
            const std::uint64_t child = decode_u64(top.cursor.value());
            std::string child_prefix = top.prefix + std::string(parsed->segment);
            push(child, std::move(child_prefix));
            Frame& frame = *frames_.back();
            frame.positioned = frame.cursor.seek(frame.ns_bytes);
            continue;
        }
        key_ = top.prefix + std::string(parsed->segment);
        suffix_ = parsed->suffix;
        valid_ = true;
        return true;
    }
    valid_ = false;
    return false;
}

bool SegmentedIterator::next() {
    if (!valid_) return false;
    Frame& top = *frames_.back();
    top.positioned = top.cursor.next();
    return settle();
}

}  // namespace shoal::meta
