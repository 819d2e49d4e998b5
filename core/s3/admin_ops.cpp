// The node's own administration endpoints, beside the S3 API and signed like
// it, with the root key only: under /_shoal/, a name no bucket can
// have (S3 bucket names have no underscore).
//
//   GET  /_shoal/drives                 the drives and their write scores (why
//                                       new chunks go where they go), the metadata
//                                       map's usage, the scrub and every rebuild
//                                       with its progress
//   POST /_shoal/drives/<id>?rebuild    declares drive <id> lost: restores the
//                                       pieces it held on the other drives
//   POST /_shoal/drives?attach=PATH     attaches the directory PATH as a new drive
//   GET  /_shoal/buckets/<name>         the bucket's storage policy and public-read switch
//   PUT  /_shoal/buckets/<name>?policy=P sets the policy (P empty: back to the default)
//   PUT  /_shoal/buckets/<name>?public-read=true|false
//                                       allows (or stops) anonymous GET and HEAD
//                                       of the bucket's objects
//   GET  /_shoal/errors[?request-id=ID] the recent internal failures (5xx) with
//                                       the detail their clients were not told
//   .../_shoal/keys...                  access keys (key_admin_ops.cpp)
//
// (docs/data-protection.md, docs/security.md and docs/operations.md describe them.)
#include <algorithm>

#include "core/engine/async_commit.hpp"
#include "core/engine/drive_attach.hpp"
#include "core/engine/maintenance.hpp"
#include "core/ec/storage_policy.hpp"
#include "core/meta/capacity.hpp"
#include "core/meta/records.hpp"
#include "core/s3/call.hpp"
#include "core/s3/error.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

constexpr std::string_view kUsage =
    "unknown administration request: GET /_shoal/drives, POST /_shoal/drives/<id>?rebuild, "
    "POST /_shoal/drives?attach=<path>, "
    "GET /_shoal/buckets/<name>, PUT /_shoal/buckets/<name>?policy=<policy>, "
    "PUT /_shoal/buckets/<name>?public-read=true|false, GET /_shoal/errors[?request-id=<id>] and "
    "/_shoal/keys... are the ones there are";

void repair_stats(XmlWriter& xml, const engine::RepairStats& s) {
    xml.element("Versions", s.versions)
        .element("PiecesChecked", s.pieces_checked)
        .element("PiecesRebuilt", s.pieces_rebuilt)
        .element("BytesRead", s.bytes_read)
        .element("BytesWritten", s.bytes_written)
        .element("Unrecoverable", s.unrecoverable)
        .element("ShortOfPolicy", s.short_of);
}

void rebuild_status(XmlWriter& xml, const engine::RebuildStatus& r) {
    const std::uint64_t percent =
        r.state == "done" ? 100
        : r.pieces_total == 0 ? 0
                              : std::min<std::uint64_t>(100, r.pieces_done * 100 / r.pieces_total);
    xml.open("Rebuild")
        .element("Drive", meta::format_version_id(r.drive))
        .element("State", r.state)
        .element("PiecesTotal", r.pieces_total)
        .element("PiecesDone", r.pieces_done)
        .element("BytesTotal", r.bytes_total)
        .element("BytesDone", r.bytes_done)
        .element("Percent", percent)
        .element("StartedMs", r.started_ms)
        .element("EndedMs", r.ended_ms);
    if (r.eta_seconds >= 0) xml.element("EtaSeconds", static_cast<std::uint64_t>(r.eta_seconds));
    repair_stats(xml, r.stats);
    xml.close();
}

