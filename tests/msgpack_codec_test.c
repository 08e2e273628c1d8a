/* The native plugin's msgpack writer (integration/fluent-bit/native/
 * msgpack_writer.h): each encoding at the edges of its sizes, as the
 * msgpack specification and msgpack-c write them, and random values read
 * back by the plugin's reader (msgpack_reader.h) as they were written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_reader.h"
#include "msgpack_writer.h"

static int failures = 0;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (!(cond)) {                                     \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                  \
            fprintf(stderr, "\n");                         \
            failures++;                                    \
        }                                                  \
    } while (0)

/* The bytes written equal `expect` (n bytes). */
static void expect_bytes(const char *what, const struct mpw *w, const char *expect, size_t n)
{
    CHECK(!w->failed, "%s: failed", what);
    CHECK(w->size == n && memcmp(w->data, expect, n) == 0, "%s: %zu bytes, %02x...", what,
          w->size, w->size ? w->data[0] : 0);
}

static void edges(void)
{
    struct mpw w;
    static char big[70000];
    mpw_init(&w);
#define UINT(v, bytes)                                     \
    w.size = 0;                                            \
    mpw_uint(&w, (v));                                     \
    expect_bytes("uint " #v, &w, bytes, sizeof(bytes) - 1)
#define INT(v, bytes)                                      \
    w.size = 0;                                            \
    mpw_int(&w, (v));                                      \
    expect_bytes("int " #v, &w, bytes, sizeof(bytes) - 1)
    UINT(0, "\x00");
    UINT(127, "\x7f");
    UINT(128, "\xcc\x80");
    UINT(255, "\xcc\xff");
    UINT(256, "\xcd\x01\x00");
    UINT(65535, "\xcd\xff\xff");
    UINT(65536, "\xce\x00\x01\x00\x00");
    UINT(4294967295u, "\xce\xff\xff\xff\xff");
    UINT(4294967296ull, "\xcf\x00\x00\x00\x01\x00\x00\x00\x00");
    INT(5, "\x05");
    INT(200, "\xcc\xc8");
    INT(-1, "\xff");
    INT(-32, "\xe0");
    INT(-33, "\xd0\xdf");
    INT(-128, "\xd0\x80");
    INT(-129, "\xd1\xff\x7f");
    INT(-32768, "\xd1\x80\x00");
    INT(-32769, "\xd2\xff\xff\x7f\xff");
    INT(-2147483647 - 1, "\xd2\x80\x00\x00\x00");
    INT(-2147483649ll, "\xd3\xff\xff\xff\xff\x7f\xff\xff\xff");
    w.size = 0;
    mpw_double(&w, 1.5);
    expect_bytes("double 1.5", &w, "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00", 9);
    w.size = 0;
    mpw_bool(&w, 1);
    mpw_bool(&w, 0);
    mpw_nil(&w);
    expect_bytes("true false nil", &w, "\xc3\xc2\xc0", 3);
    memset(big, 'x', sizeof big);
    {
        static const struct { size_t n; const char *head; size_t head_len; } strs[] = {
            {0, "\xa0", 1}, {31, "\xbf", 1}, {32, "\xd9\x20", 2}, {255, "\xd9\xff", 2},
            {256, "\xda\x01\x00", 3}, {65535, "\xda\xff\xff", 3},
            {65536, "\xdb\x00\x01\x00\x00", 5}};
        size_t k;
        for (k = 0; k < sizeof strs / sizeof strs[0]; k++) {
            w.size = 0;
            mpw_str(&w, big, strs[k].n);
            CHECK(!w.failed && w.size == strs[k].head_len + strs[k].n &&
                      memcmp(w.data, strs[k].head, strs[k].head_len) == 0 &&
                      (strs[k].n == 0 || w.data[w.size - 1] == 'x'),
                  "str of %zu bytes", strs[k].n);
        }
    }
    {
        static const struct { uint64_t n; const char *head; size_t len; } heads[] = {
            {0, "\x90\x80", 2}, {15, "\x9f\x8f", 2}, {16, "\xdc\x00\x10\xde\x00\x10", 6},
            {65535, "\xdc\xff\xff\xde\xff\xff", 6},
            {65536, "\xdd\x00\x01\x00\x00\xdf\x00\x01\x00\x00", 10}};
        size_t k;
        for (k = 0; k < sizeof heads / sizeof heads[0]; k++) {
            w.size = 0;
            mpw_array(&w, heads[k].n);
            mpw_map(&w, heads[k].n);
            expect_bytes("array and map headers", &w, heads[k].head, heads[k].len);
        }
    }
    /* A buffer grown past the limit is given back; a smaller one is kept. */
    w.size = 0;
    mpw_str(&w, big, 40000);
    mpw_trim(&w, 1 << 20);
    CHECK(w.data != NULL && w.cap >= 40005, "a buffer under the limit was given back");
    mpw_trim(&w, 1000);
    CHECK(w.data == NULL && w.cap == 0 && w.size == 0 && !w.failed,
          "a buffer over the limit was kept");
    /* A failed buffer takes nothing more. */
    w.size = 0;
    w.failed = 1;
    mpw_str(&w, "abc", 3);
    mpw_uint(&w, 1);
    CHECK(w.size == 0, "a failed buffer grew to %zu bytes", w.size);
    mpw_free(&w);
}

/* ---- Random values, written and read back ------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A random integer near one of the encodings' edges. */
static uint64_t edge_number(void)
{
    static const uint64_t edges_[] = {0, 0x7f, 0xff, 0xffff, 0xffffffffull, 0x1f, 0x7fff,
                                      0x7fffffffull};
    uint64_t e = edges_[rnd() % (sizeof edges_ / sizeof edges_[0])];
    return e + (rnd() % 5) - 2;
}

static char text[300];

/* Writes a random value (depth-limited) and checks it as read back. */
static void write_random(struct mpw *w, int depth, uint64_t *seeds, size_t *n)
{
    uint64_t seed = rnd();
    seeds[(*n)++] = seed;
    switch (depth > 2 ? seed % 6 : seed % 8) {
    case 0: mpw_nil(w); break;
    case 1: mpw_bool(w, (int) (seed >> 8) & 1); break;
    case 2: mpw_uint(w, edge_number()); break;
    case 3: mpw_int(w, -(int64_t) (edge_number() & 0x7fffffffffffffffull)); break;
    case 4: mpw_double(w, (double) (int64_t) seed / 7.0); break;
    case 5: mpw_str(w, text, (size_t) ((seed >> 8) % sizeof text)); break;
    case 6: {
        uint64_t k, count = (seed >> 8) % 20;
        mpw_array(w, count);
        for (k = 0; k < count; k++) write_random(w, depth + 1, seeds, n);
        break;
    }
    default: {
        uint64_t k, count = (seed >> 8) % 20;
        mpw_map(w, count);
        for (k = 0; k < 2 * count; k++) write_random(w, depth + 1, seeds, n);
    }
    }
}

/* Reads back what write_random wrote from the same seeds. */
static void read_back(struct mp *m, int depth, const uint64_t *seeds, size_t *n)
{
    uint64_t seed = seeds[(*n)++];
    struct mp_item it;
    int ok;
    memset(&it, 0, sizeof it);
    ok = mp_next(m, &it);
    CHECK(ok, "unreadable item");
    if (!ok) return;
    switch (depth > 2 ? seed % 6 : seed % 8) {
    case 0: CHECK(it.kind == MP_NIL, "nil: kind %d", it.kind); break;
    case 1:
        CHECK(it.kind == (((seed >> 8) & 1) ? MP_TRUE : MP_FALSE), "bool: kind %d", it.kind);
        break;
    case 2: case 3:
        CHECK(it.kind == MP_UINT || it.kind == MP_INT, "number: kind %d", it.kind);
        break;
    case 4:
        CHECK(it.kind == MP_FLOAT && it.f == (double) (int64_t) seed / 7.0, "double");
        break;
    case 5:
        CHECK(it.kind == MP_STR && it.size == (seed >> 8) % sizeof text &&
                  memcmp(it.data, text, it.size) == 0,
              "string of %u bytes", it.size);
        break;
    case 6: {
        uint64_t k;
        CHECK(it.kind == MP_ARRAY && it.u == (seed >> 8) % 20, "array");
        for (k = 0; k < it.u; k++) read_back(m, depth + 1, seeds, n);
        break;
    }
    default: {
        uint64_t k;
        CHECK(it.kind == MP_MAP && it.u == (seed >> 8) % 20, "map");
        for (k = 0; k < 2 * it.u; k++) read_back(m, depth + 1, seeds, n);
    }
    }
}

/* Numbers keep their value: the writer's smallest encoding, read back. */
static void numbers(void)
{
    struct mpw w;
    int round;
    mpw_init(&w);
    for (round = 0; round < 100000; round++) {
        uint64_t u = edge_number() << (rnd() % 33);
        int64_t i = -(int64_t) (u & 0x7fffffffffffffffull);
        struct mp m;
        struct mp_item a, b;
        w.size = 0;
        mpw_uint(&w, u);
        mpw_int(&w, i);
        m.p = w.data;
        m.end = w.data + w.size;
        CHECK(mp_next(&m, &a) && a.kind == MP_UINT && a.u == u, "uint %llu",
              (unsigned long long) u);
        CHECK(mp_next(&m, &b) &&
                  ((b.kind == MP_INT && b.i == i) || (i == 0 && b.kind == MP_UINT && b.u == 0)),
              "int %lld", (long long) i);
        CHECK(m.p == m.end, "bytes left after two numbers");
        if (failures > 20) break;
    }
    mpw_free(&w);
}

int main(void)
{
    struct mpw w;
    static uint64_t seeds[1 << 16];
    int round;
    size_t k;
    for (k = 0; k < sizeof text; k++) text[k] = (char) ('a' + k % 26);
    edges();
    numbers();
    mpw_init(&w);
    for (round = 0; round < 2000 && failures == 0; round++) {
        size_t written = 0, read = 0;
        struct mp m;
        w.size = 0;
        write_random(&w, 0, seeds, &written);
        CHECK(!w.failed, "writer failed");
        m.p = w.data;
        m.end = w.data + w.size;
        read_back(&m, 0, seeds, &read);
        CHECK(read == written && m.p == m.end, "round %d: %zu of %zu items, %ld bytes left",
              round, read, written, (long) (m.end - m.p));
    }
    mpw_free(&w);
    if (failures) {
        fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    printf("msgpack writer: edges, 100000 number pairs and 2000 random values read back\n");
    return 0;
}
