#include "tests/bench/s3bench/options.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace shoal::bench {
namespace {

std::optional<Op> parse_op(std::string_view s) {
    if (s == "put") return Op::put;
    if (s == "get") return Op::get;
    if (s == "head") return Op::head;
    if (s == "delete") return Op::del;
    if (s == "list") return Op::list;
    if (s == "mixed") return Op::mixed;
    return std::nullopt;
}

template <typename T>
T parse_number(std::string_view option, std::string_view text, T min, T max) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
        throw std::invalid_argument(std::string(option) + ": expected a number from " + std::to_string(min) + " to " +
                                    std::to_string(max) + ", got \"" + std::string(text) + "\"");
    }
    return value;
}

double parse_seconds(std::string_view text) {
    std::string s(text);
    if (!s.empty() && s.back() == 's') s.pop_back();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !(v > 0) || v > 86400) {
        throw std::invalid_argument("--duration: expected seconds (e.g. 10 or 2.5s), got \"" + std::string(text) + "\"");
    }
    return v;
}

std::vector<MixEntry> parse_mix(std::string_view text) {
    std::vector<MixEntry> mix;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const std::size_t colon = item.find(':');
        const auto op = parse_op(item.substr(0, colon));
        if (!op || colon == std::string_view::npos || *op == Op::mixed || *op == Op::list) {
            throw std::invalid_argument("--mix: expected OP:WEIGHT,... with OP put, get, head or delete; got \"" +
                                        std::string(item) + "\"");
        }
        mix.push_back({*op, parse_number<unsigned>("--mix", item.substr(colon + 1), 0, 1000000)});
    }
    unsigned total = 0;
    for (const MixEntry& e : mix) total += e.weight;
    if (total == 0) throw std::invalid_argument("--mix: the weights add up to 0");
    return mix;
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

}  // namespace

std::string_view op_name(Op op) {
    switch (op) {
        case Op::put: return "put";
        case Op::get: return "get";
        case Op::head: return "head";
        case Op::del: return "delete";
        case Op::list: return "list";
        case Op::mixed: return "mixed";
    }
    return "?";
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    const std::string number(text.substr(0, i));
    std::string unit(text.substr(i));
    for (char& c : unit) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    if (number.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size()) return std::nullopt;
    double multiplier = 0;
    if (unit.empty() || unit == "B") multiplier = 1;
    else if (unit == "K" || unit == "KB" || unit == "KIB") multiplier = 1024.0;
    else if (unit == "M" || unit == "MB" || unit == "MIB") multiplier = 1024.0 * 1024;
    else if (unit == "G" || unit == "GB" || unit == "GIB") multiplier = 1024.0 * 1024 * 1024;
    else return std::nullopt;
    const double bytes = std::round(v * multiplier);
    if (bytes < 0 || bytes > 1e15) return std::nullopt;
    return static_cast<std::uint64_t>(bytes);
}

std::string format_size(std::uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB"};
    for (int u = 3; u > 0; --u) {
        const std::uint64_t m = std::uint64_t{1} << (10 * u);
        if (bytes >= m && bytes % m == 0) return std::to_string(bytes / m) + units[u];
    }
    return std::to_string(bytes) + "B";
}

void print_usage() {
    std::puts(
        "usage: s3bench [options]\n"
        "\n"
        "Measures an S3 endpoint (SigV4-signed) or, with --plain, a plain HTTP file server\n"
        "(e.g. nginx with WebDAV PUT): ops/s, MiB/s and latency percentiles.\n"
        "\n"
        "  --endpoint URL        http://HOST:PORT (default http://127.0.0.1:9000)\n"
        "  --access-key KEY      default $AWS_ACCESS_KEY_ID, else $SHOAL_ROOT_USER\n"
        "  --secret-key SECRET   default $AWS_SECRET_ACCESS_KEY, else $SHOAL_ROOT_PASSWORD\n"
        "  --region NAME         signing region (default us-east-1)\n"
        "  --bucket NAME         default bench\n"
        "  --op OP               put, get, head, delete, list (ListObjectsV2 pages) or mixed\n"
        "  --size SIZE           object size: 4KiB, 1MiB, 16MiB, ... (default 4KiB)\n"
        "  --concurrency N       clients, one thread and one connection each (default 1)\n"
        "  --count N             operations in all (default: none, then --duration)\n"
        "  --duration SECONDS    run for this long (default 10 s if no --count); with both,\n"
        "                        whichever ends first\n"
        "  --keys PREFIX         keys are PREFIX/00000000, PREFIX/00000001, ... (default s3bench)\n"
        "  --objects N           distinct keys; operation n addresses key n mod N (default 100)\n"
        "  --prepare             first upload the N objects (not measured)\n"
        "  --create-bucket       create the bucket first (an existing one is fine)\n"
        "  --plain               no signature; PUT/GET/HEAD/DELETE /BUCKET/KEY as plain HTTP\n"
        "  --verify              check each GET body's CRC-32C (its length is always checked)\n"
        "  --payload-sha256      sign PUT bodies' SHA-256 instead of UNSIGNED-PAYLOAD\n"
        "  --presign             object requests use presigned URLs made once per key before the\n"
        "                        run (the server verifies each; the clients sign nothing)\n"
        "  --mix OP:W,...        shares of a mixed run (default get:70,put:20,head:10)\n"
        "  --max-keys N          listing page size (default 1000)\n"
        "  --label TEXT          copied into the JSON result\n"
        "  --timeout SECONDS     per socket operation (default 60)\n"
        "  --server-pid PID,...  also report the CPU time these local processes used in the run\n"
        "\n"
        "Prints one human line and one JSON line; exit status 1 when an operation failed.");
}

