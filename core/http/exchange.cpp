#include "core/http/exchange.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "core/http/connection.hpp"

namespace shoal::http {
namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Raw bytes read from the socket at a time while decoding a chunked body.
constexpr std::size_t kChunkedReadSize = 16 * 1024;

bool expects_continue(const Request& request) {
    const std::string* expect = request.header("Expect");
    return request.version_minor >= 1 && expect != nullptr && iequals(*expect, "100-continue");
}

}  // namespace

Exchange::Exchange(Connection& connection, const Request& request, std::string& buffered, bool draining)
    : connection_(connection),
      request_(request),
      buffered_(buffered),
      head_request_(request.method == "HEAD"),
      draining_(draining),
      body_remaining_(request.framing == BodyFraming::content_length ? request.content_length : 0),
      body_done_(request.framing == BodyFraming::none),
      expects_continue_(expects_continue(request)),
      continue_pending_(!body_done_ && expects_continue_) {}

std::optional<std::uint64_t> Exchange::body_length() const {
    if (request_.framing == BodyFraming::chunked) return std::nullopt;
    return request_.framing == BodyFraming::content_length ? request_.content_length : 0;
}

asio::awaitable<void> Exchange::send_continue_if_expected() {
    if (!continue_pending_) co_return;
    continue_pending_ = false;
    if (state_ != ResponseState::none) co_return;  // a final answer was already given
    continue_sent_ = true;
    const std::array<asio::const_buffer, 1> buffers{asio::buffer(kContinue.data(), kContinue.size())};
    co_await connection_.write_all(buffers);
}

asio::awaitable<std::size_t> Exchange::read_body(std::span<char> out) {
    if (body_done_ || out.empty()) co_return 0;
    co_await send_continue_if_expected();

    if (request_.framing == BodyFraming::content_length) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), body_remaining_));
        std::size_t n = 0;
        if (!buffered_.empty()) {
            n = std::min(want, buffered_.size());
            std::memcpy(out.data(), buffered_.data(), n);
            buffered_.erase(0, n);
        } else {
            // Straight into the caller's buffer: no copy for large bodies.
            n = co_await connection_.read_some(out.first(want));
            if (n == 0) throw BodyError(400, "the client closed the connection before sending the whole body");
        }
        body_remaining_ -= n;
        if (body_remaining_ == 0) body_done_ = true;
        co_return n;
    }

    // Chunked: decode what is buffered; read more raw bytes only when it yields nothing.
    while (true) {
        if (!buffered_.empty()) {
            const ChunkedDecoder::Step step = chunked_.decode(buffered_, out);
            buffered_.erase(0, step.consumed);
            if (chunked_.failed()) throw BodyError(400, "malformed chunked body: " + chunked_.error());
            if (chunked_.done()) body_done_ = true;
            if (step.produced > 0 || body_done_) co_return step.produced;
        }
        const std::size_t old_size = buffered_.size();
        buffered_.resize(old_size + kChunkedReadSize);
        const std::size_t n =
            co_await connection_.read_some(std::span<char>(buffered_.data() + old_size, kChunkedReadSize));
        buffered_.resize(old_size + n);
        if (n == 0) throw BodyError(400, "the client closed the connection before sending the whole body");
    }
}

bool Exchange::body_reusable() const {
    if (body_done_) return true;
    // An unread body can be skipped only if its end is known and near, and the
    // client is not waiting for "100 Continue" (it may never send it).
    return request_.framing == BodyFraming::content_length && !continue_pending_ && body_remaining_ <= kDrainLimit;
}

asio::awaitable<void> Exchange::begin(int status, const std::vector<Header>& headers,
                                      std::optional<std::uint64_t> content_length) {
    if (state_ != ResponseState::none) throw std::logic_error("http response already started");
    status_ = status;
    keep_alive_ = request_.keep_alive() && !draining_ && body_reusable();
    continue_pending_ = false;  // a final status answers the expectation too
    BodyFrame frame;
    if (content_length || status_has_no_body(status)) {
        frame = BodyFrame::of_length(content_length.value_or(0));
        declared_length_ = content_length.value_or(0);
    } else if (request_.version_minor >= 1) {
        frame.kind = BodyFrame::chunked;
        chunked_out_ = !head_request_;
    } else {
        frame.kind = BodyFrame::until_close;
        keep_alive_ = false;
    }
    if (head_request_ || status_has_no_body(status)) declared_length_ = std::nullopt;  // no body bytes follow
    state_ = ResponseState::streaming;
    std::string head = serialize_head(status, headers, frame, keep_alive_, http_date_now());
    // An expectation met by an empty body still gets its "100 Continue":
    // botocore (1.29, Debian 12) keeps the status line of a final answer to
    // an Expect request and reports it again for later requests on the same
    // connection, so such an answer must either follow a 100 or close.
    if (expects_continue_ && !continue_sent_ && request_.framing == BodyFraming::none) {
        head.insert(0, kContinue);
        continue_sent_ = true;
    } else if (expects_continue_ && !continue_sent_) {
        keep_alive_ = false;
        head = serialize_head(status, headers, frame, false, http_date_now());
    }
    // Sent with the first body bytes (or by finish()): one segment for a small
    // response instead of two, which halves the wake-ups of small GETs.
    head_pending_ = std::move(head);
    co_return;
}

asio::awaitable<void> Exchange::write(std::span<const char> data) {
    if (state_ != ResponseState::streaming) throw std::logic_error("http response body written outside begin/finish");
    if (data.empty() || head_request_ || status_has_no_body(status_)) co_return;
    const asio::const_buffer head = asio::buffer(head_pending_);
    if (declared_length_ && written_ + data.size() > *declared_length_) {
        throw std::logic_error("http response body longer than its Content-Length");
    }
    written_ += data.size();
    if (chunked_out_) {
        char size_line[24];
        const auto [end, ec] = std::to_chars(size_line, size_line + 16, data.size(), 16);
        std::memcpy(end, "\r\n", 2);
        const std::array<asio::const_buffer, 4> buffers{
            head, asio::buffer(size_line, static_cast<std::size_t>(end - size_line) + 2),
            asio::buffer(data.data(), data.size()), asio::buffer("\r\n", 2)};
        co_await connection_.write_all(buffers);
    } else {
        const std::array<asio::const_buffer, 2> buffers{head, asio::buffer(data.data(), data.size())};
        co_await connection_.write_all(buffers);
    }
    head_pending_.clear();
}

asio::awaitable<void> Exchange::finish() {
    if (state_ != ResponseState::streaming) throw std::logic_error("http response finished twice or never begun");
    state_ = ResponseState::finished;
    if (chunked_out_ || !head_pending_.empty()) {
        const std::array<asio::const_buffer, 2> buffers{
            asio::buffer(head_pending_), chunked_out_ ? asio::buffer("0\r\n\r\n", 5) : asio::const_buffer()};
        co_await connection_.write_all(buffers);
        head_pending_.clear();
    }
    if (declared_length_ && written_ != *declared_length_) {
        // The client was promised more bytes than it got: only closing tells it.
        keep_alive_ = false;
        throw ConnectionLost("http response body shorter than its Content-Length");
    }
}

asio::awaitable<void> Exchange::respond(const Response& response) {
    co_await begin(response.status, response.headers, response.body.size());
    co_await write(response.body);
    co_await finish();
}

asio::awaitable<bool> Exchange::discard_rest_of_body() {
    if (body_done_) co_return true;
    if (!body_reusable()) co_return false;
    std::array<char, 8192> sink;
    while (!body_done_) {
        co_await read_body(sink);
    }
    co_return true;
}

}  // namespace shoal::http
