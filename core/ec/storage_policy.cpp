#include "core/ec/storage_policy.hpp"

#include <charconv>

namespace shoal::ec {
namespace {

constexpr int kMaxCopies = 8;

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// A decimal number that is the whole of `text` (no sign, no leading zero).
std::optional<int> small_number(std::string_view text) {
    if (text.empty() || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<LocationLevel> parse_level(std::string_view text) {
    for (const auto level : {LocationLevel::drive, LocationLevel::node, LocationLevel::rack, LocationLevel::site}) {
        if (iequal(text, to_string(level))) return level;
    }
    return std::nullopt;
}

std::optional<StoragePolicy> parse_security(std::string_view name) {
    StoragePolicy p;
    if (iequal(name, "SINGLE")) return p;
    if (iequal(name, "TWOCOPIES") || iequal(name, "THREECOPIES")) {
        p.copies = iequal(name, "TWOCOPIES") ? 2 : 3;
        return p;
    }
    if (name.size() > 6 && iequal(name.substr(0, 6), "COPIES")) {
        const auto n = small_number(name.substr(6));
        if (!n || *n < 1 || *n > kMaxCopies) return std::nullopt;
        p.copies = *n;
        return p;
    }
    if (name.size() > 2 && iequal(name.substr(0, 2), "EC")) {
        std::string_view rest = name.substr(2);
        if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
            if (!iequal(rest.substr(slash + 1), "cauchy")) return std::nullopt;
            p.algorithm = RsAlgorithm::cauchy;
            rest = rest.substr(0, slash);
        }
        const auto plus = rest.find('+');
        if (plus == std::string_view::npos) return std::nullopt;
        const auto k = small_number(rest.substr(0, plus));
        const auto m = small_number(rest.substr(plus + 1));
        if (!k || !m || *k < 1 || *m < 1 || *k + *m > ReedSolomon::kMaxFragments) return std::nullopt;
        p.kind = StoragePolicy::Kind::erasure;
        p.copies = 0;
        p.k = *k;
        p.m = *m;
        return p;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(LocationLevel level) {
    switch (level) {
        case LocationLevel::drive: return "drive";
        case LocationLevel::node: return "node";
        case LocationLevel::rack: return "rack";
        case LocationLevel::site: return "site";
    }
    return "drive";
}

std::optional<StoragePolicy> StoragePolicy::parse(std::string_view name) {
    LocationLevel distance = LocationLevel::drive;
    if (const auto at = name.find('@'); at != std::string_view::npos) {
        const auto level = parse_level(name.substr(at + 1));
        if (!level) return std::nullopt;
        distance = *level;
        name = name.substr(0, at);
    }
    auto policy = parse_security(name);
    if (policy) policy->distance = distance;
    return policy;
}

std::string StoragePolicy::to_string() const {
    std::string name;
    if (kind == Kind::erasure) {
        name = "EC" + std::to_string(k) + "+" + std::to_string(m);
        if (algorithm == RsAlgorithm::cauchy) name += "/cauchy";
    } else if (copies == 1) {
        name = "SINGLE";
    } else if (copies == 2) {
        name = "TWOCOPIES";
    } else if (copies == 3) {
        name = "THREECOPIES";
    } else {
        name = "COPIES" + std::to_string(copies);
    }
    if (distance != LocationLevel::drive) name += "@" + std::string(ec::to_string(distance));
    return name;
}

int StoragePolicy::write_quorum() const {
    if (kind == Kind::copies) return copies / 2 + 1;
    return k + 1;  // m >= 1, so never more than k + m
}

}  // namespace shoal::ec
