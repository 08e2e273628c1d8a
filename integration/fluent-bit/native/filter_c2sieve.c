/*
 * filter_c2sieve: a native Fluent Bit filter over libc2sieve's public ABI.
 *
 * Reads each record's msgpack body directly (strings go to the library as
 * views into the chunk, no copy), evaluates it at field level, and returns
 * FLB_FILTER_NOTOUCH when no record of the chunk matches -- Fluent Bit then
 * keeps the chunk's bytes. When some do, the chunk is rebuilt: other records
 * are copied as raw msgpack, matching ones are enriched through the
 * library's JSON splice (the same merge rules as everywhere else).
 *
 * Config keys: rulesets (comma-separated files), exclusions (path or URL,
 * watched), watch_ms, profile, non_matching (keep | drop).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2sieve.h"

#define MAX_VALUES 512
#define MAX_PATH 256
#define MAX_NUMBERS 64

struct field_path {
    char *path;   /* dotted */
    int field;    /* >= 0: a field index; -1: only a prefix of fields */
};

struct c2s_ctx {
    struct flb_filter_instance *ins;
    c2s_engine *engine;
    pthread_key_t session_key;  /* one session per thread */
    struct field_path *paths;   /* sorted by path */
    size_t path_count;
    int drop;
    /* config map */
    flb_sds_t rulesets;
    flb_sds_t exclusions;
    int watch_ms;
    flb_sds_t profile;
    flb_sds_t non_matching;
};

/* Per-thread state: session, value array, number texts. */
struct c2s_thread {
    c2s_session *session;
    c2s_value values[MAX_VALUES];
    size_t count;
    char numbers[MAX_NUMBERS][32];
    size_t number_count;
};

static void thread_free(void *p)
{
    struct c2s_thread *t = p;
    if (t) {
        c2s_session_free(t->session);
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

static int path_cmp(const void *a, const void *b)
{
    return strcmp(((const struct field_path *) a)->path, ((const struct field_path *) b)->path);
}

static const struct field_path *find_path(struct c2s_ctx *ctx, const char *path)
{
    struct field_path key = { (char *) path, 0 };
    return bsearch(&key, ctx->paths, ctx->path_count, sizeof(key), path_cmp);
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
    (*paths)[*n].field = field;
    (*n)++;
    return 0;
}

static void add_value(struct c2s_thread *t, int field, const msgpack_object *o)
{
    c2s_value *v;
    if (t->count >= MAX_VALUES) {
        return;
    }
    v = &t->values[t->count];
    v->field = field;
    v->data = NULL;
    v->size = 0;
    switch (o->type) {
    case MSGPACK_OBJECT_STR:
        v->type = C2S_VALUE_STRING;
        v->data = o->via.str.ptr;
        v->size = o->via.str.size;
        break;
    case MSGPACK_OBJECT_BOOLEAN:
        v->type = o->via.boolean ? C2S_VALUE_TRUE : C2S_VALUE_FALSE;
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        if (t->number_count >= MAX_NUMBERS) {
            return;
        }
        /* Numbers compare as their decimal text, as a keyword field. */
        if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            snprintf(t->numbers[t->number_count], 32, "%llu",
                     (unsigned long long) o->via.u64);
        }
        else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            snprintf(t->numbers[t->number_count], 32, "%lld", (long long) o->via.i64);
        }
        else {
            snprintf(t->numbers[t->number_count], 32, "%.17g", o->via.f64);
        }
        v->type = C2S_VALUE_STRING;
        v->data = t->numbers[t->number_count];
        v->size = strlen(v->data);
        t->number_count++;
        break;
    case MSGPACK_OBJECT_NIL:
        v->type = C2S_VALUE_NULL;
        break;
    default:
        v->type = C2S_VALUE_OTHER;
    }
    t->count++;
}

static void walk(struct c2s_ctx *ctx, struct c2s_thread *t, const msgpack_object *map,
                 char *path, size_t prefix_len)
{
    uint32_t i, k;
    for (i = 0; i < map->via.map.size; i++) {
        const msgpack_object *key = &map->via.map.ptr[i].key;
        const msgpack_object *val = &map->via.map.ptr[i].val;
        const struct field_path *fp;
        size_t len;
        if (key->type != MSGPACK_OBJECT_STR) {
            continue;
        }
        len = prefix_len + (prefix_len ? 1 : 0) + key->via.str.size;
        if (len >= MAX_PATH) {
            continue;
        }
        if (prefix_len) {
            path[prefix_len] = '.';
        }
        memcpy(path + prefix_len + (prefix_len ? 1 : 0), key->via.str.ptr, key->via.str.size);
        path[len] = '\0';
        fp = find_path(ctx, path);
        if (!fp) {
            continue;
        }
        if (fp->field >= 0) {
            if (val->type == MSGPACK_OBJECT_ARRAY) {
                for (k = 0; k < val->via.array.size; k++) {
                    if (val->via.array.ptr[k].type != MSGPACK_OBJECT_ARRAY &&
                        val->via.array.ptr[k].type != MSGPACK_OBJECT_MAP) {
                        add_value(t, fp->field, &val->via.array.ptr[k]);
                    }
                }
            }
            else if (val->type != MSGPACK_OBJECT_MAP) {
                add_value(t, fp->field, val);
            }
        }
        if (val->type == MSGPACK_OBJECT_MAP) {
            walk(ctx, t, val, path, len);
        }
        else if (val->type == MSGPACK_OBJECT_ARRAY) {
            for (k = 0; k < val->via.array.size; k++) {
                if (val->via.array.ptr[k].type == MSGPACK_OBJECT_MAP) {
                    walk(ctx, t, &val->via.array.ptr[k], path, len);
                }
            }
        }
    }
}

