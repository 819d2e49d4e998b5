#include "firmware/tls_setup.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include <asio/ip/address.hpp>

#include "core/runtime/durable_file.hpp"
#include "core/tls/self_signed.hpp"

namespace shoal::firmware {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// The addresses of this device's interfaces that are up (IPv6 link-local
// ones left out: they need a zone, which certificates cannot name).
void add_interface_addresses(std::vector<std::string>& ips) {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return;
    for (const ifaddrs* ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == nullptr || (ifa->ifa_flags & IFF_UP) == 0) continue;
        if (ifa->ifa_addr->sa_family == AF_INET) {
            sockaddr_in in{};
            std::memcpy(&in, ifa->ifa_addr, sizeof in);
            add_unique(ips, asio::ip::address_v4(ntohl(in.sin_addr.s_addr)).to_string());
        } else if (ifa->ifa_addr->sa_family == AF_INET6) {
            sockaddr_in6 in6{};
            std::memcpy(&in6, ifa->ifa_addr, sizeof in6);
            asio::ip::address_v6::bytes_type bytes;
            std::memcpy(bytes.data(), in6.sin6_addr.s6_addr, bytes.size());
            const asio::ip::address_v6 address(bytes);
            if (!address.is_link_local()) add_unique(ips, address.to_string());
        }
    }
    freeifaddrs(list);
}

void generate(const Config& config, const std::filesystem::path& certificate, const std::filesystem::path& key,
              tls::Random& random, log::Logger& log) {
    std::vector<std::string> names{"localhost"};
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) == 0) add_unique(names, host.data());
    for (const std::string& domain : config.domains) {
        add_unique(names, domain);
        add_unique(names, "*." + domain);  // virtual-hosted-style buckets
    }
    std::vector<std::string> ips{"127.0.0.1", "::1"};
    const asio::ip::address listen = asio::ip::make_address(config.listen_host);
    if (!listen.is_unspecified()) add_unique(ips, listen.to_string());
    add_interface_addresses(ips);

    const tls::SelfSigned pair = tls::make_self_signed(names, ips, random);
    // The pair appears whole or not at all: a crash must not leave one of
    // it without the other, which no start would get past without a hand.
    // So it is written into a directory of its own, renamed into place (over
    // the certificate directory if that is empty), and made durable.
    const std::filesystem::path dir = certificate.parent_path();
    const std::filesystem::path staging = dir.string() + ".new";
    std::filesystem::remove_all(staging);  // a leftover of a crash
    runtime::create_directories_durably(staging);
    std::filesystem::permissions(staging, std::filesystem::perms::owner_all);
    runtime::write_file_durably(staging / key.filename(), pair.key_pem, 0600);
    runtime::write_file_durably(staging / certificate.filename(), pair.certificate_pem, 0644);
    std::error_code ec;
    std::filesystem::rename(staging, dir, ec);
    if (ec) {
        // The directory holds other files: the pair moves in one by one.
        std::filesystem::rename(staging / key.filename(), key);
        std::filesystem::rename(staging / certificate.filename(), certificate);
        runtime::sync_directory(dir);
        std::filesystem::remove(staging);
    }
    runtime::sync_directory(dir.parent_path());
    std::string all_names;
    for (const auto& list : {names, ips}) {
        for (const std::string& n : list) all_names += (all_names.empty() ? "" : ",") + n;
    }
    log.warn("generated a self-signed TLS certificate: clients must trust this file, or replace the pair",
             {{"file", certificate.string()}, {"names", all_names}});
}

}  // namespace

std::unique_ptr<tls::CertificateStore> setup_tls(const Config& config, const std::filesystem::path& first_drive,
                                                 log::Logger& log) {
    if (config.tls == TlsMode::off) return nullptr;
    const bool default_paths = config.tls_certificate.empty();
    const std::filesystem::path certificate =
        default_paths ? first_drive / "certs" / "public.crt" : config.tls_certificate;
    const std::filesystem::path key = default_paths ? first_drive / "certs" / "private.key" : config.tls_key;
    auto random = std::make_shared<tls::Random>();

    const bool have_certificate = std::filesystem::exists(certificate);
    const bool have_key = std::filesystem::exists(key);
    if (!have_certificate && !have_key && config.tls == TlsMode::automatic && default_paths) {
        generate(config, certificate, key, *random, log);
    } else if (!have_certificate || !have_key) {
        throw std::runtime_error("no TLS " + std::string(have_certificate ? "private key " + key.string()
                                                                          : "certificate " + certificate.string()) +
                                 (config.tls == TlsMode::on ? " (server.tls = on needs the pair)"
                                                            : " (provide the pair, or set server.tls = off)"));
    }
    auto store = std::make_unique<tls::CertificateStore>(certificate, key, std::move(random), log);
    const tls::CertifiedKey& loaded = store->current()->credentials();
    log.info("tls certificate", {{"file", certificate.string()},
                                 {"subject", loaded.subject()},
                                 {"not_after", loaded.not_after()},
                                 {"sha256", loaded.fingerprint()}});
    return store;
}

}  // namespace shoal::firmware
