/*
 * filter_c2sieve: a native Fluent Bit filter over libc2sieve's public ABI.
 *
 * Reads each record's msgpack bytes directly with a small cursor (no
 * msgpack_object tree, no allocation; strings go to the library as views into
 * the chunk), evaluates it at field level, and returns
 * FLB_FILTER_NOTOUCH when no record of the chunk matches -- Fluent Bit then
 * keeps the chunk's bytes. When some do, the chunk is rebuilt: other records
 * are copied as raw msgpack, matching ones are enriched through the
 * library's JSON splice (the same merge rules as everywhere else).
 *
 * Config keys: rulesets (comma-separated files), exclusions (path or URL,
 * watched), watch_ms, profile, non_matching (keep | drop), disable_rules
 * (comma-separated rule ids), building_blocks (enrich | tags), mode
 * (canonical | parity).
 */
#include <fluent-bit/flb_info.h>
#include <fluent-bit/flb_filter.h>
#include <fluent-bit/flb_filter_plugin.h>
#include <fluent-bit/flb_config_map.h>
#include <fluent-bit/flb_log_event_decoder.h>
#include <fluent-bit/flb_log_event_encoder.h>
#include <fluent-bit/flb_mem.h>
#include <fluent-bit/flb_pack.h>
#include <fluent-bit/flb_sds.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2sieve.h"

#define MAX_PATH 256
#define NUMBER_TEXT 32

struct field_path {
    char *path;   /* dotted */
    size_t len;
    int field;    /* >= 0: a field index; -1: only a prefix of fields */
};

/* Open-addressing table of the paths (a power of two, at most half full):
 * one hash and one compare per record key instead of a binary search of
 * string compares. */
#define PATH_SLOTS 1024

struct c2s_ctx {
    struct flb_filter_instance *ins;
    c2s_engine *engine;
    pthread_key_t session_key;  /* one session per thread */
    struct field_path *paths;
    size_t path_count;
    int path_slots[PATH_SLOTS];  /* index into paths + 1; 0 = empty */
    int drop;
    /* config map */
    flb_sds_t rulesets;
    flb_sds_t exclusions;
    int watch_ms;
    flb_sds_t profile;
    flb_sds_t non_matching;
    flb_sds_t disable_rules;
    flb_sds_t building_blocks;
    flb_sds_t mode;
};

/* Per-thread state: session, value array, number texts. Both arrays grow
 * to what a record holds (no cap of the plugin's own: the library has
 * none) and are kept for the thread's next records. */
struct c2s_thread {
    c2s_session *session;
    c2s_value *values;
    size_t count, capacity;
    char (*numbers)[NUMBER_TEXT];
    size_t number_count, number_capacity;
    int incomplete;  /* a value of the current record could not be kept */
};

static void thread_free(void *p)
{
    struct c2s_thread *t = p;
    if (t) {
        c2s_session_free(t->session);
        free(t->values);
        free(t->numbers);
        free(t);
    }
}

static struct c2s_thread *thread_state(struct c2s_ctx *ctx)
{
    struct c2s_thread *t = pthread_getspecific(ctx->session_key);
    if (t) {
        return t;
    }
    t = calloc(1, sizeof(*t));
    if (!t) {
        return NULL;
    }
    if (c2s_session_create(ctx->engine, &t->session) != C2S_OK) {
        free(t);
        return NULL;
    }
    pthread_setspecific(ctx->session_key, t);
    return t;
}

static uint32_t path_hash(const char *p, size_t len)
{
    uint32_t h = 2166136261u;  /* FNV-1a */
    size_t i;
    for (i = 0; i < len; i++) {
        h = (h ^ (unsigned char) p[i]) * 16777619u;
    }
    return h;
}

static const struct field_path *find_path(struct c2s_ctx *ctx, const char *path, size_t len)
{
    uint32_t i = path_hash(path, len) & (PATH_SLOTS - 1);
    while (ctx->path_slots[i]) {
        const struct field_path *fp = &ctx->paths[ctx->path_slots[i] - 1];
        if (fp->len == len && memcmp(fp->path, path, len) == 0) {
            return fp;
        }
        i = (i + 1) & (PATH_SLOTS - 1);
    }
    return NULL;
}

