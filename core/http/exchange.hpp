// One request/response exchange on a connection, as a handler sees it.
//
// The request body is read in pieces with read_body() (Content-Length or
// chunked, decoded; "100 Continue" sent on the first read when the client
// asked for it). The response is either sent whole with respond(), or
// streamed: begin(), write() as often as needed, finish(). Only the response
// head is held back (to leave with the first body bytes); nothing else is
// buffered beyond what the caller passes in, so memory per exchange is
// bounded whatever the body sizes; each write waits for the socket
// (backpressure).
//
// Errors: a malformed, truncated or stalled request body throws BodyError
// (the server answers it if no response has started); a connection that
// fails while writing throws ConnectionLost. Both end the exchange; the
// connection is then closed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "core/http/chunked_decoder.hpp"
#include "core/http/request.hpp"
#include "core/http/response.hpp"

namespace shoal::http {

class Connection;

class BodyError : public std::runtime_error {
public:
    BodyError(int status, const std::string& reason) : std::runtime_error(reason), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

class ConnectionLost : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Exchange {
public:
    Exchange(Connection& connection, const Request& request, std::string& buffered, bool draining);

    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    const Request& request() const { return request_; }

    // --- request body ---
    bool has_body() const { return request_.framing != BodyFraming::none; }
    // The body's length when the client declared it (Content-Length), else nullopt.
    std::optional<std::uint64_t> body_length() const;
    // Reads up to out.size() payload bytes; returns 0 once the body is complete.
    asio::awaitable<std::size_t> read_body(std::span<char> out);
    bool body_complete() const { return body_done_; }
    // Trailer fields of a chunked body (valid once the body is complete).
    const std::vector<Header>& body_trailers() const { return chunked_.trailers(); }

    // --- response ---
    asio::awaitable<void> respond(const Response& response);
    asio::awaitable<void> begin(int status, const std::vector<Header>& headers,
                                std::optional<std::uint64_t> content_length);
    asio::awaitable<void> write(std::span<const char> data);
    asio::awaitable<void> finish();

    bool response_started() const { return state_ != ResponseState::none; }
    bool response_finished() const { return state_ == ResponseState::finished; }
    int response_status() const { return status_; }
    // Whether the connection can carry another request after this exchange.
    bool keep_alive() const { return keep_alive_; }

    // Called by the connection after the handler: reads and drops what is left
    // of a small declared-length body so the connection can be reused.
    // Returns false if the connection must close instead.
    asio::awaitable<bool> discard_rest_of_body();

private:
    enum class ResponseState { none, streaming, finished };

    // Largest unread body the server reads and drops to keep a connection open.
    static constexpr std::uint64_t kDrainLimit = 64 * 1024;

    asio::awaitable<void> send_continue_if_expected();
    bool body_reusable() const;

    Connection& connection_;
    const Request& request_;
    std::string& buffered_;  // bytes read past the head: body and maybe the next request
    const bool head_request_;
    const bool draining_;

    // body
    std::uint64_t body_remaining_ = 0;  // for Content-Length bodies
    ChunkedDecoder chunked_;
    bool body_done_;
    const bool expects_continue_;  // the client sent "Expect: 100-continue"
    bool continue_pending_;        // ...and its body is still to come
    bool continue_sent_ = false;

    // response
    ResponseState state_ = ResponseState::none;
    int status_ = 0;
    bool chunked_out_ = false;
    bool keep_alive_ = false;
    std::optional<std::uint64_t> declared_length_;
    std::uint64_t written_ = 0;
    std::string head_pending_;  // the response head, until the first body bytes go with it
};

}  // namespace shoal::http
