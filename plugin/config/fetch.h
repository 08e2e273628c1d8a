// Fetching a configuration document from a file path or a URL. Off the
// hot path: only the exclusions watcher calls it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace c2s::config {

struct FetchOptions {
  uint32_t timeout_ms = 10000;
  std::string ca_file;          // extra CA bundle ("" = system default)
  bool insecure = false;        // skip TLS verification (logged loudly)
  size_t max_bytes = 16u << 20; // refuse larger documents
};

struct FetchResult {
  enum class Kind { kOk, kNotModified, kError } kind = Kind::kError;
  std::string body;
  std::string etag;           // as the server sent it, for If-None-Match
  std::string last_modified;  // for If-Modified-Since
  std::string error;
};

// True for http:// and https:// sources.
bool IsHttpUrl(const std::string& source);
// "file:///etc/x.json" -> "/etc/x.json"; "" for anything else.
std::string FileUrlPath(const std::string& source);

// A conditional GET over http or https: `etag` / `last_modified` from the
// previous answer ("" for none). A 304 answer is kNotModified. When
// `cancel` becomes true the transfer is abandoned within about 50 ms (so a
// slow server never holds up a host that stops watching).
FetchResult FetchUrl(const std::string& url, const std::string& etag,
                     const std::string& last_modified, const FetchOptions& options,
                     const std::atomic<bool>* cancel = nullptr);

// 64-bit FNV-1a of the bytes, as 16 hex digits: identifies a version in
// logs and counters (not a security hash).
std::string ContentHash(const std::string& bytes);

}  // namespace c2s::config
