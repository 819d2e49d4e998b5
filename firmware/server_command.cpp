#include "firmware/server_command.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/address.hpp>

#include "core/access/key_ring.hpp"
#include "core/api/router.hpp"
#include "core/chunk/chunk_store.hpp"
#include "core/engine/drive_attach.hpp"
#include "core/engine/drive_history.hpp"
#include "core/engine/maintenance.hpp"
#include "core/engine/object_store.hpp"
#include "core/engine/orphan_collector.hpp"
#include "core/http/server.hpp"
#include "core/meta/capacity.hpp"
#include "core/meta/store.hpp"
#include "core/placement/conscience.hpp"
#include "core/runtime/blocking_pool.hpp"
#include "core/runtime/event_loops.hpp"
#include "core/s3/api.hpp"
#include "core/s3/errors.hpp"
#include "core/storage/drive_directory.hpp"
#include "core/tls/tls_stream.hpp"
#include "firmware/build_info.hpp"
#include "firmware/tls_setup.hpp"

namespace shoal::firmware {
namespace {

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
    const std::string host = ep.address().to_string();
    return (ep.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(ep.port());
}

http::ServerOptions http_options(const Config& config) {
    http::ServerOptions options;
    options.header_timeout = config.header_timeout;
    options.idle_timeout = config.idle_timeout;
    options.body_timeout = config.body_timeout;
    options.max_connections = config.max_connections;
    return options;
}

sigset_t shutdown_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

// Waits for a second signal or the deadline, whichever comes first;
// returns true if the loops finished on their own.
bool drain(runtime::EventLoops& loops, std::chrono::milliseconds grace) {
    const sigset_t signals = shutdown_signals();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!loops.wait_finished(std::chrono::milliseconds(50))) {
        const timespec no_wait{0, 0};
        if (std::chrono::steady_clock::now() >= deadline || sigtimedwait(&signals, nullptr, &no_wait) > 0) {
            return false;
        }
    }
    return true;
}

// When the drives were opened, by the clock that stamps files: the earliest
// time a drive's lock file was written (DriveDirectory::open writes the pid).
// File times come from the kernel's coarse clock, which lags the one a
// process reads by up to a few milliseconds: reading that one instead would
// need a margin, and a chunk written within it by a process that crashed just
// before this start would escape the orphan collector until the next start.
std::filesystem::file_time_type drives_opened_at(const std::vector<storage::DriveDirectory>& drives) {
    auto earliest = std::filesystem::file_time_type::max();
    for (const storage::DriveDirectory& drive : drives) {
        std::error_code ec;
        const auto written =
            std::filesystem::last_write_time(drive.path() / storage::DriveDirectory::kLockFileName, ec);
        if (ec) return std::filesystem::file_time_type::clock::now() - std::chrono::seconds(1);  // the margin, then
        earliest = std::min(earliest, written);
    }
    return earliest;
}

}  // namespace

// Drives attached while running, remembered for the next start.
constexpr const char* kAttachedFile = "drives.added";