std::optional<Options> parse_options(int argc, char** argv) {
    Options o;
    o.access_key = env("AWS_ACCESS_KEY_ID");
    if (o.access_key.empty()) o.access_key = env("SHOAL_ROOT_USER");
    o.secret_key = env("AWS_SECRET_ACCESS_KEY");
    if (o.secret_key.empty()) o.secret_key = env("SHOAL_ROOT_PASSWORD");

    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") {
            print_usage();
            return std::nullopt;
        } else if (arg == "--endpoint") o.endpoint = value();
        else if (arg == "--access-key") o.access_key = value();
        else if (arg == "--secret-key") o.secret_key = value();
        else if (arg == "--region") o.region = value();
        else if (arg == "--bucket") o.bucket = value();
        else if (arg == "--op") {
            const std::string_view v = value();
            const auto op = parse_op(v);
            if (!op) throw std::invalid_argument("--op: expected put, get, head, delete, list or mixed, got \"" +
                                                 std::string(v) + "\"");
            o.op = *op;
        } else if (arg == "--size") {
            const std::string_view v = value();
            const auto size = parse_size(v);
            if (!size) throw std::invalid_argument("--size: expected e.g. 4096, 4KiB, 16MiB; got \"" + std::string(v) + "\"");
            o.size = *size;
        } else if (arg == "--concurrency") o.concurrency = parse_number<unsigned>(arg, value(), 1, 4096);
        else if (arg == "--count") o.count = parse_number<std::uint64_t>(arg, value(), 1, UINT64_MAX);
        else if (arg == "--duration") o.duration = parse_seconds(value());
        else if (arg == "--keys") o.keys = value();
        else if (arg == "--objects") o.objects = parse_number<std::uint64_t>(arg, value(), 1, 100000000);
        else if (arg == "--prepare") o.prepare = true;
        else if (arg == "--create-bucket") o.create_bucket = true;
        else if (arg == "--plain") o.plain = true;
        else if (arg == "--verify") o.verify = true;
        else if (arg == "--payload-sha256") o.payload_sha256 = true;
        else if (arg == "--presign") o.presign = true;
        else if (arg == "--mix") o.mix = parse_mix(value());
        else if (arg == "--max-keys") o.max_keys = parse_number<unsigned>(arg, value(), 1, 1000);
        else if (arg == "--label") o.label = value();
        else if (arg == "--server-pid") {
            std::string_view list = value();
            while (!list.empty()) {
                const std::size_t comma = list.find(',');
                o.server_pids.push_back(parse_number<pid_t>(arg, list.substr(0, comma), 1, 1 << 30));
                list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
            }
        } else if (arg == "--timeout") o.timeout_seconds = parse_number<unsigned>(arg, value(), 1, 3600);
        else throw std::invalid_argument("unknown option \"" + std::string(arg) + "\" (see --help)");
    }
    if (o.count == 0 && o.duration == 0) o.duration = 10;
    if (!o.plain && (o.access_key.empty() || o.secret_key.empty())) {
        throw std::invalid_argument("no credentials: give --access-key/--secret-key, or set AWS_ACCESS_KEY_ID/"
                                    "AWS_SECRET_ACCESS_KEY or SHOAL_ROOT_USER/SHOAL_ROOT_PASSWORD (or use --plain)");
    }
    if (o.plain && o.op == Op::list) throw std::invalid_argument("--op list needs S3 (not --plain)");
    if (o.presign && (o.plain || o.payload_sha256)) {
        throw std::invalid_argument("--presign goes with neither --plain nor --payload-sha256");
    }
    if (o.keys.empty() || o.keys.front() == '/') throw std::invalid_argument("--keys: a non-empty prefix not starting with /");
    return o;
}

}  // namespace shoal::bench
