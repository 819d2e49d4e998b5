#include "core/tls/certificate_store.hpp"

#include <fstream>
#include <sstream>

#include "core/tls/tls_error.hpp"

namespace shoal::tls {
namespace {

// The file's text; empty when it cannot be read (missing while being replaced).
std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

CertificateStore::CertificateStore(std::filesystem::path certificate, std::filesystem::path key,
                                   std::shared_ptr<Random> random, log::Logger& log,
                                   std::chrono::milliseconds check_interval)
    : certificate_path_(std::move(certificate)),
      key_path_(std::move(key)),
      random_(std::move(random)),
      log_(log),
      check_interval_(check_interval) {
    const Contents contents = read();
    if (contents.certificate.empty()) throw TlsError("cannot read " + certificate_path_.string());
    if (contents.key.empty()) throw TlsError("cannot read " + key_path_.string());
    current_ = load(contents);
    loaded_digest_ = contents.digest();
    next_check_ = std::chrono::steady_clock::now() + check_interval_;
}

hash::Sha256::Digest CertificateStore::Contents::digest() const {
    hash::Sha256 sha;
    sha.update(certificate);
    sha.update(std::string_view("\0", 1));  // the boundary between the two
    sha.update(key);
    return sha.finish();
}

CertificateStore::Contents CertificateStore::read() const {
    return Contents{read_text(certificate_path_), read_text(key_path_)};
}

std::shared_ptr<const ServerConfig> CertificateStore::load(const Contents& contents) const {
    auto credentials = std::make_shared<const CertifiedKey>(
        contents.certificate, contents.key, "(" + certificate_path_.string() + ", " + key_path_.string() + ")");
    return std::make_shared<const ServerConfig>(std::move(credentials), random_);
}

std::shared_ptr<const ServerConfig> CertificateStore::current() {
    const std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now < next_check_) return current_;
    next_check_ = now + check_interval_;
    const Contents contents = read();
    const hash::Sha256::Digest digest = contents.digest();
    if (digest == loaded_digest_) return current_;
    loaded_digest_ = digest;  // tried once per change, whatever the outcome
    try {
        current_ = load(contents);
        const CertifiedKey& loaded = current_->credentials();
        log_.info("tls certificate reloaded", {{"file", certificate_path_.string()},
                                               {"subject", loaded.subject()},
                                               {"not_after", loaded.not_after()},
                                               {"sha256", loaded.fingerprint()}});
    } catch (const std::exception& e) {
        // Often a pair caught halfway through being replaced: the next change is tried again.
        log_.warn("tls certificate not reloaded, the previous one stays in use", {{"error", e.what()}});
    }
    return current_;
}

}  // namespace shoal::tls