int run_server(const Config& config, std::optional<RootCredentials> root, log::Logger& log) {
    const BuildInfo& info = build_info();
    log.info("shoald starting", {{"version", info.version}, {"revision", info.revision}, {"target", target_arch()}});

    std::vector<storage::DriveDirectory> drives;
    std::vector<engine::Drive> chunk_drives;
    std::vector<placement::Conscience::DriveInfo> drive_infos;
    std::unique_ptr<meta::Store> metadata;
    std::unique_ptr<access::KeyRing> keys;
    std::filesystem::path meta_dir;
    try {
        // The configured drives, and those attached while running before
        // (remembered beside the metadata: shoald admin attach).
        std::vector<std::filesystem::path> paths = config.drives;
        const std::filesystem::path added_file =
            (config.metadata_dir.empty() ? config.drives.front() / "meta" : config.metadata_dir) / kAttachedFile;
        const auto normal = [](const std::filesystem::path& p) { return std::filesystem::absolute(p).lexically_normal(); };
        for (const std::filesystem::path& added : engine::attached_before(added_file)) {
            if (std::none_of(paths.begin(), paths.end(), [&](const auto& p) { return normal(p) == normal(added); })) {
                log.info("drive attached while running before: attaching it again",
                         {{"path", added.string()}, {"listed_in", added_file.string()}});
                paths.push_back(added);
            }
        }
        for (const auto& path : paths) {
            drives.push_back(storage::DriveDirectory::open(path));
            const storage::DriveDirectory& drive = drives.back();
            for (const auto& other : chunk_drives) {
                if (other.id == drive.id()) {
                    log.error("two drives carry the same id (a copied drive?)", {{"path", drive.path().string()}});
                    return 1;
                }
            }
            auto chunks = std::make_unique<chunk::ChunkStore>(drive.path());
            // No writer runs yet: every pending file is a leftover of a crash.
            const std::size_t leftovers = chunks->collect_pending(std::chrono::seconds(0));
            chunk_drives.push_back(engine::Drive{drive.id(), std::move(chunks), nullptr});
            drive_infos.push_back({drive.id(), drive.path()});
            log.info("drive ready", {{"path", drive.path().string()},
                                     {"id", meta::format_version_id(drive.id())},
                                     {"pending_removed", leftovers}});
        }
        if (!root) {
            root = load_or_create_root_credentials(drives.front().path());
            if (root->source == RootCredentials::Source::generated) {
                // Shown once, on the terminal only: afterwards it is only in the 0600 file.
                announce_generated_root_credentials(*root, drives.front().path() / kRootCredentialsFile, log,
                                                    STDOUT_FILENO);
            }
        }
        meta_dir = config.metadata_dir.empty() ? drives.front().path() / "meta" : config.metadata_dir;
        meta::StoreOptions store_options;
        if (config.metadata_map_size != 0) store_options.map_size = config.metadata_map_size;
        metadata = std::make_unique<meta::Store>(meta_dir, store_options);
        const meta::MapUsage usage = metadata->usage();
        log.info("metadata ready", {{"path", meta_dir.string()},
                                    {"map_size", metadata->map_size()},
                                    {"admission_limit", meta::admission_limit_bytes(metadata->map_size())},
                                    {"used", usage.used_pages * usage.page_size}});
        // Access keys: their secrets are sealed with a key kept beside the
        // metadata (docs/security.md).
        const std::filesystem::path sealing_key = meta_dir / kKeySealingFile;
        keys = std::make_unique<access::KeyRing>(*metadata, access::SecretBox::load_or_create(sealing_key),
                                                 access::RootKey{root->access_key, root->secret_key});
        if (keys->unreadable() > 0) {
            log.error("access keys whose secret does not open with the key-sealing key: they cannot sign requests",
                      {{"keys", keys->unreadable()}, {"sealing_key", sealing_key.string()}});
        }
    } catch (const storage::DriveError& e) {
        log.error("cannot open drive", {{"error", e.what()}});
        return 1;
    } catch (const std::exception& e) {
        log.error("cannot open storage", {{"error", e.what()}});
        return 1;
    }

    // The certificate pair (generated on a first start), before anything runs.
    std::unique_ptr<tls::CertificateStore> certificates;
    try {
        certificates = setup_tls(config, drives.front().path(), log);
    } catch (const std::exception& e) {
        log.error("cannot set up TLS", {{"error", e.what()}});
        return 1;
    }

    placement::Conscience conscience(std::move(drive_infos), placement::ConscienceOptions{});
    // Blocking disk work: enough threads to keep every drive busy.
    runtime::BlockingPool pool(std::max<std::size_t>(4, 2 * drives.size()));
    engine::EngineOptions engine_options;
    engine_options.inline_threshold = config.inline_threshold;
    engine_options.chunk_size = config.chunk_size;
    engine_options.segment_size = config.ec_segment_size;
    engine_options.small_object_policy = config.small_object_policy;
    engine_options.small_object_size = config.small_object_size;
    engine_options.default_policy = config.default_policy;
    engine::ObjectStore objects(*metadata, std::move(chunk_drives), conscience, pool, engine_options, log);
    if (const auto why = objects.cannot_write(config.default_policy)) {
        log.error("bad storage.default_policy", {{"error", *why}});
        return 1;
    }
    if (config.small_object_policy) {
        if (const auto why = objects.cannot_write(*config.small_object_policy)) {
            log.error("bad storage.small_object_policy", {{"error", *why}});
            return 1;
        }
    }
    // Chunks older than this cannot belong to a write in flight: taken before
    // anything (requests, repairs, rebuilds) writes a chunk, since the orphan
    // collector below removes older chunks that no metadata references yet.
    const auto started = drives_opened_at(drives);

    // Background care of the data: repairs of damage reads find, rebuilds of
    // lost drives, scrub passes. Its jobs are saved beside the metadata.
    engine::MaintenanceOptions maintenance_options;
    maintenance_options.state_dir = meta_dir;
    maintenance_options.attached_file = meta_dir / kAttachedFile;
    maintenance_options.enabled = config.repair;
    maintenance_options.scrub_rate = config.scrub_rate;
    maintenance_options.scrub_interval = config.scrub_interval;
    maintenance_options.rebuild_rate = config.rebuild_rate;
    engine::Maintenance maintenance(objects, maintenance_options);
    objects.set_damage_handler([&maintenance](engine::DamageReport report) {
        maintenance.report_damage(std::move(report));
    });
    objects.set_queued_handler([&maintenance](std::uint64_t seq) { maintenance.report_queued(seq); });
    try {
        maintenance.start();
        // A drive path holding another drive than at the last start: the old
        // one was replaced (an empty directory in its place), so its pieces
        // are restored elsewhere.
        std::vector<std::pair<std::filesystem::path, std::uint64_t>> present;
        for (const storage::DriveDirectory& drive : drives) present.emplace_back(drive.path(), drive.id());
        for (const engine::DriveChange& change : engine::record_drives(meta_dir / "drives.history", present)) {
            log.warn("drive replaced: rebuilding the chunks it held",
                     {{"path", change.path.string()},
                      {"old_id", meta::format_version_id(change.old_id)},
                      {"new_id", meta::format_version_id(change.new_id)}});
            maintenance.rebuild(change.old_id);
        }
    } catch (const std::exception& e) {
        log.error("cannot start maintenance", {{"error", e.what()}});
        return 1;
    }

    s3::ApiOptions api_options;
    api_options.region = config.region;
    api_options.domains = config.domains;
    api_options.min_part_size = config.min_part_size;
    api_options.keepalive_interval = config.keepalive_interval;
    s3::Api s3_api(objects, api_options, *keys, log, &maintenance);

    // HTTPS on the same port (docs/tls.md); each handshake takes the current certificate.
    http::ServerOptions options = http_options(config);
    options.plain_http = config.plain_http;
    if (certificates) {
        options.tls = [store = certificates.get()](asio::ip::tcp::socket& socket) -> std::unique_ptr<http::ByteStream> {
            return std::make_unique<tls::TlsStream>(socket, store->current());
        };
    }

    runtime::EventLoops loops(config.threads);
    api::Router router(s3_api);
    http::Server server(
        loops, options, log, [&router](http::Exchange& exchange) { return router.handle(exchange); },
        [&s3_api](int status, std::string_view reason) { return s3_api.transport_error(status, reason); });

    asio::ip::tcp::endpoint bound;
    try {
        bound = server.listen({asio::ip::make_address(config.listen_host), config.listen_port});
    } catch (const std::system_error& e) {
        log.error("cannot start server", {{"error", e.what()}});
        return 1;
    }
    loops.start();
    asio::co_spawn(
        loops.loop(0),
        [&objects, &pool, &log, started]() -> asio::awaitable<void> {
            try {
                const engine::OrphanStats stats =
                    co_await pool.run([&] { return engine::collect_orphans(objects, started); });
                log.info("orphan chunk collection done", {{"scanned", stats.scanned},
                                                          {"removed", stats.removed},
                                                          {"damaged", stats.errors}});
            } catch (const std::exception& e) {
                log.error("orphan chunk collection failed", {{"error", e.what()}});
            }
        },
        asio::detached);
    const char* tls_mode = config.tls == TlsMode::off ? "off" : config.tls == TlsMode::on ? "on" : "auto";
    log.info("listening", {{"address", endpoint_text(bound)},
                           {"url", (config.plain_http ? "http://" : "https://") + endpoint_text(bound)},
                           {"tls", tls_mode},
                           {"http", config.plain_http},
                           {"threads", loops.size()},
                           {"drives", drives.size()}});

    const sigset_t signals = shutdown_signals();
    int signal_number = 0;
    while (sigwait(&signals, &signal_number) != 0) {
    }
    log.info("shutting down", {{"signal", std::string(sigabbrev_np(signal_number))},
                               {"open_connections", server.open_connections()}});

    server.shutdown();
    loops.release();
    const bool clean = drain(loops, config.shutdown_grace);
    if (!clean) {
        log.warn("shutdown grace period over, closing remaining connections",
                 {{"open_connections", server.open_connections()}});
        loops.stop();
    }
    loops.join();
    objects.set_damage_handler({});
    objects.set_queued_handler({});
    maintenance.stop();
    log.info("stopped", {{"clean", clean}});
    return 0;
}

}  // namespace shoal::firmware
