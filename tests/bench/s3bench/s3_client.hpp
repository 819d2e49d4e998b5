// The operations s3bench measures, over one HttpConnection: S3 requests signed
// with SigV4 (core/auth/signer.hpp), or plain HTTP ones for a file server.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/auth/signing_key_cache.hpp"
#include "tests/bench/s3bench/endpoint.hpp"
#include "tests/bench/s3bench/http_connection.hpp"
#include "tests/bench/s3bench/options.hpp"
#include "tests/bench/s3bench/payload.hpp"

namespace shoal::bench {

// What every client of a run shares (read-only).
struct RunContext {
    const Options& options;
    const Endpoint& endpoint;
    const Payload& payload;
    std::uint32_t body_crc32c = 0;  // of an object of options.size bytes (when options.verify)
    std::string body_sha256;        // of the same (when options.payload_sha256)
    // With options.presign: per operation (indexed by Op), the presigned
    // target of each key; empty for operations the run does not make.
    std::array<std::vector<std::string>, 6> presigned;
};

// The request target of object `index`: "/bucket/prefix/00000042".
std::string object_target(const Options& options, std::uint64_t index);

// Presigned targets for `op` on every key of the run (options.objects).
std::vector<std::string> presign_all(const Options& options, const Endpoint& endpoint, Op op);

struct OpResult {
    bool ok = false;
    std::uint64_t bytes = 0;  // payload bytes moved (listings: response bytes)
    std::uint64_t keys = 0;   // listings: keys in the page
    std::string error;        // when !ok: what failed, e.g. "GET /b/k: 403 SignatureDoesNotMatch"
};

class S3Client {
public:
    explicit S3Client(const RunContext& context);

    OpResult put(std::uint64_t index);
    OpResult get(std::uint64_t index);
    OpResult head(std::uint64_t index);
    OpResult remove(std::uint64_t index);
    // The next page of this client's walk over the bucket's keys under the
    // prefix (ListObjectsV2); after the last page the walk starts again.
    OpResult list_page();
    // PutBucket; an existing bucket of ours is success.
    OpResult create_bucket();

    std::uint64_t connects() const { return connection_.connects(); }

private:
    // The target of object `index` for `op`: presigned when the run has them.
    const std::string& target_for(Op op, std::uint64_t index);
    std::string request_head(std::string_view method, const std::string& target, std::uint64_t body_size,
                             bool has_body, bool presigned) const;
    OpResult perform(std::string_view method, const std::string& target, std::uint64_t body_size, bool has_body,
                     const ResponseOptions& options, HttpResponse& response, bool presigned = false);

    const RunContext& context_;
    HttpConnection connection_;
    std::string continuation_;  // of the listing walk; empty: from the start
    std::string target_;        // target_for()'s result when not presigned
    mutable auth::SigningKeyCache signing_keys_{4};  // as SDKs keep theirs: one derivation a day
};

}  // namespace shoal::bench
