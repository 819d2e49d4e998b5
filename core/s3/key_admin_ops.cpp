// Administration of access keys, root only (access_check.cpp), under
// /_shoal/keys (docs/security.md describes the model, docs/operations.md the
// `shoald key` command that drives these):
//
//   GET    /_shoal/keys                         every key, with its grants
//   POST   /_shoal/keys?name=N[&create-buckets=true]
//                                               a new key; the answer holds its
//                                               secret, shown this once only
//   GET    /_shoal/keys/<id>                    one key
//   POST   /_shoal/keys/<id>?enabled=true|false[&create-buckets=true|false]
//   PUT    /_shoal/keys/<id>?bucket=B&permissions=read,write,owner
//                                               sets the key's grant on bucket B
//                                               (permissions= or none: removes it)
//   DELETE /_shoal/keys/<id>
#include <chrono>
#include <map>

#include "core/access/key_ring.hpp"
#include "core/s3/call.hpp"
#include "core/s3/error.hpp"
#include "core/s3/xml_writer.hpp"

namespace shoal::s3 {
namespace {

constexpr std::string_view kUsage =
    "unknown key administration request: GET /_shoal/keys, POST /_shoal/keys?name=<name>, "
    "GET|DELETE /_shoal/keys/<id>, POST /_shoal/keys/<id>?enabled=true|false&create-buckets=true|false, "
    "PUT /_shoal/keys/<id>?bucket=<bucket>&permissions=<read,write,owner> are the ones there are";

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

std::optional<bool> parse_switch(const std::string* text, std::string_view name) {
    if (text == nullptr) return std::nullopt;
    if (*text == "true" || *text == "on") return true;
    if (*text == "false" || *text == "off") return false;
    throw S3Error(400, "InvalidArgument", std::string(name) + "=: true or false, got \"" + *text + "\"");
}

S3Error no_such_access_key(const std::string& id) {
    return S3Error(404, "NoSuchAccessKey", "no such access key: " + id);
}

void write_key(XmlWriter& xml, const meta::KeyRecord& key, const std::map<std::uint64_t, std::string>& bucket_names,
               const access::KeyRing& keys) {
    xml.open("Key")
        .element("AccessKeyId", key.access_key)
        .element("Name", key.name)
        .boolean("Enabled", key.enabled)
        .boolean("CreateBuckets", key.create_buckets)
        .element("Created", iso8601_ms(key.created_ms))
        .boolean("SecretReadable", keys.secret_for(key.access_key).has_value() || !key.enabled);
    xml.open("Grants");
    for (const meta::KeyGrant& g : key.grants) {
        const auto name = bucket_names.find(g.bucket_id);
        if (name == bucket_names.end()) continue;  // a bucket deleted meanwhile
        xml.open("Grant")
            .element("Bucket", name->second)
            .element("Permissions", access::format_permissions(g.permissions))
            .close();
    }
    xml.close().close();
}

std::map<std::uint64_t, std::string> bucket_names(const meta::Catalog& catalog) {
    std::map<std::uint64_t, std::string> names;
    for (const meta::BucketRecord& b : catalog.buckets()) names.emplace(b.id, b.name);
    return names;
}

// (The documents are built in snapshots that end before the answer is sent:
// a slow reader must not pin LMDB's pages, list_ops.cpp.)
asio::awaitable<void> respond_key(Call& call, const meta::KeyRecord& key, const std::string* secret, int status) {
    XmlWriter xml("AccessKey", false);
    write_key(xml, key, bucket_names(call.services.objects.meta().snapshot().catalog()), call.services.keys);
    if (secret != nullptr) xml.element("SecretAccessKey", *secret);
    co_await call.respond_xml(status, xml.finish());
}

std::string keys_document(const Call& call) {
    const meta::Snapshot snapshot = call.services.objects.meta().snapshot();
    const auto names = bucket_names(snapshot.catalog());
    XmlWriter xml("AccessKeys", false);
    for (const meta::KeyRecord& key : snapshot.catalog().keys()) write_key(xml, key, names, call.services.keys);
    return xml.finish();
}

asio::awaitable<void> list_keys(Call& call) {
    std::string document = keys_document(call);
    co_await call.respond_xml(200, std::move(document));
}

asio::awaitable<void> create_key(Call& call) {
    const std::string* name = call.target.param("name");
    if (name == nullptr || name->empty() || name->size() > 128) {
        throw S3Error(400, "InvalidArgument", "POST /_shoal/keys needs ?name=<a label of 1 to 128 characters>");
    }
    const bool create_buckets = parse_switch(call.target.param("create-buckets"), "create-buckets").value_or(false);
    access::KeyRing::Created created;
    // The key is committed (synced) before it is acknowledged: off the event loop.
    co_await call.services.objects.pool().run(
        [&] { created = call.services.keys.create(*name, create_buckets, now_ms()); });
    call.services.log.info("access key created", {{"access_key", created.record.access_key}, {"name", *name}});
    co_await respond_key(call, created.record, &created.secret_key, 200);
}

// Runs a blocking key change on the pool; UnknownKey becomes 404.
asio::awaitable<meta::KeyRecord> change_key(Call& call, const std::string& id,
                                            const std::function<void(meta::KeyRecord&)>& change) {
    meta::KeyRecord updated;
    bool unknown = false;
    co_await call.services.objects.pool().run([&] {
        try {
            updated = call.services.keys.update(id, change);
        } catch (const access::UnknownKey&) {
            unknown = true;
        }
    });
    if (unknown) throw no_such_access_key(id);
    co_return updated;
}

asio::awaitable<void> set_key_flags(Call& call, const std::string& id) {
    const std::optional<bool> enabled = parse_switch(call.target.param("enabled"), "enabled");
    const std::optional<bool> create_buckets = parse_switch(call.target.param("create-buckets"), "create-buckets");
    if (!enabled && !create_buckets) throw S3Error(400, "InvalidRequest", std::string(kUsage));
    const meta::KeyRecord key = co_await change_key(call, id, [&](meta::KeyRecord& record) {
        if (enabled) record.enabled = *enabled;
        if (create_buckets) record.create_buckets = *create_buckets;
    });
    call.services.log.info("access key changed", {{"access_key", id},
                                                  {"enabled", key.enabled ? "true" : "false"},
                                                  {"create_buckets", key.create_buckets ? "true" : "false"}});
    co_await respond_key(call, key, nullptr, 200);
}

asio::awaitable<void> set_key_grant(Call& call, const std::string& id) {
    const std::string* bucket = call.target.param("bucket");
    if (bucket == nullptr || bucket->empty()) throw S3Error(400, "InvalidRequest", std::string(kUsage));
    const std::string* text = call.target.param("permissions");
    const std::optional<access::Permissions> permissions =
        access::parse_permissions(text == nullptr ? std::string_view() : std::string_view(*text));
    if (!permissions) {
        throw S3Error(400, "InvalidArgument", "permissions=: a list of read, write and owner, got \"" + *text + "\"");
    }
    const auto record = call.services.objects.meta().snapshot().catalog().bucket(*bucket);
    if (!record) throw S3Error(404, "NoSuchBucket", "The specified bucket does not exist: " + *bucket);
    const meta::KeyRecord key = co_await change_key(
        call, id, [&](meta::KeyRecord& r) { access::set_grant(r.grants, record->id, *permissions); });
    call.services.log.info("access key grant set", {{"access_key", id},
                                                    {"bucket", *bucket},
                                                    {"permissions", access::format_permissions(*permissions)}});
    co_await respond_key(call, key, nullptr, 200);
}

asio::awaitable<void> delete_key(Call& call, const std::string& id) {
    bool unknown = false;
    co_await call.services.objects.pool().run([&] {
        try {
            call.services.keys.remove(id);
        } catch (const access::UnknownKey&) {
            unknown = true;
        }
    });
    if (unknown) throw no_such_access_key(id);
    call.services.log.info("access key deleted", {{"access_key", id}});
    co_await call.respond_empty(204);
}

}  // namespace

asio::awaitable<void> admin_keys(Call& call) {
    const std::string& method = call.request().method;
    const std::string& path = call.target.key;  // "keys" or "keys/<id>"
    if (path == "keys") {
        if (method == "GET") co_return co_await list_keys(call);
        if (method == "POST") co_return co_await create_key(call);
        throw S3Error(400, "InvalidRequest", std::string(kUsage));
    }
    const std::string id = path.substr(std::string_view("keys/").size());
    if (id.empty() || id.find('/') != std::string::npos) throw S3Error(400, "InvalidRequest", std::string(kUsage));
    if (method == "GET") {
        const auto key = call.services.objects.meta().snapshot().catalog().key(id);
        if (!key) throw no_such_access_key(id);
        co_return co_await respond_key(call, *key, nullptr, 200);
    }
    if (method == "POST") co_return co_await set_key_flags(call, id);
    if (method == "PUT") co_return co_await set_key_grant(call, id);
    if (method == "DELETE") co_return co_await delete_key(call, id);
    throw S3Error(400, "InvalidRequest", std::string(kUsage));
}

}  // namespace shoal::s3
