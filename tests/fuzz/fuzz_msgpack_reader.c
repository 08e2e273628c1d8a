/* Differential: the native Fluent Bit plugin's msgpack skip (sizes read
 * from a table of header bytes, nothing decoded) against a skip through the
 * item reader, and its one-item skip against the general one, on any
 * bytes: the same answer, and on success the same end.
 * Both must stay inside the bytes (AddressSanitizer). The first byte picks
 * how many items to skip. */
#include <stdint.h>
#include <stdlib.h>

#include "msgpack_reader.h"

/* The plain skip: each item read whole, containers' counts added. */
static int skip_by_reading(struct mp *m, uint64_t count)
{
    struct mp_item it;
    while (count > 0) {
        count--;
        if (!mp_next(m, &it)) return 0;
        if (it.kind == MP_ARRAY) {
            count += it.u;
        }
        else if (it.kind == MP_MAP) {
            if (it.u > (UINT64_MAX - count) / 2) return 0;
            count += 2 * it.u;
        }
        if (count > (uint64_t) (m->end - m->p)) return 0;  /* each item takes a byte */
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mp fast, plain;
    uint64_t count;
    int a, b;
    if (size < 1) return 0;
    count = 1 + data[0] % 8;
    fast.p = plain.p = data + 1;
    fast.end = plain.end = data + size;
    a = mp_skip(&fast, count);
    b = skip_by_reading(&plain, count);
    if (a != b) abort();
    if (a && fast.p != plain.p) abort();
    /* One item: the in-place skip against the general one. */
    fast.p = plain.p = data + 1;
    a = mp_skip_one(&fast);
    b = mp_skip(&plain, 1);
    if (a != b) abort();
    if (a && fast.p != plain.p) abort();
    return 0;
}
