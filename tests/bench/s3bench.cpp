// s3bench: S3 load generator and measurer (PUT, GET, HEAD, DELETE, ListObjectsV2
// or a mix) at a chosen object size and concurrency, against any endpoint:
// SigV4-signed S3, or plain HTTP (--plain) for a file server such as nginx
// with WebDAV PUT, so both can be measured the same way. Not a test (ctest
// does not run it); tests/bench/run-vs-nginx.sh drives it. Run with --help.
//
// One thread and one kept-alive connection per client; request bodies are
// streamed from one shared 1 MiB pattern and response bodies read through a
// fixed buffer, so memory stays bounded whatever the object size. Prints a
// human line and a JSON line; exits 1 if any operation failed.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <latch>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/s3bench/endpoint.hpp"
#include "tests/bench/s3bench/latency_histogram.hpp"
#include "tests/bench/s3bench/options.hpp"
#include "tests/bench/s3bench/payload.hpp"
#include "tests/bench/s3bench/process_cpu.hpp"
#include "tests/bench/s3bench/s3_client.hpp"

namespace shoal::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kErrorSamples = 5;

struct Phase {
    Op op;
    std::uint64_t count;  // 0: no limit
    double duration;      // seconds; 0: no limit
};

struct Totals {
    LatencyHistogram latency;
    std::uint64_t ops = 0;
    std::uint64_t errors = 0;
    std::uint64_t bytes = 0;
    std::uint64_t keys = 0;
    std::uint64_t connects = 0;
    std::vector<std::string> error_samples;
    double seconds = 0;
    double cpu_seconds = 0;         // this process (all clients), user + system
    double server_cpu_seconds = -1; // the --server-pid processes; -1: not known

    void add(const Totals& other) {
        latency.merge(other.latency);
        ops += other.ops;
        errors += other.errors;
        bytes += other.bytes;
        keys += other.keys;
        connects += other.connects;
        for (const std::string& e : other.error_samples) {
            if (error_samples.size() < kErrorSamples) error_samples.push_back(e);
        }
    }
};

Op pick(const std::vector<MixEntry>& mix, std::mt19937_64& rng) {
    unsigned total = 0;
    for (const MixEntry& e : mix) total += e.weight;
    std::uint64_t r = rng() % total;
    for (const MixEntry& e : mix) {
        if (r < e.weight) return e.op;
        r -= e.weight;
    }
    return mix.back().op;
}

OpResult run_one(S3Client& client, Op op, std::uint64_t index) {
    switch (op) {
        case Op::put: return client.put(index);
        case Op::get: return client.get(index);
        case Op::head: return client.head(index);
        case Op::del: return client.remove(index);
        case Op::list: return client.list_page();
        case Op::mixed: break;
    }
    throw std::logic_error("run_one: mixed");
}

// Runs `phase` with options.concurrency clients and returns what they measured.
Totals run_phase(const RunContext& context, const Phase& phase) {
    const unsigned clients = context.options.concurrency;
    std::vector<Totals> per_client(clients);
    std::atomic<std::uint64_t> next{0};
    std::latch ready(clients + 1);
    Clock::time_point start;
    Clock::time_point deadline = Clock::time_point::max();

    const auto client_loop = [&](unsigned id) {
        Totals& mine = per_client[id];
        S3Client client(context);
        std::mt19937_64 rng(0x5eed0000u + id);
        ready.arrive_and_wait();
        while (Clock::now() < deadline) {
            const std::uint64_t n = next.fetch_add(1, std::memory_order_relaxed);
            if (phase.count != 0 && n >= phase.count) break;
            Op op = phase.op;
            std::uint64_t index = n % context.options.objects;
            if (op == Op::mixed) {
                op = pick(context.options.mix, rng);
                index = rng() % context.options.objects;
            }
            const Clock::time_point t0 = Clock::now();
            const OpResult r = run_one(client, op, index);
            const Clock::time_point t1 = Clock::now();
            if (r.ok) {
                ++mine.ops;
                mine.bytes += r.bytes;
                mine.keys += r.keys;
                mine.latency.record(t1 - t0);
            } else {
                ++mine.errors;
                if (mine.error_samples.size() < kErrorSamples) mine.error_samples.push_back(r.error);
            }
        }
        mine.connects = client.connects();
    };

    std::vector<std::jthread> threads;
    threads.reserve(clients);
    for (unsigned i = 0; i < clients; ++i) threads.emplace_back(client_loop, i);
    const double cpu_start = own_cpu_seconds();
    const std::optional<double> server_start = cpu_seconds_of(context.options.server_pids);
    start = Clock::now();
    if (phase.duration > 0) {
        deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(phase.duration));
    }
    ready.arrive_and_wait();  // publishes start and deadline to the clients
    for (std::jthread& t : threads) t.join();

    Totals totals;
    totals.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    totals.cpu_seconds = own_cpu_seconds() - cpu_start;
    const std::optional<double> server_end = cpu_seconds_of(context.options.server_pids);
    if (!context.options.server_pids.empty() && server_start && server_end) {
        totals.server_cpu_seconds = *server_end - *server_start;
    }
    for (const Totals& t : per_client) totals.add(t);
    return totals;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