static int add_path(struct field_path **paths, size_t *n, size_t *cap, const char *p,
                    size_t len, int field)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        if (strlen((*paths)[i].path) == len && strncmp((*paths)[i].path, p, len) == 0) {
            if (field >= 0) {
                (*paths)[i].field = field;
            }
            return 0;
        }
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *paths = realloc(*paths, *cap * sizeof(**paths));
        if (!*paths) {
            return -1;
        }
    }
    (*paths)[*n].path = strndup(p, len);
    (*paths)[*n].len = len;
    (*paths)[*n].field = field;
    (*n)++;
    return 0;
}

/* ---- A cursor over raw msgpack bytes -------------------------------------
 * Fluent Bit's decoder unpacks every record into a msgpack_object tree (a
 * zone allocation and a node per value); reading the few fields the rule
 * needs straight from the bytes costs a fraction of that. Every read checks
 * the bounds: a malformed chunk is left untouched, never misread. */
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

/* Reads one item's header (and a string's, binary's or ext's payload). */
static int mp_next(struct mp *m, struct mp_item *it)
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
    if (b >= 0xa0 && b <= 0xbf) { n = -1; it->size = b & 0x1f; goto payload_str; }
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

/* Skips `count` whole items without recursion (any nesting depth). */
static int mp_skip(struct mp *m, uint64_t count)
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
        /* Every item takes at least one byte: a count beyond what is left
         * is malformed (and would otherwise loop for a long time). */
        if (count > (uint64_t) (m->end - m->p)) return 0;
    }
    return 1;
}

/* Room for one more value (and number text); 0 when memory is out, and the
 * caller then reports the record as not evaluated (it is kept). */
static int grow(struct c2s_thread *t)
{
    if (t->count == t->capacity) {
        size_t cap = t->capacity ? t->capacity * 2 : 64;
        c2s_value *v = realloc(t->values, cap * sizeof(*v));
        if (!v) return 0;
        t->values = v;
        t->capacity = cap;
    }
    if (t->number_count == t->number_capacity) {
        size_t i, cap = t->number_capacity ? t->number_capacity * 2 : 16;
        char (*old)[NUMBER_TEXT] = t->numbers;
        char (*n)[NUMBER_TEXT] = malloc(cap * sizeof(*n));
        if (!n) return 0;
        if (old) memcpy(n, old, t->number_count * sizeof(*n));
        /* Values already added point into the old block: move them too. */
        for (i = 0; i < t->count && old; i++) {
            const char *d = t->values[i].data;
            if (d >= old[0] && d < old[0] + t->number_capacity * NUMBER_TEXT) {
                t->values[i].data = n[0] + (d - old[0]);
            }
        }
        free(old);
        t->numbers = n;
        t->number_capacity = cap;
    }
    return 1;
}

struct field_path;
static int walk_array(struct c2s_ctx *ctx, struct c2s_thread *t, struct mp *m, uint64_t n,
                      char *path, size_t len, const struct field_path *fp, int depth);

static int add_value(struct c2s_thread *t, int field, const struct mp_item *it)
{
    c2s_value *v;
    char *text;
    if (!grow(t)) {
        return 0;
    }
    v = &t->values[t->count];
    v->field = field;
    v->data = NULL;
    v->size = 0;
    switch (it->kind) {
    case MP_STR:
        v->type = C2S_VALUE_STRING;
        v->data = it->data;
        v->size = it->size;
        break;
    case MP_TRUE:
    case MP_FALSE:
        v->type = it->kind == MP_TRUE ? C2S_VALUE_TRUE : C2S_VALUE_FALSE;
        break;
    case MP_UINT:
    case MP_INT:
    case MP_FLOAT:
        /* Numbers compare as their decimal text, as a keyword field. */
        text = t->numbers[t->number_count];
        if (it->kind == MP_UINT) {
            snprintf(text, NUMBER_TEXT, "%llu", (unsigned long long) it->u);
        }
        else if (it->kind == MP_INT) {
            snprintf(text, NUMBER_TEXT, "%lld", (long long) it->i);
        }
        else {
            snprintf(text, NUMBER_TEXT, "%.17g", it->f);
        }
        v->type = C2S_VALUE_STRING;
        v->data = text;
        v->size = strlen(text);
        t->number_count++;
        break;
    case MP_NIL:
        v->type = C2S_VALUE_NULL;
        break;
    default:
        v->type = C2S_VALUE_OTHER;
    }
    t->count++;
    return 1;
}

/* Walks a map whose header was just read (`entries` pairs), collecting the
 * values of the engine's fields; consumes the whole map. */