asio::awaitable<void> list_drives(Call& call) {
    const engine::ObjectStore& objects = call.services.objects;
    XmlWriter xml("Drives", false);
    xml.element("DefaultPolicy", objects.options().default_policy.to_string());
    for (const placement::DriveScore& d : call.services.objects.conscience().scores()) {
        xml.open("Drive")
            .element("Id", meta::format_version_id(d.id))
            .element("Path", d.path.string())
            .element("WriteScore", static_cast<std::uint64_t>(d.write_score))
            .element("FreeBytes", d.free_bytes)
            .element("TotalBytes", d.total_bytes)
            .boolean("Failed", d.failed)
            .element("IoLoadPercent", static_cast<std::uint64_t>(d.io_load))
            .element("IoDevice", d.io_device)
            .element("Why", d.why)
            .close();
    }
    // The metadata map: what the database occupies, and how far its file
    // reaches (pages freed but still pinned by old readers count there).
    const meta::Store& metadata = call.services.objects.meta();
    const meta::MapUsage usage = metadata.usage();
    const meta::ReaderStats readers = metadata.readers();
    xml.open("Metadata")
        .element("MapBytes", metadata.map_size())
        .element("AdmissionLimitBytes", meta::admission_limit_bytes(metadata.map_size()))
        .element("UsedBytes", usage.used_pages * usage.page_size)
        .element("FileBytes", usage.last_committed_pages * usage.page_size)
        .element("Readers", readers.open)
        .element("OldestReaderCommitsBehind", readers.oldest_behind)
        .close();
    if (const engine::Maintenance* maintenance = call.services.maintenance) {
        const engine::ScrubStatus scrub = maintenance->scrub_status();
        xml.boolean("Repair", maintenance->options().enabled);
        xml.open("Scrub")
            .boolean("Enabled", scrub.enabled)
            .boolean("Running", scrub.running)
            .element("RateBytesPerSecond", maintenance->options().scrub_rate)
            .element("Passes", scrub.passes)
            .element("PassStartedMs", scrub.pass_started_ms)
            .element("LastPassEndedMs", scrub.last_pass_ended_ms)
            .element("NextPassMs", scrub.next_pass_ms)
            .element("Position", scrub.position);
        repair_stats(xml, scrub.pass);
        xml.close();
        for (const engine::RebuildStatus& r : maintenance->rebuilds()) rebuild_status(xml, r);
    }
    co_await call.respond_xml(200, xml.finish());
}

asio::awaitable<void> rebuild_drive(Call& call, std::string_view id_text) {
    engine::Maintenance* maintenance = call.services.maintenance;
    std::uint64_t drive = 0;
    if (!meta::parse_version_id(id_text, drive)) {
        throw S3Error(400, "InvalidArgument", "not a drive id: " + std::string(id_text) +
                                                  " (16 hex digits, as GET /_shoal/drives shows them)");
    }
    if (maintenance == nullptr) throw S3Error(501, "NotImplemented", "this node runs no background jobs");
    if (!maintenance->options().enabled) {
        throw S3Error(409, "InvalidRequest", "repairs are off on this node (storage.repair = off)");
    }
    const auto scores = call.services.objects.conscience().scores();
    const bool present = std::any_of(scores.begin(), scores.end(), [&](const auto& d) { return d.id == drive; });
    if (present) {
        // A drive still attached is still written to and read from: declare
        // it lost only once it is gone (or replace it with an empty directory
        // and restart, which rebuilds by itself).
        throw S3Error(409, "InvalidRequest", "drive " + std::string(id_text) +
                                                 " is attached to this node; remove it (or put an empty directory " +
                                                 "in its place) and restart before declaring it lost");
    }
    // The job is saved (fsync) before it is acknowledged: off the event loop.
    engine::RebuildStatus status;
    co_await call.services.objects.pool().run([&] { status = maintenance->rebuild(drive); });
    XmlWriter xml("Rebuilds", false);
    rebuild_status(xml, status);
    co_await call.respond_xml(202, xml.finish());
}

asio::awaitable<void> attach(Call& call, const std::string& path) {
    engine::Maintenance* maintenance = call.services.maintenance;
    if (maintenance == nullptr) throw S3Error(501, "NotImplemented", "this node cannot attach drives");
    if (path.empty() || path.front() != '/') {
        throw S3Error(400, "InvalidArgument", "attach=: an absolute directory path, got \"" + path + "\"");
    }
    std::uint64_t id = 0;
    std::string refused;
    co_await call.services.objects.pool().run([&] {
        try {
            id = engine::attach_drive(call.services.objects, path, maintenance->options().attached_file);
        } catch (const std::exception& e) {
            refused = e.what();
        }
    });
    if (!refused.empty()) throw S3Error(409, "InvalidRequest", "cannot attach " + path + ": " + refused);
    XmlWriter xml("Drive", false);
    xml.element("Id", meta::format_version_id(id)).element("Path", path);
    co_await call.respond_xml(200, xml.finish());
}

