#include "core/meta/store.hpp"

#include <future>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "core/hash/encoding.hpp"
#include "core/runtime/durable_file.hpp"
#include "core/runtime/secure_random.hpp"

namespace shoal::meta {
namespace {

// The catalog's identity, in the `system` table.
constexpr std::string_view kCatalogId = "catalog_id";
constexpr std::string_view kGeneration = "generation";

std::string new_catalog_id() {
    unsigned char bytes[16];
    runtime::fill_secure_random(bytes, sizeof bytes);
    return hash::hex_encode(std::span<const std::uint8_t>(bytes, sizeof bytes));
}

// Free bytes below which the device under the database counts as full.
constexpr std::uintmax_t kDeviceFullBelow = 1 << 20;

// Commit and sync failures come from the device (ENOSPC, EIO, EROFS): the
// error names the directory, which LMDB's message does not. LMDB reports a
// short write, which is how a full device often ends one, as EIO: a failure
// while the device has (next to) no room left is reported as a full device.
std::exception_ptr naming(const std::string& dir, const std::exception_ptr& error) {
    const auto named = [&dir](std::string_view what) {
        constexpr std::string_view unnamed = "metadata store: ";
        if (what.starts_with(unnamed)) what.remove_prefix(unnamed.size());
        return "metadata store " + dir + ": " + std::string(what);
    };
    try {
        std::rethrow_exception(error);
    } catch (const MetaFull& e) {
        return std::make_exception_ptr(MetaFull(named(e.what())));
    } catch (const MetaError& e) {
        std::error_code ec;
        const std::filesystem::space_info space = std::filesystem::space(dir, ec);
        if (!ec && space.available < kDeviceFullBelow) {
            return std::make_exception_ptr(MetaFull("metadata store " + dir + ": No space left on device (" +
                                                    std::to_string(space.available) + " bytes free; " +
                                                    named(e.what()) + ")"));
        }
        return std::make_exception_ptr(MetaError(named(e.what())));
    } catch (...) {
        return error;
    }
}

}  // namespace

Store::Store(const std::filesystem::path& dir, const StoreOptions& options)
    : dir_(dir.string()), max_group_(options.max_group) {
    // The directory and LMDB's files in it are found again after a power
    // cut only if their names are durable: nothing else syncs them.
    try {
        runtime::create_directories_durably(dir);
    } catch (const std::runtime_error& e) {
        throw MetaError("metadata store " + dir.string() + ": " + e.what());
    }
    env_ = std::make_unique<Env>(dir.string(), options.map_size, 16);
    Txn txn(*env_, Txn::read_write);
    created_now_ = !txn.has_db("system");
    tables_.system = txn.open_db("system", MDB_CREATE);
    tables_.buckets = txn.open_db("buckets", MDB_CREATE);
    tables_.namespaces = txn.open_db("namespaces", MDB_CREATE);
    tables_.versions = txn.open_db("versions", MDB_CREATE);
    tables_.current = txn.open_db("current", MDB_CREATE);
    tables_.uploads = txn.open_db("uploads", MDB_CREATE);
    tables_.upload_keys = txn.open_db("upload_keys", MDB_CREATE);
    tables_.parts = txn.open_db("parts", MDB_CREATE);
    tables_.keys = txn.open_db("keys", MDB_CREATE);
    if (const auto id = txn.get(tables_.system, kCatalogId)) {
        catalog_id_ = std::string(*id);
    } else {
        // A new catalog, or one from before catalogs had an identity.
        catalog_id_ = new_catalog_id();
        txn.put(tables_.system, kCatalogId, catalog_id_);
    }
    if (const auto generation = txn.get(tables_.system, kGeneration)) generation_ = decode_u64(*generation);
    usage_ = txn.usage();
    txn.commit();
    try {
        runtime::sync_directory(dir);
    } catch (const std::runtime_error& e) {
        throw MetaError("metadata store " + dir.string() + ": " + e.what());
    }
    // Commits write their meta page without waiting for it to reach the disk;
    // the committer acknowledges a group only after a later sync (see run()).
    int rc = mdb_env_set_flags(env_->get(), MDB_NOMETASYNC, 1);
    if (rc != 0) throw_lmdb("mdb_env_set_flags", rc);
    sync();
    committer_ = std::thread([this] { run(); });
}

Store::~Store() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ready_.notify_all();
    committer_.join();
}

