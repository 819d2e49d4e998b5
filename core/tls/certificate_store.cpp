#include "core/tls/certificate_store.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "core/tls/tls_error.hpp"

namespace shoal::tls {
namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TlsError("cannot read " + path.string());
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
    // Stamps first: a change while loading is seen at the next check.
    certificate_stamp_ = stamp_of(certificate_path_);
    key_stamp_ = stamp_of(key_path_);
    current_ = load();
    next_check_ = std::chrono::steady_clock::now() + check_interval_;
}

CertificateStore::Stamp CertificateStore::stamp_of(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Stamp{};  // missing: a change too, when it comes back
    return Stamp{static_cast<unsigned long long>(st.st_dev), static_cast<unsigned long long>(st.st_ino),
                 static_cast<unsigned long long>(st.st_size),
                 static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                 static_cast<long long>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
}

std::shared_ptr<const ServerConfig> CertificateStore::load() const {
    auto credentials = std::make_shared<const CertifiedKey>(read_text(certificate_path_), read_text(key_path_),
                                                            "(" + certificate_path_.string() + ", " +
                                                                key_path_.string() + ")");
    return std::make_shared<const ServerConfig>(std::move(credentials), random_);
}

std::shared_ptr<const ServerConfig> CertificateStore::current() {
    const std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now < next_check_) return current_;
    next_check_ = now + check_interval_;
    const Stamp certificate = stamp_of(certificate_path_);
    const Stamp key = stamp_of(key_path_);
    if (certificate == certificate_stamp_ && key == key_stamp_) return current_;
    certificate_stamp_ = certificate;
    key_stamp_ = key;
    try {
        current_ = load();
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
