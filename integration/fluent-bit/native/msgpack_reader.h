/* A cursor over raw msgpack bytes: the native plugin's reader (and the
 * fuzz target's, tests/fuzz/fuzz_msgpack_reader.c). C only; no Fluent Bit
 * dependency.
 *
 * Fluent Bit's decoder unpacks every record into a msgpack_object tree (a
 * zone allocation and a node per value); reading the few fields the rule
 * needs straight from the bytes costs a fraction of that. Every read checks
 * the bounds: a malformed chunk is left untouched, never misread. */
#ifndef C2SIEVE_MSGPACK_READER_H
#define C2SIEVE_MSGPACK_READER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mp {
    const unsigned char *p;
    const unsigned char *end;
};

enum mp_kind { MP_ERR, MP_NIL, MP_FALSE, MP_TRUE, MP_UINT, MP_INT, MP_FLOAT, MP_STR,
               MP_BIN, MP_ARRAY, MP_MAP, MP_EXT };

struct mp_item {
    enum mp_kind kind;
    uint64_t u;           /* MP_UINT; also the count of MP_ARRAY / MP_MAP */
    int64_t i;            /* MP_INT */
    double f;             /* MP_FLOAT */
    const char *data;     /* MP_STR, MP_BIN, MP_EXT payload */
    uint32_t size;
};

static int mp_need(struct mp *m, size_t n)
{
    return (size_t) (m->end - m->p) >= n;
}

static uint64_t mp_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    int k;
    for (k = 0; k < n; k++) {
        v = (v << 8) | p[k];
    }
    return v;
}

/* mp_next for every header but a fixstr's. */
static int mp_next_other(struct mp *m, struct mp_item *it)
{
    unsigned char b;
    int n = 0;
    it->kind = MP_ERR;
    if (!mp_need(m, 1)) {
        return 0;
    }
    b = *m->p++;
    if (b <= 0x7f) { it->kind = MP_UINT; it->u = b; return 1; }
    if (b >= 0xe0) { it->kind = MP_INT; it->i = (int8_t) b; return 1; }
    if (b >= 0x90 && b <= 0x9f) { it->kind = MP_ARRAY; it->u = b & 0x0f; return 1; }
    if (b >= 0x80 && b <= 0x8f) { it->kind = MP_MAP; it->u = b & 0x0f; return 1; }
    switch (b) {
    case 0xc0: it->kind = MP_NIL; return 1;
    case 0xc2: it->kind = MP_FALSE; return 1;
    case 0xc3: it->kind = MP_TRUE; return 1;
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
        n = 1 << (b - 0xcc);
        if (!mp_need(m, n)) return 0;
        it->kind = MP_UINT; it->u = mp_be(m->p, n); m->p += n; return 1;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        uint64_t raw;
        n = 1 << (b - 0xd0);
        if (!mp_need(m, n)) return 0;
        raw = mp_be(m->p, n);
        m->p += n;
        /* sign-extend from n bytes */
        if (n < 8 && (raw >> (n * 8 - 1)) & 1) raw |= ~((UINT64_C(1) << (n * 8)) - 1);
        it->kind = MP_INT; it->i = (int64_t) raw; return 1;
    }
    case 0xca: {
        uint32_t raw; float f;
        if (!mp_need(m, 4)) return 0;
        raw = (uint32_t) mp_be(m->p, 4); m->p += 4;
        memcpy(&f, &raw, 4);
        it->kind = MP_FLOAT; it->f = f; return 1;
    }
    case 0xcb: {
        uint64_t raw; double d;
        if (!mp_need(m, 8)) return 0;
        raw = mp_be(m->p, 8); m->p += 8;
        memcpy(&d, &raw, 8);
        it->kind = MP_FLOAT; it->f = d; return 1;
    }
    case 0xd9: case 0xda: case 0xdb:
        n = 1 << (b - 0xd9);
        if (!mp_need(m, n)) return 0;
        it->size = (uint32_t) mp_be(m->p, n); m->p += n;
        goto payload_str;
    case 0xc4: case 0xc5: case 0xc6:
        n = 1 << (b - 0xc4);
        if (!mp_need(m, n)) return 0;
        it->size = (uint32_t) mp_be(m->p, n); m->p += n;
        if (!mp_need(m, it->size)) return 0;
        it->kind = MP_BIN; it->data = (const char *) m->p; m->p += it->size; return 1;
    case 0xdc: case 0xdd:
        n = b == 0xdc ? 2 : 4;
        if (!mp_need(m, n)) return 0;
        it->kind = MP_ARRAY; it->u = mp_be(m->p, n); m->p += n; return 1;
    case 0xde: case 0xdf:
        n = b == 0xde ? 2 : 4;
        if (!mp_need(m, n)) return 0;
        it->kind = MP_MAP; it->u = mp_be(m->p, n); m->p += n; return 1;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        it->size = 1u << (b - 0xd4);
        if (!mp_need(m, 1 + it->size)) return 0;
        m->p++;  /* ext type */
        it->kind = MP_EXT; it->data = (const char *) m->p; m->p += it->size; return 1;
    case 0xc7: case 0xc8: case 0xc9:
        n = 1 << (b - 0xc7);
        if (!mp_need(m, n + 1)) return 0;
        it->size = (uint32_t) mp_be(m->p, n); m->p += n + 1;
        if (!mp_need(m, it->size)) return 0;
        it->kind = MP_EXT; it->data = (const char *) m->p; m->p += it->size; return 1;
    default:
        return 0;  /* 0xc1 is never used */
    }
payload_str:
    (void) n;
    if (!mp_need(m, it->size)) return 0;
    it->kind = MP_STR; it->data = (const char *) m->p; m->p += it->size; return 1;
}

