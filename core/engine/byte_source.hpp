// Where the bytes of an object being written come from (an HTTP body, a
// decoded aws-chunked body, another object for a copy). read() returns 0 at
// the end; it throws on a broken source.
#pragma once

#include <cstddef>
#include <span>

#include <asio/awaitable.hpp>

namespace shoal::engine {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual asio::awaitable<std::size_t> read(std::span<char> out) = 0;
};

}  // namespace shoal::engine
