#include "firmware/admin_command.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>

#include <pugixml.hpp>

#include "firmware/admin_client.hpp"
#include "firmware/config.hpp"
#include "firmware/credentials.hpp"
#include "firmware/key_command.hpp"

namespace shoal::firmware {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
struct Options {
    std::string verb;
    std::vector<std::string> operands;
    AdminEndpoint node;
    std::string data = "shoal-data";
    bool xml = false;
    bool create_buckets = false;  // key create --create-buckets
};

using Usage = AdminUsage;

void parse_endpoint(const std::string& url, Options& o) {
    constexpr std::string_view kScheme = "http://";
    if (url.rfind(kScheme, 0) != 0) throw Usage("--endpoint: expected http://HOST:PORT, got " + url);
    std::string rest = url.substr(kScheme.size());
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) throw Usage("--endpoint: expected http://HOST:PORT, got " + url);
    unsigned port = 0;
    const std::string digits = rest.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
        throw Usage("--endpoint: bad port in " + url);
    }
    std::string& host = o.node.host;
    host = rest.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    o.node.port = static_cast<std::uint16_t>(port);
}

Options parse(const std::vector<std::string>& args) {
    Options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= args.size()) throw Usage("option '" + arg + "' needs a value");
            return args[++i];
        };
        if (arg == "--endpoint") {
            parse_endpoint(value(), o);
        } else if (arg == "--region") {
            o.node.region = value();
        } else if (arg == "--data") {
            o.data = value();
        } else if (arg == "--xml") {
            o.xml = true;
        } else if (arg == "--create-buckets") {
            o.create_buckets = true;
        } else if (arg.rfind("--", 0) == 0) {
            throw Usage("unknown option '" + arg + "'");
        } else if (o.verb.empty()) {
            o.verb = arg;
        } else {
            o.operands.push_back(arg);
        }
    }
    if (o.verb == "drives" && o.operands.empty()) return o;
    if (o.verb == "errors" && o.operands.size() <= 1) return o;
    if (o.verb == "rebuild" && o.operands.size() == 1) return o;
    if (o.verb == "bucket-policy" && (o.operands.size() == 1 || o.operands.size() == 2)) return o;
    if (o.verb == "attach" && o.operands.size() == 1) return o;
    if (o.verb == "public-read" && (o.operands.size() == 1 ||
                                    (o.operands.size() == 2 && (o.operands[1] == "on" || o.operands[1] == "off")))) {
        return o;
    }
    if (o.verb == "key") {
        check_key_command(o.operands);
        return o;
    }
    throw Usage(o.verb.empty() ? "which admin command?" : "bad arguments for 'admin " + o.verb + "'");
}

auth::Credentials credentials(const Options& o, const std::map<std::string, std::string>& environment) {
    if (auto root = root_credentials_from_environment(environment)) return {root->access_key, root->secret_key};
    if (auto stored = read_stored_root_credentials(o.data)) return {stored->access_key, stored->secret_key};
    throw std::runtime_error("no root credentials: set SHOAL_ROOT_USER and SHOAL_ROOT_PASSWORD, or give --data with "
                             "the node's first drive (it holds " + std::string(kRootCredentialsFile) + ")");
}

std::string bytes_text(std::uint64_t n) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(n);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char out[32];
    std::snprintf(out, sizeof out, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return out;
}

std::uint64_t number(const pugi::xml_node& node, const char* name) {
    return std::strtoull(node.child_value(name), nullptr, 10);
}

void print_rebuild(const pugi::xml_node& r) {
    std::cout << "rebuild of drive " << r.child_value("Drive") << ": " << r.child_value("State") << ", "
              << r.child_value("PiecesDone") << " of " << r.child_value("PiecesTotal") << " pieces ("
              << r.child_value("Percent") << " %, " << bytes_text(number(r, "BytesDone")) << " of "
              << bytes_text(number(r, "BytesTotal")) << ")";
    if (r.child("EtaSeconds") && std::string(r.child_value("State")) != "done") {
        std::cout << ", about " << r.child_value("EtaSeconds") << " s left";
    }
    std::cout << "; rebuilt " << r.child_value("PiecesRebuilt") << ", unrecoverable " << r.child_value("Unrecoverable")
              << ", short of policy " << r.child_value("ShortOfPolicy") << "\n";
}

