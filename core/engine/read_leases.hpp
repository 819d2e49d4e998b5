// Chunk files outlive their metadata while a reader may still need them.
//
// Deleting or overwriting an object commits the metadata change first, then
// removes the old chunk files. A GET (or a copy) that read the old metadata
// just before may still be streaming those files. Readers therefore hold a
// Lease from before they read metadata until they are done with the chunks;
// chunks retired while a lease is held wait, and go to the reclaim function
// once every lease that was held at their retirement has ended.
//
// Invariant: chunks retired as batch number i are reclaimed only when no
// lease acquired at a generation <= i is held. A lease acquired after the
// retirement (generation > i) cannot have found those chunks in metadata:
// the commit that dropped them came before the retirement.
//
// Thread-safe. Cheap: a lock and a map update per lease.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "core/meta/records.hpp"

namespace shoal::engine {

class ReadLeases {
public:
    // Removes chunk files that waited; called without the lock held, at the
    // end of the last lease in their way (any thread): must not block.
    using Reclaim = std::function<void(std::vector<meta::ChunkRef>)>;

    class Lease {
    public:
        Lease() = default;
        Lease(Lease&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)), generation_(other.generation_) {}
        Lease& operator=(Lease&& other) noexcept;
        ~Lease() { end(); }
        void end();  // releases early; idempotent

    private:
        friend class ReadLeases;
        Lease(ReadLeases* owner, std::uint64_t generation) : owner_(owner), generation_(generation) {}
        ReadLeases* owner_ = nullptr;
        std::uint64_t generation_ = 0;
    };

    explicit ReadLeases(Reclaim reclaim) : reclaim_(std::move(reclaim)) {}
    ReadLeases(const ReadLeases&) = delete;
    ReadLeases& operator=(const ReadLeases&) = delete;

    // Take before reading the metadata that names the chunks to read.
    Lease acquire();

    // Chunks no longer named by committed metadata. Returns them if no lease
    // is in the way (the caller removes them now); otherwise keeps them for
    // the reclaim function and returns nothing.
    std::vector<meta::ChunkRef> retire(std::vector<meta::ChunkRef> refs);

    std::size_t held() const;     // leases held now
    std::size_t waiting() const;  // chunks waiting for leases to end

private:
    void release(std::uint64_t generation);

    const Reclaim reclaim_;
    mutable std::mutex mutex_;
    std::uint64_t next_generation_ = 0;
    std::map<std::uint64_t, std::size_t> held_;  // generation -> leases held
    std::deque<std::pair<std::uint64_t, std::vector<meta::ChunkRef>>> waiting_;  // by batch number
};

}  // namespace shoal::engine
