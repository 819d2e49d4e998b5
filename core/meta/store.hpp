// The node's metadata store: an LMDB environment, and a group committer.
//
// Reads take a snapshot (a read transaction) and may run on any thread.
// Writes are mutations submitted to the committer thread, which runs every
// mutation that is ready in one write transaction, each in a nested
// transaction of its own (one failing mutation does not spoil the others),
// then commits once. This is what lets many small durable PUTs share a sync.
//
// One sync per commit, not two: LMDB normally syncs the data pages, then
// writes and syncs the meta page that makes them current. The environment
// runs with MDB_NOMETASYNC, so a commit syncs its data pages only; its meta
// page reaches the disk with the next commit's sync (which covers the whole
// file), or with an explicit sync when no next commit is waiting. LMDB keeps
// its integrity either way; a power cut can only undo the last commit, whose
// mutations have not been acknowledged yet.
//
// Invariant: a mutation's completion is called only once the commit holding
// it is durable: after a later commit's data sync, or after mdb_env_sync.
// Readers may see a commit slightly before that (as with any LMDB commit,
// whose meta page is visible in the map before its sync returns).
//
// The catalog's identity: a random id, written when the catalog is created
// and never changed, and a generation, the number of groups it has committed
// over its life, written by every commit (in the `system` table, beside the
// catalog's counters). A group whose mutations wrote nothing commits nothing
// and leaves the generation as it was.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/meta/catalog.hpp"
#include "core/meta/lmdb.hpp"

namespace shoal::meta {

struct StoreOptions {
    // Virtual size reserved for the database; only touched pages use memory.
    // On 32-bit targets it must fit the address space beside everything else.
    std::uint64_t map_size = sizeof(void*) >= 8 ? (std::uint64_t{64} << 30) : (std::uint64_t{1} << 30);
    std::size_t max_group = 512;  // mutations per commit at most
};

// Who a catalog is (see above). `created_now`: there was no catalog, this
// start created it (a node's first start, or one whose catalog is lost).
struct CatalogIdentity {
    std::string id;                // 32 hex digits
    std::uint64_t generation = 0;  // groups committed so far (last committed)
    bool created_now = false;
};

class Snapshot {
public:
    explicit Snapshot(const Env& env, const Tables& tables) : txn_(env, Txn::read_only), catalog_(txn_, tables) {}
    const Catalog& catalog() const { return catalog_; }

private:
    Txn txn_;
    Catalog catalog_;
};

class Store {
public:
    using Mutation = std::function<void(Catalog&)>;
    using Completion = std::function<void(std::exception_ptr)>;  // null on success

    // Opens or creates the store in `dir`. Throws MetaError naming the directory.
    Store(const std::filesystem::path& dir, const StoreOptions& options);
    ~Store();  // finishes the queued mutations, then stops the committer
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    Snapshot snapshot() const { return Snapshot(*env_, tables_); }

    // Queues a mutation; `done` runs on the committer thread.
    void submit(Mutation mutation, Completion done);

    // Submits and waits (start-up, tools, tests). Rethrows the mutation's exception.
    void write(Mutation mutation);

    CatalogIdentity identity() const;
    std::uint64_t commits() const;  // transactions committed so far (for tests/metrics)
    std::uint64_t map_size() const { return env_->map_size(); }  // as granted by the address space

    // How much of the map the database occupied after the last commit. Kept
    // by the committer, so asking costs no transaction (a check before each
    // upload: capacity.hpp).
    MapUsage usage() const;

    // The snapshots open now (for the admin API and tests: a snapshot held
    // while a client reads slowly would show here).
    ReaderStats readers() const { return env_->readers(); }

private:
    struct Pending {
        Mutation mutation;
        Completion done;
    };
    void run();
    void sync();  // everything committed so far reaches the disk
    std::exception_ptr try_sync() noexcept;  // sync()'s failure, if any
    std::uint64_t last_txnid() const;
    static void complete(std::vector<Pending>& group, const std::vector<std::exception_ptr>& errors,
                         const std::exception_ptr& group_error);

    const std::string dir_;  // for errors
    std::unique_ptr<Env> env_;
    Tables tables_;
    const std::size_t max_group_;
    std::string catalog_id_;
    bool created_now_ = false;
    std::atomic<std::uint64_t> generation_{0};  // the last commit's

    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::uint64_t commits_ = 0;
    MapUsage usage_;  // after the last commit
    std::thread committer_;
};

}  // namespace shoal::meta