static int walk(struct c2s_ctx *ctx, struct c2s_thread *t, struct mp *m, uint64_t entries,
                char *path, size_t prefix_len)
{
    struct mp_item key, val;
    while (entries-- > 0) {
        const struct field_path *fp = NULL;
        size_t len;
        if (!mp_next(m, &key)) return 0;
        if (key.kind != MP_STR) {
            if ((key.kind == MP_ARRAY || key.kind == MP_MAP) &&
                !mp_skip(m, key.kind == MP_MAP ? 2 * key.u : key.u)) return 0;
            if (!mp_skip(m, 1)) return 0;
            continue;
        }
        len = prefix_len + (prefix_len ? 1 : 0) + key.size;
        if (len < MAX_PATH) {
            if (prefix_len) {
                path[prefix_len] = '.';
            }
            memcpy(path + prefix_len + (prefix_len ? 1 : 0), key.data, key.size);
            fp = find_path(ctx, path, len);
        }
        if (!fp) {
            if (!mp_skip(m, 1)) return 0;  /* neither a field nor a prefix of one */
            continue;
        }
        if (!mp_next(m, &val)) return 0;
        if (val.kind == MP_MAP) {
            if (!walk(ctx, t, m, val.u, path, len)) return 0;
        }
        else if (val.kind == MP_ARRAY) {
            if (!walk_array(ctx, t, m, val.u, path, len, fp, 0)) return 0;
        }
        else if (fp->field >= 0) {
            if (!add_value(t, fp->field, &val)) t->incomplete = 1;
        }
    }
    return 1;
}

/* The elements of an array under a field or a prefix of one: a field
 * holding an array matches if any element does; arrays of objects are read
 * as their members' fields; nested arrays are flattened, as Elasticsearch
 * indexes them (depth bounded like the maps'). */
static int walk_array(struct c2s_ctx *ctx, struct c2s_thread *t, struct mp *m, uint64_t n,
                      char *path, size_t len, const struct field_path *fp, int depth)
{
    struct mp_item elem;
    uint64_t k;
    for (k = 0; k < n; k++) {
        if (!mp_next(m, &elem)) return 0;
        if (elem.kind == MP_MAP) {
            if (!walk(ctx, t, m, elem.u, path, len)) return 0;
        }
        else if (elem.kind == MP_ARRAY) {
            if (depth >= 64) {
                t->incomplete = 1;  /* too deep to read: kept, not guessed */
                if (!mp_skip(m, elem.u)) return 0;
            }
            else if (!walk_array(ctx, t, m, elem.u, path, len, fp, depth + 1)) {
                return 0;
            }
        }
        else if (fp->field >= 0) {
            if (!add_value(t, fp->field, &elem)) t->incomplete = 1;
        }
    }
    return 1;
}

/* Reads one record from the cursor. Returns 1 and sets *match: 1 if the
 * record matches, 0 if not, 2 if it could not be evaluated (the library
 * failed, memory ran out): such a record is kept as it came, also when
 * non-matching records are dropped. Returns 0 if the bytes are not a record
 * (the caller leaves the chunk as is). */
static int evaluate_next(struct c2s_ctx *ctx, struct c2s_thread *t, struct mp *m, int *match)
{
    char path[MAX_PATH];
    struct mp_item outer, head, body;
    size_t matched = 0;
    *match = 0;
    /* [[timestamp, metadata], body] (Fluent Bit >= 2.1) or [timestamp, body] */
    if (!mp_next(m, &outer) || outer.kind != MP_ARRAY || outer.u != 2) return 0;
    if (!mp_next(m, &head)) return 0;
    if (head.kind == MP_ARRAY) {
        if (!mp_skip(m, head.u)) return 0;
    }
    else if (head.kind == MP_MAP) {
        return 0;
    }
    if (!mp_next(m, &body)) return 0;
    if (body.kind != MP_MAP) {
        return (body.kind == MP_ARRAY) ? mp_skip(m, body.u) : 1;
    }
    t->count = 0;
    t->number_count = 0;
    t->incomplete = 0;
    if (!walk(ctx, t, m, body.u, path, 0)) return 0;
    if (t->incomplete) {
        flb_plg_error(ctx->ins, "a record could not be read whole; kept as it came");
        *match = 2;
        return 1;
    }
    if (c2s_eval_fields(t->session, t->values, t->count, &matched) != C2S_OK) {
        flb_plg_error(ctx->ins, "%s; the record is kept as it came", c2s_last_error());
        *match = 2;
        return 1;
    }
    *match = matched > 0;
    return 1;
}