void Store::submit(Mutation mutation, Completion done) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(Pending{std::move(mutation), std::move(done)});
    }
    ready_.notify_one();
}

void Store::write(Mutation mutation) {
    std::promise<void> finished;
    submit(std::move(mutation), [&finished](std::exception_ptr error) {
        if (error) {
            finished.set_exception(error);
        } else {
            finished.set_value();
        }
    });
    finished.get_future().get();
}

CatalogIdentity Store::identity() const { return CatalogIdentity{catalog_id_, generation_.load(), created_now_}; }

std::uint64_t Store::commits() const {
    std::lock_guard lock(mutex_);
    return commits_;
}

MapUsage Store::usage() const {
    std::lock_guard lock(mutex_);
    return usage_;
}

void Store::complete(std::vector<Pending>& group, const std::vector<std::exception_ptr>& errors,
                     const std::exception_ptr& group_error) {
    for (std::size_t i = 0; i < group.size(); ++i) {
        group[i].done(group_error ? group_error : errors[i]);
    }
    group.clear();
}

void Store::run() {
    // The group committed last, not yet known durable (its meta page is
    // written but not synced), and the outcome of each of its mutations.
    std::vector<Pending> unsynced;
    std::vector<std::exception_ptr> unsynced_errors;
    while (true) {
        std::vector<Pending> group;
        bool stop = false;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [&] { return stopping_ || !queue_.empty() || !unsynced.empty(); });
            while (!queue_.empty() && group.size() < max_group_) {
                group.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            stop = stopping_ && queue_.empty() && group.empty();
        }
        if (group.empty()) {
            // Nothing new to commit: sync now rather than wait for a next
            // commit to carry the last one to disk.
            const std::exception_ptr sync_error = try_sync();
            complete(unsynced, unsynced_errors, sync_error);
            if (stop) return;
            continue;
        }

        std::vector<std::exception_ptr> errors(group.size());
        std::exception_ptr commit_error;
        const std::uint64_t txnid_before = last_txnid();
        const std::uint64_t generation = generation_.load() + 1;
        std::optional<MapUsage> usage_after;  // set if the group was committed
        try {
            Txn txn(*env_, Txn::read_write);
            WriteSet writes;
            txn.record(writes);
            for (std::size_t i = 0; i < group.size(); ++i) {
                try {
                    Txn nested(txn);
                    Catalog catalog(nested, tables_);
                    group[i].mutation(catalog);
                    nested.commit();
                } catch (...) {
                    errors[i] = std::current_exception();  // the nested transaction was aborted
                }
            }
            if (!writes.empty()) {
                txn.put(tables_.system, kGeneration, encode_u64(generation));
                const MapUsage usage = txn.usage();
                // Syncs the data pages of this group, and with them the meta page
                // of the previous commit: that one is durable from here on.
                txn.commit();
                generation_ = generation;
                usage_after = usage;
            }
            // else: nothing to commit (the transaction is aborted).
        } catch (...) {
            commit_error = naming(dir_, std::current_exception());
        }
        {
            std::lock_guard lock(mutex_);
            ++commits_;
            if (usage_after) usage_ = *usage_after;
        }
        if (commit_error) {
            // Nothing of this group was committed. Whether the failed commit
            // got as far as its sync is unknown: sync for the previous group.
            complete(group, errors, commit_error);
            const std::exception_ptr sync_error = try_sync();
            complete(unsynced, unsynced_errors, sync_error);
            continue;
        }
        if (last_txnid() == txnid_before) {
            // A group that changed nothing is not committed: the previous
            // group still needs its sync.
            const std::exception_ptr sync_error = try_sync();
            complete(unsynced, unsynced_errors, sync_error);
            complete(group, errors, sync_error);
            continue;
        }
        complete(unsynced, unsynced_errors, nullptr);
        unsynced = std::move(group);
        unsynced_errors = std::move(errors);
    }
}

std::exception_ptr Store::try_sync() noexcept {
    try {
        sync();
        return nullptr;
    } catch (...) {
        return naming(dir_, std::current_exception());
    }
}

std::uint64_t Store::last_txnid() const {
    MDB_envinfo info{};
    mdb_env_info(env_->get(), &info);
    return info.me_last_txnid;
}

void Store::sync() {
    const int rc = mdb_env_sync(env_->get(), 1);
    if (rc != 0) throw_lmdb("mdb_env_sync", rc);
}

}  // namespace shoal::meta
