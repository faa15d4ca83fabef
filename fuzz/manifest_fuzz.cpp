// libFuzzer target: any manifest.json (a downloaded bundle's, so untrusted) is read without crashing;
// every entry it accepts has a safe path, and every link it accepts stays inside the bundle.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/bundle/links.hpp"
#include "greenlight/bundle/manifest.hpp"
#include "greenlight/util/fs.hpp"

using namespace greenlight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const bundle::ManifestReading reading = bundle::read_manifest_json(input);
    if (!reading.usable && (!reading.manifest.files.empty() || !reading.manifest.links.empty())) std::abort();
    bundle::LinkTable links;
    for (const bundle::ManifestLink& link : reading.manifest.links) links.emplace(link.path, link.target);
    for (const bundle::ManifestEntry& entry : reading.manifest.files) {
        if (!util::is_safe_relative_path(entry.path) || !bundle::is_sha256_hex(entry.sha256)) std::abort();
    }
    for (const bundle::ManifestLink& link : reading.manifest.links) {
        if (!util::is_safe_relative_path(link.path)) std::abort();
        if (!bundle::check_link_stays_inside(links, link.path)) std::abort();
    }
    (void)bundle::manifest_to_json(reading.manifest);
    return 0;
}