void print_drives(const std::string& body) {
    pugi::xml_document doc;
    if (!doc.load_string(body.c_str())) throw std::runtime_error("the node's answer is not XML");
    const pugi::xml_node drives = doc.child("Drives");
    std::cout << "default policy " << drives.child_value("DefaultPolicy") << "; repairs "
              << (std::string(drives.child_value("Repair")) == "false" ? "off" : "on") << "\n\n";
    std::printf("%-16s %5s %10s %10s %5s %-6s %s\n", "DRIVE", "SCORE", "FREE", "TOTAL", "LOAD", "STATE", "PATH (WHY)");
    for (const pugi::xml_node d : drives.children("Drive")) {
        std::printf("%-16s %5s %10s %10s %4s%% %-6s %s (%s)\n", d.child_value("Id"), d.child_value("WriteScore"),
                    bytes_text(number(d, "FreeBytes")).c_str(), bytes_text(number(d, "TotalBytes")).c_str(),
                    d.child_value("IoLoadPercent"),
                    std::string(d.child_value("Failed")) == "true" ? "failed" : "ok", d.child_value("Path"),
                    d.child_value("Why"));
    }
    std::fflush(stdout);
    if (const pugi::xml_node s = drives.child("Scrub")) {
        std::cout << "\nscrub: ";
        if (std::string(s.child_value("Enabled")) != "true") {
            std::cout << "off\n";
        } else {
            std::cout << s.child_value("Passes") << " passes done, "
                      << (std::string(s.child_value("Running")) == "true"
                              ? std::string("a pass under way at ") + s.child_value("Position")
                              : std::string("idle"))
                      << "; this pass: " << s.child_value("Versions") << " versions, "
                      << bytes_text(number(s, "BytesRead")) << " read, " << s.child_value("PiecesRebuilt")
                      << " pieces rebuilt, " << s.child_value("Unrecoverable") << " unrecoverable\n";
        }
    }
    if (const pugi::xml_node m = drives.child("Metadata")) {
        std::cout << "metadata: " << bytes_text(number(m, "UsedBytes")) << " used, file "
                  << bytes_text(number(m, "FileBytes")) << ", admission limit "
                  << bytes_text(number(m, "AdmissionLimitBytes")) << " of a " << bytes_text(number(m, "MapBytes"))
                  << " map\n";
    }
    for (const pugi::xml_node r : drives.children("Rebuild")) print_rebuild(r);
}

}  // namespace

std::string admin_usage_text() {
    return "  shoald admin drives [--xml]        drive scores, scrub and rebuilds of a running node\n"
           "  shoald admin errors [REQUEST_ID] [--xml]\n"
           "                                    the node's recent internal errors (5xx) with their detail\n"
           "  shoald admin rebuild DRIVE_ID      declare a detached drive lost and rebuild its chunks\n"
           "  shoald admin attach DIR            attach DIR (absolute; on the node) as a new drive, at once\n"
           "  shoald admin bucket-policy BUCKET [POLICY|default]\n"
           "                                    show or set the storage policy of a bucket's new objects\n"
           + key_usage_text() +
           "      admin options: --endpoint URL (http://127.0.0.1:9000), --region NAME, --data DIR\n"
           "      (credentials: SHOAL_ROOT_USER/SHOAL_ROOT_PASSWORD, else DIR/.shoal-root-credentials)\n";
}

