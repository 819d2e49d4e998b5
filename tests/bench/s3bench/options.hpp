// The command line of s3bench (see usage()).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::bench {

enum class Op { put, get, head, del, list, mixed };

std::string_view op_name(Op op);

// A share of a mixed run: e.g. get:70.
struct MixEntry {
    Op op;
    unsigned weight;
};

struct Options {
    std::string endpoint = "http://127.0.0.1:9000";
    std::string access_key;  // --access-key, else AWS_ACCESS_KEY_ID, else SHOAL_ROOT_USER
    std::string secret_key;  // --secret-key, else AWS_SECRET_ACCESS_KEY, else SHOAL_ROOT_PASSWORD
    std::string region = "us-east-1";
    std::string bucket = "bench";
    Op op = Op::get;
    std::uint64_t size = 4096;
    unsigned concurrency = 1;
    std::uint64_t count = 0;   // operations in all; 0: no limit (then a duration)
    double duration = 0;       // seconds; 0: no limit (then a count)
    std::string keys = "s3bench";  // key prefix: keys are "<keys>/<8-digit index>"
    std::uint64_t objects = 100;   // distinct keys used; op n addresses key n mod objects
    bool plain = false;            // no SigV4 (a plain HTTP file server: nginx WebDAV)
    bool create_bucket = false;
    bool prepare = false;          // upload the objects before the run (get, head, delete, mixed)
    bool verify = false;           // check GET bodies' CRC-32C (their length is always checked)
    bool payload_sha256 = false;   // sign the SHA-256 of PUT bodies instead of UNSIGNED-PAYLOAD
    bool presign = false;          // presigned URLs, made once per key before the run
    std::vector<MixEntry> mix{{Op::get, 70}, {Op::put, 20}, {Op::head, 10}};
    unsigned max_keys = 1000;      // listing page size
    std::string label;             // copied into the JSON line
    unsigned timeout_seconds = 60;
    std::vector<pid_t> server_pids;  // processes whose CPU time the run reports (same machine)
};

// Parses argv. Returns nullopt after printing usage (--help) and throws
// std::invalid_argument with a message on a bad command line.
std::optional<Options> parse_options(int argc, char** argv);

// "4096", "4KiB", "4k", "1MiB", "16M", "1.5GiB": binary multiples.
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_size(std::uint64_t bytes);

void print_usage();

}  // namespace shoal::bench