// The last internal failures, newest first (or the one of ?request-id=):
// what their clients were answered, and the detail (internal_failures.hpp).
asio::awaitable<void> internal_errors(Call& call) {
    const std::string* wanted = call.target.param("request-id");
    XmlWriter xml("InternalErrors", false);
    if (const InternalFailures* failures = call.services.failures) {
        for (const InternalFailures::Failure& f : failures->recent()) {
            if (wanted != nullptr && f.request_id != *wanted) continue;
            xml.open("Error")
                .element("RequestId", f.request_id)
                .element("Time", iso8601_ms(f.time_ms))
                .element("Status", static_cast<std::uint64_t>(f.status))
                .element("Code", f.code)
                .element("Method", f.method)
                .element("Path", f.path)
                .element("Detail", f.detail)
                .close();
        }
    }
    co_await call.respond_xml(200, xml.finish());
}

asio::awaitable<void> bucket_policy(Call& call, const std::string& bucket) {
    const auto no_such_bucket = [&] {
        return S3Error(404, "NoSuchBucket", "The specified bucket does not exist: " + bucket);
    };
    if (!call.services.objects.meta().snapshot().catalog().bucket(bucket)) throw no_such_bucket();
    if (call.request().method == "PUT") {
        const std::string* name = call.target.param("policy");
        const std::string* public_read = call.target.param("public-read");
        if (name == nullptr && public_read == nullptr) {
            throw S3Error(400, "InvalidRequest",
                          "PUT /_shoal/buckets/<name> needs ?policy=<policy> or ?public-read=true|false");
        }
        if (public_read != nullptr) {
            if (*public_read != "true" && *public_read != "false") {
                throw S3Error(400, "InvalidArgument", "public-read=: true or false, got \"" + *public_read + "\"");
            }
            const bool on = *public_read == "true";
            co_await engine::async_commit(call.services.objects.meta(),
                                          [&](meta::Catalog& catalog) { catalog.set_public_read(bucket, on); });
            call.services.log.info("bucket public-read switched", {{"bucket", bucket}, {"public_read", *public_read}});
        }
        if (name != nullptr) {
            std::optional<ec::StoragePolicy> policy;
            if (!name->empty()) {
                policy = ec::StoragePolicy::parse(*name);
                if (!policy) throw S3Error(400, "InvalidStorageClass", "not a storage policy: " + *name);
            }
            co_await call.services.objects.set_bucket_policy(bucket, policy);
        }
    }
    // (Read before the answer, without a snapshot held while it is sent.)
    const auto record = call.services.objects.meta().snapshot().catalog().bucket(bucket);
    if (!record) throw no_such_bucket();  // deleted meanwhile
    XmlWriter xml("Bucket", false);
    xml.element("Name", record->name)
        .element("Policy", record->policy)
        .element("EffectivePolicy", record->policy.empty()
                                        ? call.services.objects.options().default_policy.to_string()
                                        : record->policy)
        .boolean("PublicRead", record->public_read);
    co_await call.respond_xml(200, xml.finish());
}

}  // namespace

asio::awaitable<void> admin(Call& call) {
    const std::string& method = call.request().method;
    const std::string& key = call.target.key;
    if (key == "drives" && method == "GET") co_return co_await list_drives(call);
    if (key == "drives" && method == "POST" && call.target.param("attach") != nullptr) {
        co_return co_await attach(call, *call.target.param("attach"));
    }
    constexpr std::string_view kDrives = "drives/";
    if (key.starts_with(kDrives) && method == "POST" && call.target.has("rebuild")) {
        co_return co_await rebuild_drive(call, std::string_view(key).substr(kDrives.size()));
    }
    if (key == "errors" && method == "GET") co_return co_await internal_errors(call);
    if (key == "keys" || key.starts_with("keys/")) co_return co_await admin_keys(call);
    constexpr std::string_view kBuckets = "buckets/";
    if (key.starts_with(kBuckets) && key.size() > kBuckets.size() && (method == "GET" || method == "PUT")) {
        co_return co_await bucket_policy(call, key.substr(kBuckets.size()));
    }
    throw S3Error(400, "InvalidRequest", std::string(kUsage));
}

}  // namespace shoal::s3