static void log_to_fluent_bit(void *user, int level, const char *message)
{
    struct c2s_ctx *ctx = user;
    if (level >= 2) {
        flb_plg_error(ctx->ins, "%s", message);
    }
    else if (level == 1) {
        flb_plg_warn(ctx->ins, "%s", message);
    }
    else {
        flb_plg_info(ctx->ins, "%s", message);
    }
}

static int cb_c2s_exit(void *data, struct flb_config *config);

static int cb_c2s_init(struct flb_filter_instance *ins, struct flb_config *config, void *data)
{
    struct c2s_ctx *ctx;
    c2s_engine_config cfg;
    c2s_source *sources = NULL;
    size_t n = 0, i, cap = 0, listed = 0;
    char *list = NULL, *tok, *save = NULL;

    ctx = flb_calloc(1, sizeof(*ctx));
    if (!ctx) {
        return -1;
    }
    ctx->ins = ins;
    if (flb_filter_config_map_set(ins, ctx) < 0) {
        flb_free(ctx);
        return -1;
    }
    c2s_engine_config_init(&cfg);
    if (ctx->mode == NULL || strcmp(ctx->mode, "canonical") == 0) {
        cfg.mode = C2S_MODE_CANONICAL;
    }
    else if (strcmp(ctx->mode, "parity") == 0) {
        cfg.mode = C2S_MODE_PARITY;
    }
    else {
        flb_plg_error(ins, "mode must be canonical or parity (got \"%s\")", ctx->mode);
        flb_free(ctx);
        return -1;
    }
    if (ctx->rulesets) {
        /* As many rulesets as the list names (one per comma, at most). */
        list = strdup(ctx->rulesets);
        for (i = 0, listed = 1; list && list[i]; i++) listed += list[i] == ',';
        sources = list ? calloc(listed, sizeof(*sources)) : NULL;
        if (!sources) {
            flb_plg_error(ins, "out of memory");
            free(list);
            flb_free(ctx);
            return -1;
        }
        for (tok = strtok_r(list, ",", &save); tok && n < listed; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ') tok++;
            sources[n].name = tok;
            sources[n].data = NULL;
            sources[n].size = 0;
            n++;
        }
        cfg.rulesets = sources;
        cfg.ruleset_count = n;
    }
    if (ctx->profile) {
        cfg.force_profile = ctx->profile;
    }
    if (ctx->disable_rules) {
        cfg.disable_rules = ctx->disable_rules;
    }
    cfg.building_blocks_as_tags = ctx->building_blocks && strcmp(ctx->building_blocks, "tags") == 0;
    if (c2s_engine_create(&cfg, &ctx->engine) != C2S_OK) {
        flb_plg_error(ins, "%s", c2s_last_error());
        free(sources);
        free(list);
        flb_free(ctx);
        return -1;
    }
    free(sources);
    free(list);
    c2s_engine_set_log(ctx->engine, log_to_fluent_bit, ctx);
    if (ctx->exclusions) {
        c2s_watch_options w;
        c2s_watch_options_init(&w);
        w.source = ctx->exclusions;
        w.interval_ms = ctx->watch_ms > 0 ? (uint32_t) ctx->watch_ms : 5000;
        c2s_status st = c2s_engine_watch_exclusions(ctx->engine, &w);
        if (st == C2S_E_INVALID_ARGUMENT) {
            /* A setting that can never work: refuse to start. */
            flb_plg_error(ins, "exclusions: %s", c2s_last_error());
            c2s_engine_free(ctx->engine);
            flb_free(ctx);
            return -1;
        }
        if (st != C2S_OK) {
            flb_plg_error(ins, "exclusions NOT applied: %s (events are evaluated "
                          "without them; still watching)", c2s_last_error());
        }
    }
    ctx->drop = ctx->non_matching && strcmp(ctx->non_matching, "drop") == 0;
    pthread_key_create(&ctx->session_key, thread_free);

    /* Every field path and every prefix of one, hashed. */
    n = c2s_engine_field_count(ctx->engine);
    for (i = 0; i < n; i++) {
        const char *name = c2s_engine_field_name(ctx->engine, i);
        const char *dot;
        for (dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
            add_path(&ctx->paths, &ctx->path_count, &cap, name, dot - name, -1);
        }
        add_path(&ctx->paths, &ctx->path_count, &cap, name, strlen(name), (int) i);
    }
    if (ctx->path_count > PATH_SLOTS / 2) {
        flb_plg_error(ins, "%zu field paths: more than this plugin's table holds", ctx->path_count);
        cb_c2s_exit(ctx, config);
        return -1;
    }
    for (i = 0; i < ctx->path_count; i++) {
        uint32_t slot = path_hash(ctx->paths[i].path, ctx->paths[i].len) & (PATH_SLOTS - 1);
        while (ctx->path_slots[slot]) {
            slot = (slot + 1) & (PATH_SLOTS - 1);
        }
        ctx->path_slots[slot] = (int) i + 1;
    }
    flb_plg_info(ins, "c2sieve %s, %zu rule(s)", c2s_version(), c2s_engine_rule_count(ctx->engine));
    flb_filter_set_context(ins, ctx);
    return 0;
}

