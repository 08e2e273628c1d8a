#include "config/fetch.h"

#include <curl/curl.h>

#include <cstdio>
#include <mutex>

#include "util/strings.h"

namespace c2s::config {

namespace {

struct Transfer {
  std::string* body;
  size_t max_bytes;
  bool too_big = false;
  std::string etag, last_modified;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t bytes = size * n;
  if (t->body->size() + bytes > t->max_bytes) {
    t->too_big = true;
    return 0;  // aborts the transfer
  }
  t->body->append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value(TrimSpace(std::string_view(line).substr(colon + 1)));
    if (name == "etag") t->etag = value;
    if (name == "last-modified") t->last_modified = value;
  }
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string FileUrlPath(const std::string& s) {
  for (const char* prefix : {"file://localhost/", "file:///"})
    // Both prefixes end in the path's leading '/': keep it.
    if (s.rfind(prefix, 0) == 0) return s.substr(std::char_traits<char>::length(prefix) - 1);
  return "";
}

bool IsHttpUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

FetchResult FetchUrl(const std::string& url, const std::string& etag,
                     const std::string& last_modified, const FetchOptions& options,
                     const std::atomic<bool>* cancel) {
  GlobalInit();
  FetchResult r;
  CURL* curl = curl_easy_init();
  if (!curl) {
    r.error = "cannot initialize libcurl";
    return r;
  }
  Transfer t{&r.body, options.max_bytes, false, {}, {}};
  char error[CURL_ERROR_SIZE] = {0};
  struct curl_slist* headers = nullptr;
  if (!etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + etag).c_str());
  if (!last_modified.empty())
    headers = curl_slist_append(headers, ("If-Modified-Since: " + last_modified).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // safe in a threaded host
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85 deprecates the bitmask options
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else  // Debian 11's 7.74, used by the portable build
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
                   static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS,
                   static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "c2sieve");
  // The multi interface, polled in short slices, so a stop request is seen
  // while a slow server holds the transfer.
  CURLcode rc = CURLE_OK;
  bool cancelled = false;
  CURLM* multi = curl_multi_init();
  if (multi == nullptr || curl_multi_add_handle(multi, curl) != CURLM_OK) {
    rc = CURLE_OUT_OF_MEMORY;
  } else {
    int running = 1;
    while (running) {
      if (curl_multi_perform(multi, &running) != CURLM_OK) {
        rc = CURLE_RECV_ERROR;
        break;
      }
      if (!running) break;
      if (cancel && cancel->load(std::memory_order_relaxed)) {
        cancelled = true;
        break;
      }
      curl_multi_poll(multi, nullptr, 0, 50, nullptr);
    }
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left))
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == curl) rc = msg->data.result;
    curl_multi_remove_handle(multi, curl);
  }
  if (multi) curl_multi_cleanup(multi);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (cancelled) {
    r.error = Cat(url, ": fetch abandoned (watch stopped)");
    r.body.clear();
    return r;
  }
  r.etag = t.etag;
  r.last_modified = t.last_modified;
  if (t.too_big) {
    r.error = Cat(url, ": document larger than ", options.max_bytes, " bytes");
    r.body.clear();
    return r;
  }
  if (rc != CURLE_OK) {
    r.error = Cat(url, ": ", error[0] ? error : curl_easy_strerror(rc));
    r.body.clear();
    return r;
  }
  if (status == 304) {
    r.kind = FetchResult::Kind::kNotModified;
  } else if (status >= 200 && status < 300) {
    r.kind = FetchResult::Kind::kOk;
  } else {
    r.error = Cat(url, ": HTTP status ", static_cast<int>(status));
    r.body.clear();
  }
  return r;
}

std::string ContentHash(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace c2s::config
