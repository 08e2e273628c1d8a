#include "enrich/splice.h"

#include <algorithm>
#include <deque>

#include "util/json_text.h"

namespace c2s::enrich {

namespace {

using json_text::Member;

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

class Splicer {
 public:
  Splicer(std::string_view doc, const std::vector<const Leaf*>& leaves,
          std::string* out)
      : doc_(doc), list_(leaves), done_(leaves.size(), false), out_(out) {
    for (const Leaf* l : list_) {
      std::string_view head = std::string_view(l->path).substr(0, l->path.find('.'));
      if (std::find(heads_.begin(), heads_.end(), head) == heads_.end())
        heads_.push_back(head);
    }
  }

  bool Run() {
    size_t begin = json_text::SkipSpace(doc_, 0);
    if (begin >= doc_.size() || doc_[begin] != '{') return false;
    Object(begin, "", true);
    return true;
  }

 private:
  // Whether a top-level key can concern a leaf: most keys (agent, host,
  // process ...) do not, and are copied without looking further.
  bool TopLevelCandidate(std::string_view key) const {
    std::string_view head = key.substr(0, key.find('.'));
    for (std::string_view h : heads_)
      if (h == head) return true;
    return false;
  }

  int LeafAt(std::string_view path) const {
    for (size_t i = 0; i < list_.size(); ++i)
      if (list_[i]->path == path) return static_cast<int>(i);
    return -1;
  }
  bool AnyLeafUnder(std::string_view prefix) const {
    for (const Leaf* l : list_)
      if (StartsWith(l->path, prefix)) return true;
    return false;
  }

  void Key(std::string_view raw_key, bool* first) {
    if (!*first) *out_ += ',';
    *first = false;
    *out_ += '"';
    out_->append(raw_key);
    *out_ += "\":";
  }

  void Displace(std::string_view path, std::string_view raw) {
    // Our own leaves are rewritten on re-enrichment, not displaced; a
    // "c2sieve" that is no object is the event's, and kept.
    if (StartsWith(path, "c2sieve.")) return;
    displaced_.push_back({std::string(path), raw});
  }

  // Existing tags plus ours, without repeating one already there.
  void MergeTags(const Leaf& leaf, std::string_view raw) {
    std::vector<std::string_view> existing;
    if (!raw.empty() && raw[0] == '[') {
      json_text::ForEachElement(doc_, static_cast<size_t>(raw.data() - doc_.data()),
                                [&](size_t b, size_t e) {
                                  existing.push_back(doc_.substr(b, e - b));
                                  return true;
                                });
    } else if (!raw.empty() && raw[0] == '"') {
      existing.push_back(raw);
    } else if (!raw.empty() && raw != "null") {
      Displace(leaf.path, raw);
    }
    *out_ += '[';
    bool first = true;
    for (std::string_view e : existing) {
      if (!first) *out_ += ',';
      first = false;
      out_->append(e);
    }
    for (const std::string& v : leaf.values) {
      if (std::find(existing.begin(), existing.end(), v) != existing.end())
        continue;
      if (!first) *out_ += ',';
      first = false;
      *out_ += v;
    }
    *out_ += ']';
  }

  void Object(size_t begin, const std::string& prefix, bool top) {
    *out_ += '{';
    bool first = true;
    std::vector<std::string_view> keys;  // written at this level
    std::string full;
    json_text::ForEachMember(doc_, begin, [&](const Member& m) {
      std::string_view raw = doc_.substr(m.value_begin,
                                         m.value_end - m.value_begin);
      // Keys are compared decoded ("t\u0061gs" is "tags"), written as the
      // event wrote them.
      std::string_view key = m.raw_key;
      if (key.find('\\') != std::string_view::npos) {
        decoded_keys_.push_back(json_text::Unescape(key));
        key = decoded_keys_.back();
      }
      if (top && !TopLevelCandidate(key)) {
        Key(m.raw_key, &first);
        keys.push_back(key);
        out_->append(raw);
        return true;
      }
      full.assign(prefix).append(key);
      int leaf = LeafAt(full);
      if (leaf >= 0) {
        const Leaf& l = *list_[leaf];
        Key(m.raw_key, &first);
        keys.push_back(key);
        if (l.merge == Merge::kAppendTags) {
          MergeTags(l, raw);
        } else {
          std::string value;
          RenderLeafValue(l, &value);
          if (raw != value && raw != "null") Displace(full, raw);
          *out_ += value;
        }
        done_[leaf] = true;
        return true;
      }
      full += '.';
      if (AnyLeafUnder(full)) {
        if (raw[0] == '{') {
          Key(m.raw_key, &first);
          keys.push_back(key);
          Object(m.value_begin, full, false);
          return true;
        }
        // A scalar or array where ECS has an object: move it aside.
        full.pop_back();
        if (raw != "null") Displace(full, raw);
        return true;
      }
      Key(m.raw_key, &first);
      keys.push_back(key);
      out_->append(raw);
      return true;
    });
    if (top && !displaced_.empty()) {
      std::string obj = "{";
      for (size_t i = 0; i < displaced_.size(); ++i) {
        if (i) obj += ',';
        json_text::AppendQuoted(obj, displaced_[i].first);
        obj += ':';
        obj.append(displaced_[i].second);
      }
      obj += '}';
      displaced_leaf_ = Leaf{"c2sieve.displaced", Merge::kScalar, {obj}};
      list_.push_back(&displaced_leaf_);
      done_.push_back(false);
    }
    Pending(prefix, keys, &first);
    *out_ += '}';
  }

  // Writes leaves under `prefix` that the original had no place for. A head
  // the object already has (e.g. a "c2sieve" written above) is continued as
  // flattened keys so no key is written twice.
  void Pending(const std::string& prefix,
               const std::vector<std::string_view>& keys, bool* first) {
    for (size_t i = 0; i < list_.size(); ++i) {
      if (done_[i] || !StartsWith(list_[i]->path, prefix)) continue;
      std::string_view rest =
          std::string_view(list_[i]->path).substr(prefix.size());
      size_t dot = rest.find('.');
      std::string_view head = rest.substr(0, dot);
      bool taken = std::find(keys.begin(), keys.end(), head) != keys.end();
      if (dot == std::string_view::npos || taken) {
        Key(rest, first);
        RenderLeafValue(*list_[i], out_);
        done_[i] = true;
        continue;
      }
      std::string child = prefix;
      child.append(head).append(".");
      Key(head, first);
      *out_ += '{';
      bool child_first = true;
      Pending(child, {}, &child_first);
      *out_ += '}';
    }
  }

  std::string_view doc_;
  std::vector<const Leaf*> list_;
  std::vector<std::string_view> heads_;  // first components of leaf paths
  std::vector<bool> done_;
  std::string* out_;
  std::vector<std::pair<std::string, std::string_view>> displaced_;
  std::deque<std::string> decoded_keys_;  // stable storage for decoded keys
  Leaf displaced_leaf_;
};

}  // namespace

bool SpliceInto(std::string_view event, const std::vector<const Leaf*>& leaves,
                std::string* out) {
  return Splicer(event, leaves, out).Run();
}

}  // namespace c2s::enrich