struct record_ref {
    const char *base;
    size_t length;
    int match;
};

/* Re-decodes one matching record and appends it enriched through the
 * library's JSON splice; on any failure appends it as it came. */
static void emit_enriched(struct c2s_ctx *ctx, struct c2s_thread *t,
                          struct flb_log_event_encoder *enc, const struct record_ref *rec)
{
    struct flb_log_event_decoder dec;
    struct flb_log_event ev;
    char *json = NULL, *packed = NULL;
    size_t packed_size = 0, consumed = 0;
    int root_type, ret, done = 0;
    c2s_output out;

    if (flb_log_event_decoder_init(&dec, (char *) rec->base, rec->length) ==
            FLB_EVENT_DECODER_SUCCESS &&
        flb_log_event_decoder_next(&dec, &ev) == FLB_EVENT_DECODER_SUCCESS) {
        json = flb_msgpack_to_json_str(1024, ev.body, FLB_FALSE);
        if (json && c2s_eval_json(t->session, json, strlen(json), &out) == C2S_OK &&
            out.enriched &&
            flb_pack_json(out.data, out.size, &packed, &packed_size, &root_type, &consumed) == 0) {
            ret = flb_log_event_encoder_begin_record(enc);
            ret |= flb_log_event_encoder_set_timestamp(enc, &ev.timestamp);
            ret |= flb_log_event_encoder_set_metadata_from_msgpack_object(enc, ev.metadata);
            ret |= flb_log_event_encoder_set_body_from_raw_msgpack(enc, packed, packed_size);
            if (ret == FLB_EVENT_ENCODER_SUCCESS) {
                flb_log_event_encoder_commit_record(enc);
                done = 1;
            }
            else {
                flb_log_event_encoder_rollback_record(enc);
            }
        }
        flb_log_event_decoder_destroy(&dec);
    }
    if (!done) {
        /* Never lose a record: pass it as it came. */
        flb_plg_warn(ctx->ins, "a matching record could not be enriched; passed as it came");
        flb_log_event_encoder_emit_raw_record(enc, rec->base, rec->length);
    }
    flb_free(packed);
    flb_free(json);
}

static int cb_c2s_filter(const void *data, size_t bytes, const char *tag, int tag_len,
                         void **out_buf, size_t *out_bytes, struct flb_filter_instance *ins,
                         struct flb_input_instance *in, void *filter_context,
                         struct flb_config *config)
{
    struct c2s_ctx *ctx = filter_context;
    struct c2s_thread *t = thread_state(ctx);
    struct flb_log_event_encoder enc;
    struct record_ref *recs = NULL;
    size_t records = 0, matches = 0, kept = 0, cap = 0, r, run_start, run_end;

    if (!t) {
        return FLB_FILTER_NOTOUCH;
    }
    /* One pass over the raw bytes: each record's verdict and byte range.
     * Most chunks have no match and stay untouched. */
    {
        struct mp m = { (const unsigned char *) data, (const unsigned char *) data + bytes };
        while (m.p < m.end) {
            const unsigned char *record_start = m.p;
            int match;
            if (records == cap) {
                struct record_ref *grown;
                cap = cap ? cap * 2 : 256;
                grown = realloc(recs, cap * sizeof(*recs));
                if (!grown) {
                    free(recs);
                    return FLB_FILTER_NOTOUCH;
                }
                recs = grown;
            }
            if (!evaluate_next(ctx, t, &m, &match)) {
                flb_plg_warn(ctx->ins, "a chunk is not the msgpack records expected; left untouched");
                free(recs);
                return FLB_FILTER_NOTOUCH;
            }
            recs[records].base = (const char *) record_start;
            recs[records].length = (size_t) (m.p - record_start);
            recs[records].match = match;
            matches += match == 1;
            kept += match == 2;
            records++;
        }
    }
    if (matches == 0 && (!ctx->drop || kept == records)) {
        free(recs);
        return FLB_FILTER_NOTOUCH;
    }

