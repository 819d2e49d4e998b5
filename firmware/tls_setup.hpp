// HTTPS for shoald: where the certificate pair lives, generating a
// self-signed one when server.tls = auto finds none (docs/tls.md).
#pragma once

#include <filesystem>
#include <memory>

#include "core/log/logger.hpp"
#include "core/tls/certificate_store.hpp"
#include "firmware/config.hpp"

namespace shoal::firmware {

// Null when server.tls = off. Throws (TlsError, std::system_error,
// std::runtime_error) with a message for the operator when the pair is
// missing (server.tls = on), half there, unreadable or cannot be generated.
std::unique_ptr<tls::CertificateStore> setup_tls(const Config& config, const std::filesystem::path& first_drive,
                                                 log::Logger& log);

}  // namespace shoal::firmware
