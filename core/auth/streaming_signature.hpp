// Signatures of the aws-chunked body forms (STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// and its -TRAILER variant): each chunk is signed with the signature of the
// previous one, starting from the seed (the request's own signature), so a
// chunk can be neither altered, dropped, reordered nor replayed.
//
//   chunk:   "AWS4-HMAC-SHA256-PAYLOAD\n<amz_date>\n<scope>\n<previous>\n"
//            "<hex sha256("")>\n<hex sha256(chunk data)>"
//   trailer: "AWS4-HMAC-SHA256-TRAILER\n<amz_date>\n<scope>\n<previous>\n"
//            "<hex sha256(canonical trailers)>"
//
// where the canonical trailers are "name:value\n" for each trailing header,
// in the order sent, x-amz-trailer-signature excluded.
#pragma once

#include <string>
#include <string_view>

#include "core/auth/signing_key.hpp"
#include "core/hash/sha256.hpp"

namespace shoal::auth {

// What signing or verifying the chunks of one request needs.
struct StreamingContext {
    SigningKey key{};
    std::string amz_date;        // of the request, "20130524T000000Z"
    std::string scope;           // CredentialScope::to_string()
    std::string seed_signature;  // the request's signature (hex)
};

std::string chunk_signature(const StreamingContext& context, std::string_view previous_signature,
                            const hash::Sha256::Digest& chunk_sha256);

std::string trailer_signature(const StreamingContext& context, std::string_view previous_signature,
                              std::string_view canonical_trailers);

}  // namespace shoal::auth