    /* Rebuild: runs of records that do not match are copied as one block of
     * raw bytes; matching records are enriched one by one. */
    flb_log_event_encoder_init(&enc, FLB_LOG_EVENT_FORMAT_DEFAULT);
    for (r = 0; r < records;) {
        if (recs[r].match == 1) {
            emit_enriched(ctx, t, &enc, &recs[r]);
            r++;
            continue;
        }
        if (recs[r].match == 2) {  /* not evaluated: kept, never dropped */
            flb_log_event_encoder_emit_raw_record(&enc, recs[r].base, recs[r].length);
            r++;
            continue;
        }
        run_start = r;
        while (r < records && recs[r].match == 0) r++;
        run_end = r;
        if (!ctx->drop) {
            const char *b = recs[run_start].base;
            const char *e = recs[run_end - 1].base + recs[run_end - 1].length;
            flb_log_event_encoder_emit_raw_record(&enc, b, (size_t) (e - b));
        }
    }
    free(recs);
    *out_buf = enc.output_buffer;
    *out_bytes = enc.output_length;
    flb_log_event_encoder_claim_internal_buffer_ownership(&enc);
    flb_log_event_encoder_destroy(&enc);
    return FLB_FILTER_MODIFIED;
}

static int cb_c2s_exit(void *data, struct flb_config *config)
{
    struct c2s_ctx *ctx = data;
    size_t i;
    if (!ctx) {
        return 0;
    }
    c2s_engine_free(ctx->engine);
    for (i = 0; i < ctx->path_count; i++) {
        free(ctx->paths[i].path);
    }
    free(ctx->paths);
    flb_free(ctx);
    return 0;
}

static struct flb_config_map config_map[] = {
    {FLB_CONFIG_MAP_STR, "rulesets", NULL, 0, FLB_TRUE, offsetof(struct c2s_ctx, rulesets),
     "Comma-separated ruleset files loaded beside the built-in ruleset."},
    {FLB_CONFIG_MAP_STR, "exclusions", NULL, 0, FLB_TRUE, offsetof(struct c2s_ctx, exclusions),
     "Exclusions file path or URL, watched for changes."},
    {FLB_CONFIG_MAP_INT, "watch_ms", "5000", 0, FLB_TRUE, offsetof(struct c2s_ctx, watch_ms),
     "How often to look at the exclusions source."},
    {FLB_CONFIG_MAP_STR, "profile", NULL, 0, FLB_TRUE, offsetof(struct c2s_ctx, profile),
     "Read every record with this source profile (default: detect)."},
    {FLB_CONFIG_MAP_STR, "non_matching", "keep", 0, FLB_TRUE,
     offsetof(struct c2s_ctx, non_matching), "keep or drop records that match no rule."},
    {FLB_CONFIG_MAP_STR, "disable_rules", NULL, 0, FLB_TRUE,
     offsetof(struct c2s_ctx, disable_rules), "Comma-separated rule ids to switch off."},
    {FLB_CONFIG_MAP_STR, "mode", "canonical", 0, FLB_TRUE, offsetof(struct c2s_ctx, mode),
     "canonical (paths and domains canonicalized first) or parity (raw values, as "
     "Elasticsearch EQL compares them)."},
    {FLB_CONFIG_MAP_STR, "building_blocks", "enrich", 0, FLB_TRUE,
     offsetof(struct c2s_ctx, building_blocks),
     "enrich, or tags: building-block rules' matches add only their tags."},
    {0}
};

struct flb_filter_plugin filter_c2sieve_plugin = {
    .name = "c2sieve",
    .description = "Tag command and control over commonly abused web services",
    .cb_init = cb_c2s_init,
    .cb_filter = cb_c2s_filter,
    .cb_exit = cb_c2s_exit,
    .config_map = config_map,
    .flags = 0
};
