// Answers a request whose work may take long (a server-side copy of a large
// object), the way S3 does. Clients wait a bounded time for the first byte of
// an answer (botocore: 60 s), and a copy on a small board can take minutes.
//
// Work that ends within the interval (ApiOptions::keepalive_interval) is
// answered as usual, any status. Work still going after it gets "200 OK" at
// once (chunked), the XML declaration, then one space per interval while it
// goes on, then the result document when it ends: the result, or an <Error>
// document if it failed (which is why S3 clients check a 200 copy answer for
// an error). Headers only the result knows (x-amz-version-id of a copy) are
// sent only with an answer that was not started early.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/http/request.hpp"
#include "core/s3/call.hpp"

namespace shoal::s3 {

struct XmlAnswer {
    std::string document;               // XmlWriter's output, declaration included
    std::vector<http::Header> headers;  // besides the base headers and Content-Type
};

// Runs `work` on the call's executor and answers with what it returns (or
// throws). `early_headers` go with an answer started early as well.
asio::awaitable<void> answer_when_done(Call& call, std::vector<http::Header> early_headers,
                                       std::function<asio::awaitable<XmlAnswer>()> work);

}  // namespace shoal::s3
