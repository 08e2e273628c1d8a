// The string payloads of msgpack bytes, for checks that must see a host's
// text but not the encoding's own header bytes (which are >= 0x80 for most
// items). Reads item headers only; nothing is decoded or allocated.
#pragma once

#include <functional>
#include <string_view>

namespace c2s::event {

// Calls f(payload) for every str, bin and ext payload of the msgpack items
// in `bytes` (any number of whole items, in order) until f returns true.
// Returns true when f did, or when the bytes are not whole msgpack items
// (so a caller that treats "true" as "cannot rule out" stays safe); false
// when every payload was seen and f returned false for each.
bool AnyMsgpackString(std::string_view bytes, const std::function<bool(std::string_view)>& f);

}  // namespace c2s::event