int run_admin(const std::vector<std::string>& args, const std::map<std::string, std::string>& environment) {
    Options options;
    try {
        options = parse(args);
    } catch (const Usage& e) {
        std::cerr << "shoald admin: " << e.what() << "\nRun 'shoald --help' for usage.\n";
        return kExitUsage;
    }
    try {
        options.node.credentials = credentials(options, environment);
        const AdminEndpoint& node = options.node;
        if (options.verb == "key") {
            run_key_command(node, options.operands, options.create_buckets, options.xml);
            return 0;
        }
        if (options.verb == "public-read") {
            const std::string target = "/_shoal/buckets/" + options.operands[0];
            const bool set = options.operands.size() == 2;
            const http::ClientResponse r =
                admin_call(node, set ? "PUT" : "GET",
                           target + (set ? std::string("?public-read=") + (options.operands[1] == "on" ? "true" : "false")
                                         : std::string()));
            const pugi::xml_document doc = answer_xml(r);  // owns the nodes: keep it alive
            const pugi::xml_node bucket = doc.child("Bucket");
            std::cout << bucket.child_value("Name") << ": public-read "
                      << (std::string(bucket.child_value("PublicRead")) == "true" ? "on" : "off") << "\n";
            return 0;
        }
        if (options.verb == "drives") {
            const http::ClientResponse r = admin_call(node, "GET", "/_shoal/drives");
            if (options.xml) {
                std::cout << r.body << "\n";
            } else {
                print_drives(r.body);
            }
            return 0;
        }
        if (options.verb == "errors") {
            const std::string query =
                options.operands.empty() ? std::string() : percent_encode_query("?request-id=" + options.operands[0]);
            const http::ClientResponse r = admin_call(node, "GET", "/_shoal/errors" + query);
            if (options.xml) {
                std::cout << r.body << "\n";
                return 0;
            }
            const pugi::xml_document doc = answer_xml(r);
            for (const pugi::xml_node e : doc.child("InternalErrors").children("Error")) {
                std::cout << e.child_value("Time") << " " << e.child_value("RequestId") << " " << e.child_value("Status")
                          << " " << e.child_value("Code") << " " << e.child_value("Method") << " "
                          << e.child_value("Path") << ": " << e.child_value("Detail") << "\n";
            }
            return 0;
        }
        if (options.verb == "attach") {
            const http::ClientResponse r =
                admin_call(node, "POST", "/_shoal/drives" + percent_encode_query("?attach=" + options.operands[0]));
            pugi::xml_document doc;
            if (!doc.load_string(r.body.c_str())) throw std::runtime_error("the node's answer is not XML");
            std::cout << "attached " << doc.child("Drive").child_value("Path") << " as drive "
                      << doc.child("Drive").child_value("Id") << "\n";
            return 0;
        }
        if (options.verb == "bucket-policy") {
            const std::string target = "/_shoal/buckets/" + options.operands[0];
            std::string query;
            if (options.operands.size() == 2) {
                const std::string& policy = options.operands[1];
                query = "?policy=" + (policy == "default" ? std::string() : policy);
            }
            const http::ClientResponse r =
                admin_call(node, query.empty() ? "GET" : "PUT", target + percent_encode_query(query));
            pugi::xml_document doc;
            if (!doc.load_string(r.body.c_str())) throw std::runtime_error("the node's answer is not XML");
            const pugi::xml_node bucket = doc.child("Bucket");
            const std::string own = bucket.child_value("Policy");
            std::cout << bucket.child_value("Name") << ": " << bucket.child_value("EffectivePolicy")
                      << (own.empty() ? " (the node's default)" : "") << "\n";
            return 0;
        }
        const http::ClientResponse r =
            admin_call(node, "POST", "/_shoal/drives/" + options.operands[0] + "?rebuild=");
        pugi::xml_document doc;
        if (doc.load_string(r.body.c_str())) print_rebuild(doc.child("Rebuilds").child("Rebuild"));
        return 0;
    } catch (const ConfigError& e) {
        std::cerr << "shoald admin: " << e.what() << "\n";
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "shoald admin: " << e.what() << "\n";
        return kExitFailed;
    }
}

}  // namespace shoal::firmware
