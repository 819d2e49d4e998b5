// The server's certificate and key, read from two PEM files and reloaded
// when they change, without a restart: current() reads the files at most
// once per `check_interval` (they are small) and, when their content changed,
// builds a new ServerConfig. New connections get the new one; open connections keep
// theirs. A pair that does not load (half-written, mismatched) is logged and
// the previous one stays in use until the files change again.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "core/hash/sha256.hpp"
#include "core/log/logger.hpp"
#include "core/tls/random.hpp"
#include "core/tls/server_config.hpp"

namespace shoal::tls {

class CertificateStore {
public:
    // Loads the pair now; throws TlsError if it does not load.
    CertificateStore(std::filesystem::path certificate, std::filesystem::path key, std::shared_ptr<Random> random,
                     log::Logger& log, std::chrono::milliseconds check_interval = std::chrono::seconds(1));

    // Thread-safe.
    std::shared_ptr<const ServerConfig> current();

    const std::filesystem::path& certificate_path() const { return certificate_path_; }

private:
    // What the files held when last looked at: their digests, so any change
    // counts, even a rewrite in place within one tick of the file clock.
    struct Contents {
        std::string certificate, key;  // PEM text, empty when unreadable
        hash::Sha256::Digest digest() const;
    };
    Contents read() const;
    std::shared_ptr<const ServerConfig> load(const Contents& contents) const;

    const std::filesystem::path certificate_path_;
    const std::filesystem::path key_path_;
    const std::shared_ptr<Random> random_;
    log::Logger& log_;
    const std::chrono::milliseconds check_interval_;

    std::mutex mutex_;  // guards what follows
    std::shared_ptr<const ServerConfig> current_;
    std::chrono::steady_clock::time_point next_check_;
    hash::Sha256::Digest loaded_digest_{};
};

}  // namespace shoal::tls
