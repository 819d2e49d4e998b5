#include "firmware/key_command.hpp"

#include <cstdio>
#include <iostream>

namespace shoal::firmware {
namespace {

void print_key(const pugi::xml_node& key) {
    std::cout << key.child_value("AccessKeyId") << "  " << key.child_value("Name") << "  "
              << (std::string(key.child_value("Enabled")) == "true" ? "enabled" : "disabled")
              << (std::string(key.child_value("CreateBuckets")) == "true" ? ", may create buckets" : "")
              << (std::string(key.child_value("SecretReadable")) == "false" ? ", SECRET UNREADABLE" : "")
              << "  created " << key.child_value("Created") << "\n";
    for (const pugi::xml_node g : key.child("Grants").children("Grant")) {
        std::cout << "    " << g.child_value("Bucket") << ": " << g.child_value("Permissions") << "\n";
    }
}

}  // namespace

void check_key_command(const std::vector<std::string>& operands) {
    const std::string verb = operands.empty() ? std::string() : operands[0];
    const std::size_t n = operands.size();
    if ((verb == "create" && n == 2) || (verb == "list" && n == 1) ||
        ((verb == "info" || verb == "enable" || verb == "disable" || verb == "delete") && n == 2) ||
        (verb == "create-buckets" && n == 3 && (operands[2] == "on" || operands[2] == "off")) ||
        (verb == "allow" && n == 4) || (verb == "deny" && n == 3)) {
        return;
    }
    throw AdminUsage(verb.empty() ? "which key command?" : "bad arguments for 'key " + verb + "'");
}

void run_key_command(const AdminEndpoint& node, const std::vector<std::string>& operands, bool create_buckets,
                     bool xml) {
    const std::string& verb = operands[0];
    http::ClientResponse answer;
    if (verb == "list") {
        answer = admin_call(node, "GET", "/_shoal/keys");
    } else if (verb == "create") {
        answer = admin_call(node, "POST",
                            "/_shoal/keys" + percent_encode_query("?name=" + operands[1] +
                                                                  (create_buckets ? "&create-buckets=true" : "")));
    } else if (verb == "delete") {
        admin_call(node, "DELETE", "/_shoal/keys/" + operands[1]);
        std::cout << "deleted " << operands[1] << "\n";
        return;
    } else if (verb == "info") {
        answer = admin_call(node, "GET", "/_shoal/keys/" + operands[1]);
    } else if (verb == "enable" || verb == "disable") {
        answer = admin_call(node, "POST",
                            "/_shoal/keys/" + operands[1] + "?enabled=" + (verb == "enable" ? "true" : "false"));
    } else if (verb == "create-buckets") {
        answer = admin_call(node, "POST",
                            "/_shoal/keys/" + operands[1] + "?create-buckets=" + (operands[2] == "on" ? "true" : "false"));
    } else {  // allow, deny
        const std::string permissions = verb == "allow" ? operands[3] : std::string();
        answer = admin_call(node, "PUT",
                            "/_shoal/keys/" + operands[1] +
                                percent_encode_query("?bucket=" + operands[2] + "&permissions=" + permissions));
    }
    if (xml) {
        std::cout << answer.body << "\n";
        return;
    }
    const pugi::xml_document doc = answer_xml(answer);
    if (verb == "list") {
        for (const pugi::xml_node key : doc.child("AccessKeys").children("Key")) print_key(key);
        return;
    }
    const pugi::xml_node root = doc.child("AccessKey");
    print_key(root.child("Key"));
    if (root.child("SecretAccessKey")) {
        // The only time the secret is shown: the node keeps it sealed.
        std::cout << "secret key: " << root.child_value("SecretAccessKey")
                  << "\n(shown only now: store it safely; it cannot be read back)\n";
    }
}

std::string key_usage_text() {
    return "  shoald admin key create NAME [--create-buckets]   a new access key (its secret is printed once)\n"
           "  shoald admin key list | info KEY                  keys and their grants per bucket\n"
           "  shoald admin key enable|disable|delete KEY\n"
           "  shoald admin key create-buckets KEY on|off        whether KEY may create buckets (it owns them)\n"
           "  shoald admin key allow KEY BUCKET read,write,owner|all\n"
           "  shoald admin key deny KEY BUCKET                  removes KEY's grant on BUCKET\n"
           "  shoald admin public-read BUCKET [on|off]          anonymous GET/HEAD of BUCKET's objects\n";
}

}  // namespace shoal::firmware
