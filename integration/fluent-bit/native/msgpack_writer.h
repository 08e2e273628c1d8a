/* A growable buffer of msgpack bytes: the native plugin's writer (and its
 * test's, tests/msgpack_codec_test.c). C only; no Fluent Bit dependency.
 *
 * msgpack-c's packer hands every header and every string to a write
 * callback through a function pointer; a match's enrichment is a hundred
 * or so small items, and those calls were most of the cost of writing it.
 * Here each item is one bounds check and a copy. The encodings are
 * msgpack-c's (the smallest form of each integer, str8 for strings of 32 to
 * 255 bytes, doubles as float 64), so a value written here has the bytes
 * Fluent Bit's own packer gives it. A buffer that cannot grow is marked
 * failed and takes nothing more; the caller then keeps its record as it
 * came. */
#ifndef C2SIEVE_MSGPACK_WRITER_H
#define C2SIEVE_MSGPACK_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mpw {
    unsigned char *data;
    size_t size, cap;
    int failed;
};

static void mpw_init(struct mpw *w)
{
    w->data = NULL;
    w->size = w->cap = 0;
    w->failed = 0;
}

static void mpw_free(struct mpw *w)
{
    free(w->data);
    mpw_init(w);
}

/* Gives back a buffer grown past `limit` bytes: one outsized record does
 * not keep its memory for the life of the thread. */
static void mpw_trim(struct mpw *w, size_t limit)
{
    if (w->cap > limit) mpw_free(w);
}

/* Room for n more bytes; 0 when the buffer cannot grow (then failed). */
static int mpw_room(struct mpw *w, size_t n)
{
    size_t cap;
    unsigned char *grown;
    if (w->failed) return 0;
    if (w->cap - w->size >= n) return 1;
    cap = w->cap ? w->cap : 256;
    while (cap - w->size < n) {
        if (cap > ((size_t) -1) / 2) {
            w->failed = 1;
            return 0;
        }
        cap *= 2;
    }
    grown = (unsigned char *) realloc(w->data, cap);
    if (!grown) {
        w->failed = 1;
        return 0;
    }
    w->data = grown;
    w->cap = cap;
    return 1;
}

static void mpw_raw(struct mpw *w, const void *p, size_t n)
{
    if (n == 0 || !mpw_room(w, n)) return;
    memcpy(w->data + w->size, p, n);
    w->size += n;
}

/* A type byte and `bytes` bytes of v, big-endian. */
static void mpw_head(struct mpw *w, unsigned char type, uint64_t v, int bytes)
{
    unsigned char *p;
    int k;
    if (!mpw_room(w, 1 + (size_t) bytes)) return;
    p = w->data + w->size;
    p[0] = type;
    for (k = 0; k < bytes; k++) p[1 + k] = (unsigned char) (v >> (8 * (bytes - 1 - k)));
    w->size += 1 + (size_t) bytes;
}

static void mpw_nil(struct mpw *w) { mpw_head(w, 0xc0, 0, 0); }
static void mpw_bool(struct mpw *w, int b) { mpw_head(w, b ? 0xc3 : 0xc2, 0, 0); }

static void mpw_uint(struct mpw *w, uint64_t u)
{
    if (u < 0x80) mpw_head(w, (unsigned char) u, 0, 0);
    else if (u < 0x100) mpw_head(w, 0xcc, u, 1);
    else if (u < 0x10000) mpw_head(w, 0xcd, u, 2);
    else if (u < 0x100000000ULL) mpw_head(w, 0xce, u, 4);
    else mpw_head(w, 0xcf, u, 8);
}

static void mpw_int(struct mpw *w, int64_t i)
{
    if (i >= 0) {
        mpw_uint(w, (uint64_t) i);
        return;
    }
    if (i >= -32) mpw_head(w, (unsigned char) (0xe0 | (i & 0x1f)), 0, 0);
    else if (i >= -128) mpw_head(w, 0xd0, (uint64_t) i, 1);
    else if (i >= -32768) mpw_head(w, 0xd1, (uint64_t) i, 2);
    else if (i >= -2147483647LL - 1) mpw_head(w, 0xd2, (uint64_t) i, 4);
    else mpw_head(w, 0xd3, (uint64_t) i, 8);
}

static void mpw_double(struct mpw *w, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    mpw_head(w, 0xcb, bits, 8);
}

static void mpw_str(struct mpw *w, const char *s, size_t n)
{
    /* Most strings of an enrichment are short: one check, one copy. */
    if (n < 32 && !w->failed && w->cap - w->size > n) {
        unsigned char *p = w->data + w->size;
        p[0] = (unsigned char) (0xa0 | n);
        memcpy(p + 1, s, n);
        w->size += 1 + n;
        return;
    }
    if (n < 32) mpw_head(w, (unsigned char) (0xa0 | n), 0, 0);
    else if (n < 0x100) mpw_head(w, 0xd9, n, 1);
    else if (n < 0x10000) mpw_head(w, 0xda, n, 2);
    else if (n <= 0xffffffffULL) mpw_head(w, 0xdb, n, 4);
    else {
        w->failed = 1;  /* msgpack has no longer string */
        return;
    }
    mpw_raw(w, s, n);
}

static void mpw_array(struct mpw *w, uint64_t n)
{
    if (n < 16) mpw_head(w, (unsigned char) (0x90 | n), 0, 0);
    else if (n < 0x10000) mpw_head(w, 0xdc, n, 2);
    else if (n <= 0xffffffffULL) mpw_head(w, 0xdd, n, 4);
    else w->failed = 1;
}

static void mpw_map(struct mpw *w, uint64_t n)
{
    if (n < 16) mpw_head(w, (unsigned char) (0x80 | n), 0, 0);
    else if (n < 0x10000) mpw_head(w, 0xde, n, 2);
    else if (n <= 0xffffffffULL) mpw_head(w, 0xdf, n, 4);
    else w->failed = 1;
}

#endif