/* 1 if the record matches, 0 if not, -1 on error (the record passes). */
static int evaluate(struct c2s_ctx *ctx, struct c2s_thread *t, const msgpack_object *body)
{
    char path[MAX_PATH];
    size_t matched = 0;
    if (body->type != MSGPACK_OBJECT_MAP) {
        return 0;
    }
    t->count = 0;
    t->number_count = 0;
    walk(ctx, t, body, path, 0);
    if (c2s_eval_fields(t->session, t->values, t->count, &matched) != C2S_OK) {
        flb_plg_error(ctx->ins, "%s", c2s_last_error());
        return -1;
    }
    return matched > 0;
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

static int cb_c2s_init(struct flb_filter_instance *ins, struct flb_config *config, void *data)
{
    struct c2s_ctx *ctx;
    c2s_engine_config cfg;
    c2s_source sources[16];
    size_t n = 0, i, cap = 0;
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
    if (ctx->rulesets) {
        list = strdup(ctx->rulesets);
        for (tok = strtok_r(list, ",", &save); tok && n < 16; tok = strtok_r(NULL, ",", &save)) {
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
    if (c2s_engine_create(&cfg, &ctx->engine) != C2S_OK) {
        flb_plg_error(ins, "%s", c2s_last_error());
        free(list);
        flb_free(ctx);
        return -1;
    }
    free(list);
    c2s_engine_set_log(ctx->engine, log_to_fluent_bit, ctx);
    if (ctx->exclusions) {
        c2s_watch_options w;
        c2s_watch_options_init(&w);
        w.source = ctx->exclusions;
        w.interval_ms = ctx->watch_ms > 0 ? (uint32_t) ctx->watch_ms : 5000;
        if (c2s_engine_watch_exclusions(ctx->engine, &w) != C2S_OK) {
            flb_plg_warn(ins, "exclusions: %s (still watching)", c2s_last_error());
        }
    }
    ctx->drop = ctx->non_matching && strcmp(ctx->non_matching, "drop") == 0;
    pthread_key_create(&ctx->session_key, thread_free);

    /* Every field path and every prefix of one, sorted for bsearch. */
    n = c2s_engine_field_count(ctx->engine);
    for (i = 0; i < n; i++) {
        const char *name = c2s_engine_field_name(ctx->engine, i);
        const char *dot;
        for (dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
            add_path(&ctx->paths, &ctx->path_count, &cap, name, dot - name, -1);
        }
        add_path(&ctx->paths, &ctx->path_count, &cap, name, strlen(name), (int) i);
    }
    qsort(ctx->paths, ctx->path_count, sizeof(*ctx->paths), path_cmp);
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
    struct flb_log_event_decoder dec;
    struct flb_log_event_encoder enc;
    struct flb_log_event ev;
    struct record_ref *recs = NULL;
    size_t records = 0, matches = 0, cap = 0, r, run_start, run_end;

    if (!t) {
        return FLB_FILTER_NOTOUCH;
    }
    /* One decoding pass: each record's verdict and raw byte range. Most
     * chunks have no match and stay untouched. */
    if (flb_log_event_decoder_init(&dec, (char *) data, bytes) != FLB_EVENT_DECODER_SUCCESS) {
        return FLB_FILTER_NOTOUCH;
    }
    while (flb_log_event_decoder_next(&dec, &ev) == FLB_EVENT_DECODER_SUCCESS) {
        if (records == cap) {
            struct record_ref *grown;
            cap = cap ? cap * 2 : 256;
            grown = realloc(recs, cap * sizeof(*recs));
            if (!grown) {
                free(recs);
                flb_log_event_decoder_destroy(&dec);
                return FLB_FILTER_NOTOUCH;
            }
            recs = grown;
        }
        recs[records].base = dec.record_base;
        recs[records].length = dec.record_length;
        recs[records].match = evaluate(ctx, t, ev.body) == 1;
        matches += recs[records].match;
        records++;
    }
    flb_log_event_decoder_destroy(&dec);
    if (matches == 0 && !ctx->drop) {
        free(recs);
        return FLB_FILTER_NOTOUCH;
    }

    /* Rebuild: runs of records that do not match are copied as one block of
     * raw bytes; matching records are enriched one by one. */
    flb_log_event_encoder_init(&enc, FLB_LOG_EVENT_FORMAT_DEFAULT);
    for (r = 0; r < records;) {
        if (recs[r].match) {
            emit_enriched(ctx, t, &enc, &recs[r]);
            r++;
            continue;
        }
        run_start = r;
        while (r < records && !recs[r].match) r++;
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
