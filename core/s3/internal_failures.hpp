// The node's recent internal failures (5xx answers) with the detail their
// clients are not told (paths, drive ids, system errors: docs/security.md).
// Each one is logged under its request id as well; these last few are kept
// so that root can look one up by the id a client reports, without the log
// at hand (GET /_shoal/errors, admin_ops.cpp).
//
// Thread-safe. Bounded: the newest kCapacity failures, each detail cut to
// kMaxDetail bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace shoal::s3 {

class InternalFailures {
public:
    struct Failure {
        std::string request_id;
        std::uint64_t time_ms = 0;  // Unix time, set by record()
        int status = 0;
        std::string code;
        std::string method;  // empty for a request refused before its head was read
        std::string path;
        std::string detail;
    };

    static constexpr std::size_t kCapacity = 100;
    static constexpr std::size_t kMaxDetail = 2048;

    // Keeps a failure (its time_ms is now; the oldest kept one goes).
    void record(Failure failure);
    std::vector<Failure> recent() const;  // newest first

private:
    mutable std::mutex mutex_;
    std::deque<Failure> failures_;  // oldest first
};

}  // namespace shoal::s3