void report(const Options& o, const Totals& t) {
    const double ops_per_s = t.seconds > 0 ? static_cast<double>(t.ops) / t.seconds : 0;
    const double bytes_per_s = t.seconds > 0 ? static_cast<double>(t.bytes) / t.seconds : 0;
    const double mib_per_s = bytes_per_s / (1024.0 * 1024.0);
    const double p50 = ms(t.latency.quantile(0.50));
    const double p99 = ms(t.latency.quantile(0.99));
    const double max = ms(t.latency.max());
    const double mean = ms(t.latency.mean());
    const std::string size = format_size(o.size);
    const std::string target = o.plain ? "plain" : "s3";

    std::printf("s3bench %s %s size=%s concurrency=%u: %llu ops in %.2f s, %.1f ops/s, %.1f MiB/s",
                target.c_str(), std::string(op_name(o.op)).c_str(), size.c_str(), o.concurrency,
                static_cast<unsigned long long>(t.ops), t.seconds, ops_per_s, mib_per_s);
    if (o.op == Op::list) {
        std::printf(", %.0f keys/s", t.seconds > 0 ? static_cast<double>(t.keys) / t.seconds : 0);
    }
    std::printf(", latency p50 %.2f ms p99 %.2f ms max %.2f ms, %llu errors, client CPU %.0f%%", p50, p99, max,
                static_cast<unsigned long long>(t.errors), t.seconds > 0 ? 100 * t.cpu_seconds / t.seconds : 0);
    if (t.server_cpu_seconds >= 0) {
        std::printf(", server CPU %.0f%% (%.1f us/op)", t.seconds > 0 ? 100 * t.server_cpu_seconds / t.seconds : 0,
                    t.ops > 0 ? 1e6 * t.server_cpu_seconds / static_cast<double>(t.ops) : 0);
    }
    std::printf("\n");
    std::printf(
        "{\"tool\":\"s3bench\",\"label\":%s,\"target\":\"%s\",\"endpoint\":%s,\"op\":\"%s\",\"size\":%llu,"
        "\"concurrency\":%u,\"ops\":%llu,\"errors\":%llu,\"seconds\":%.3f,\"ops_per_s\":%.2f,"
        "\"bytes_per_s\":%.0f,\"mib_per_s\":%.2f,\"keys\":%llu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
        "\"max_ms\":%.3f,\"mean_ms\":%.3f,\"connects\":%llu,\"client_cpu_s\":%.3f,\"server_cpu_s\":%.3f}\n",
        json_string(o.label).c_str(), target.c_str(), json_string(o.endpoint).c_str(),
        std::string(op_name(o.op)).c_str(), static_cast<unsigned long long>(o.size), o.concurrency,
        static_cast<unsigned long long>(t.ops), static_cast<unsigned long long>(t.errors), t.seconds, ops_per_s,
        bytes_per_s, mib_per_s, static_cast<unsigned long long>(t.keys), p50, p99, max, mean,
        static_cast<unsigned long long>(t.connects), t.cpu_seconds, t.server_cpu_seconds);
    std::fflush(stdout);
    for (const std::string& e : t.error_samples) std::fprintf(stderr, "s3bench: error: %s\n", e.c_str());
}

int run(const Options& options) {
    const Endpoint endpoint = resolve_endpoint(options.endpoint);
    const Payload payload;
    RunContext context{options, endpoint, payload, 0, {}, {}};
    if (options.verify) context.body_crc32c = payload.crc32c(options.size);
    if (options.payload_sha256) context.body_sha256 = payload.sha256_hex(options.size);

    if (options.create_bucket && !options.plain) {
        S3Client client(context);
        const OpResult r = client.create_bucket();
        if (!r.ok) {
            std::fprintf(stderr, "s3bench: cannot create bucket: %s\n", r.error.c_str());
            return 1;
        }
    }
    if (options.prepare) {
        const Totals t = run_phase(context, Phase{Op::put, options.objects, 0});
        std::fprintf(stderr, "s3bench: prepared %llu objects of %s in %.2f s (%llu errors)\n",
                     static_cast<unsigned long long>(t.ops), format_size(options.size).c_str(), t.seconds,
                     static_cast<unsigned long long>(t.errors));
        for (const std::string& e : t.error_samples) std::fprintf(stderr, "s3bench: error: %s\n", e.c_str());
        if (t.errors != 0) return 1;
    }
    if (options.presign) {
        std::vector<Op> ops{options.op};
        if (options.op == Op::mixed) {
            ops.clear();
            for (const MixEntry& e : options.mix) ops.push_back(e.op);
        }
        for (const Op op : ops) {
            auto& table = context.presigned[static_cast<std::size_t>(op)];
            if (op != Op::list && table.empty()) table = presign_all(options, endpoint, op);
        }
    }
    const Totals totals = run_phase(context, Phase{options.op, options.count, options.duration});
    report(options, totals);
    return totals.errors == 0 && totals.ops > 0 ? 0 : 1;
}

}  // namespace
}  // namespace shoal::bench

int main(int argc, char** argv) {
    try {
        const std::optional<shoal::bench::Options> options = shoal::bench::parse_options(argc, argv);
        if (!options) return 0;
        return shoal::bench::run(*options);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "s3bench: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "s3bench: %s\n", e.what());
        return 1;
    }
}