/* For each header byte of a fixed-size item: the bytes after it, and the
 * items it holds (fixmap: two an entry, fixarray: one an element);
 * MP_VARIABLE for the headers whose size is in the bytes that follow. */
/* Reads one item's header (and a string's, binary's or ext's payload). A
 * short string -- most keys and values of a record -- is read in place. */
static inline int mp_next(struct mp *m, struct mp_item *it)
{
    if (m->p < m->end && (*m->p & 0xe0) == 0xa0) {  /* fixstr */
        size_t size = *m->p & 0x1f;
        if ((size_t) (m->end - m->p) <= size) {
            it->kind = MP_ERR;
            return 0;
        }
        it->kind = MP_STR;
        it->size = (uint32_t) size;
        it->data = (const char *) m->p + 1;
        m->p += 1 + size;
        return 1;
    }
    return mp_next_other(m, it);
}

#define MP_VARIABLE 0xff
static const unsigned char mp_payload[256] = {
    /* fixint, fixmap, fixarray, nil, false, true: 0 */
    [0xc1] = MP_VARIABLE, [0xc4 ... 0xc9] = MP_VARIABLE, [0xd9 ... 0xdf] = MP_VARIABLE,
    [0xcc] = 1, [0xd0] = 1, [0xcd] = 2, [0xd1] = 2, [0xd4] = 2, [0xd5] = 3,
    [0xca] = 4, [0xce] = 4, [0xd2] = 4, [0xd6] = 5, [0xcb] = 8, [0xcf] = 8, [0xd3] = 8,
    [0xd7] = 9, [0xd8] = 17,
#define MP_FIXSTR(n) [0xa0 + n] = n
    MP_FIXSTR(1), MP_FIXSTR(2), MP_FIXSTR(3), MP_FIXSTR(4), MP_FIXSTR(5), MP_FIXSTR(6),
    MP_FIXSTR(7), MP_FIXSTR(8), MP_FIXSTR(9), MP_FIXSTR(10), MP_FIXSTR(11), MP_FIXSTR(12),
    MP_FIXSTR(13), MP_FIXSTR(14), MP_FIXSTR(15), MP_FIXSTR(16), MP_FIXSTR(17), MP_FIXSTR(18),
    MP_FIXSTR(19), MP_FIXSTR(20), MP_FIXSTR(21), MP_FIXSTR(22), MP_FIXSTR(23), MP_FIXSTR(24),
    MP_FIXSTR(25), MP_FIXSTR(26), MP_FIXSTR(27), MP_FIXSTR(28), MP_FIXSTR(29), MP_FIXSTR(30),
    MP_FIXSTR(31),
#undef MP_FIXSTR
};
static const unsigned char mp_children[256] = {
#define MP_FIX(n) [0x80 + n] = 2 * n, [0x90 + n] = n
    MP_FIX(1), MP_FIX(2), MP_FIX(3), MP_FIX(4), MP_FIX(5), MP_FIX(6), MP_FIX(7), MP_FIX(8),
    MP_FIX(9), MP_FIX(10), MP_FIX(11), MP_FIX(12), MP_FIX(13), MP_FIX(14), MP_FIX(15),
#undef MP_FIX
};

/* Skips `count` whole items without recursion (any nesting depth). Only
 * the sizes in the headers are read, nothing is decoded: most of a record
 * is skipped (the gate reads a few of its fields). Every item takes at
 * least its header byte, so the loop ends with the bytes. */
static int mp_skip(struct mp *m, uint64_t count)
{
    const unsigned char *p = m->p, *end = m->end;
    while (count > 0) {
        unsigned b;
        uint64_t n;  /* bytes after the header byte */
        if (p >= end) return 0;
        b = *p++;
        count--;
        n = mp_payload[b];
        if (n != MP_VARIABLE) {
            count += mp_children[b];
        }
        else {
            switch (b) {
            case 0xc4: case 0xc5: case 0xc6: case 0xd9: case 0xda: case 0xdb:
            case 0xc7: case 0xc8: case 0xc9: {
                /* bin, str, ext: a length of 1, 2 or 4 bytes (ext: + a type) */
                int w = b <= 0xc6 ? 1 << (b - 0xc4) : b <= 0xc9 ? 1 << (b - 0xc7) : 1 << (b - 0xd9);
                if ((size_t) (end - p) < (size_t) w) return 0;
                n = mp_be(p, w) + (b >= 0xc7 && b <= 0xc9);
                p += w;
                break;
            }
            case 0xdc: case 0xdd: case 0xde: case 0xdf: {
                int w = (b & 1) ? 4 : 2;
                if ((size_t) (end - p) < (size_t) w) return 0;
                count += (b >= 0xde ? 2 : 1) * mp_be(p, w);
                p += w;
                /* A count beyond what is left is malformed: said now. */
                if (count > (uint64_t) (end - p)) return 0;
                continue;
            }
            default:
                return 0;  /* 0xc1 is never used */
            }
        }
        if ((uint64_t) (end - p) < n) return 0;
        p += n;
    }
    m->p = p;
    return 1;
}

/* Skips one item: one of a fixed size (a scalar, a short string) in
 * place, anything else through mp_skip. */
static inline int mp_skip_one(struct mp *m)
{
    if (m->p < m->end) {
        unsigned b = *m->p, n = mp_payload[b];
        if (n != MP_VARIABLE && mp_children[b] == 0) {
            if ((size_t) (m->end - m->p) <= n) return 0;
            m->p += 1 + n;
            return 1;
        }
    }
    return mp_skip(m, 1);
}

#endif
