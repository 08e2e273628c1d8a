/*
 * filter_c2sieve: a native Fluent Bit filter over libc2sieve's public ABI.
 *
 * One pass over each chunk's raw msgpack bytes (no msgpack_object tree, no
 * JSON): the fields the engine reads go to the library as views into the
 * chunk (numbers typed), and FLB_FILTER_NOTOUCH is returned when no record
 * of the chunk matches, so Fluent Bit keeps its bytes. When some do, the
 * chunk is rebuilt: other records are copied as raw bytes, and a matching
 * record's map is rewritten with the library's enrichment operations
 * applied (c2sieve.h's merge rules: maps merged into, tags appended, a value
 * in the way kept under c2sieve.displaced).
 *
 * Configuration: the library's options, by name with '_' for '-'
 * (ruleset, exclusions, mode, only_matches, tag, max_event_bytes ...). The
 * config map is built from the library's option table when the plugin is
 * loaded, so `fluent-bit -e flb-filter_c2sieve.so -F c2sieve -h` prints the
 * library's own help, Fluent Bit refuses unknown keys, and repeatable
 * options (ruleset, tag ...) may be given several times or, in YAML, as a
 * list. Values are checked by the library: a bad one stops Fluent Bit at
 * start with a message naming the range or choices.
 *
 * Metrics (Fluent Bit's /api/v2/metrics/prometheus), from the library's
 * counters after each chunk: fluentbit_c2sieve_records_total,
 * _matches_total, _rule_matches_total{rule_id}, _excluded_total,
 * _errors_total, _exclusions_reloads_total, _exclusions_rejected_total and
 * _exclusions_version{hash} (1 for the version in force).
 */
#include <fluent-bit/flb_info.h>
#include <fluent-bit/flb_filter.h>
#include <fluent-bit/flb_filter_plugin.h>
#include <fluent-bit/flb_config_map.h>
#include <fluent-bit/flb_kv.h>
#include <fluent-bit/flb_log_event_encoder.h>
#include <fluent-bit/flb_mem.h>
#include <fluent-bit/flb_metrics.h>
#include <fluent-bit/flb_sds.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2sieve.h"
#include "msgpack_reader.h"
#include "msgpack_writer.h"

/* The engine's field paths as a tree of their dot-separated components
 * (node 0 is the root). A record's key is looked up among the children of
 * the node its map sits at, so a key costs a hash of its own bytes, not of
 * the whole dotted path; a key holding dots ("dns.question.name", as
 * flattened records have) is followed component by component, which reads
 * nested, flattened and mixed spellings alike. */
struct field_path {
    char *name;   /* this component */
    size_t len;
    int parent;   /* node index; -1 for the root */
    int field;    /* >= 0: a field index; -1: only a prefix of fields */
    uint64_t child_lengths;  /* bit n: a child is n bytes long (bit 63: 63 or more) */
    int memo_row;            /* a node with children: its row of a key_memo; else -1 */
};

/* The bit of child_lengths a key of `len` bytes has: most keys of a record
 * are no child of the node their map is at, and most of those are told by
 * their length alone, before any hashing. */
static uint64_t length_bit(size_t len)
{
    return UINT64_C(1) << (len < 63 ? len : 63);
}

/* A slot of the path table. A component of at most 16 bytes is held as
 * two words (key_words), so most record keys are found with two word
 * compares and no call. */
struct path_slot {
    uint64_t a, b;   /* key_words() of the component (len <= 16) */
    int32_t parent;
    uint32_t len;
    int32_t node;    /* index into paths + 1; 0 = empty */
};

/* A path tree's nodes, in an open-addressing table keyed by (parent,
 * component) (a power of two, at most half full): one hash and one compare
 * per record key. */
struct path_table {
    struct field_path *paths;
    size_t path_count, cap;
    struct path_slot *path_slots;
    uint32_t slot_mask;
    size_t memo_rows;  /* the nodes with children */
};

/* What the key at a position of a map at a node led to, the last time:
 * records of one source repeat their keys in the same order, so most keys
 * are told by three compares instead of a look-up. A row of MEMO_KEYS
 * positions for each node with children, one per thread and table. */
#define MEMO_KEYS 32
struct key_memo {
    uint64_t a, b;  /* key_words of the key */
    uint32_t len;   /* UINT32_MAX: empty */
    int32_t node;   /* find_key's answer */
};

struct c2s_ctx {
    struct flb_filter_instance *ins;
    c2s_engine *engine;
    pthread_key_t session_key;  /* one session per thread */
    struct path_table fields;   /* every field the engine reads */
    int only_matches;
#ifdef FLB_HAVE_METRICS
    struct cmt_counter *m_records, *m_matches, *m_rule_matches, *m_excluded, *m_errors,
                       *m_reloads, *m_rejected;
    struct cmt_gauge *m_version;
    char version_hash[17];
#endif
};

/* Per-thread state: the session and the value array, which grows to what a
 * record holds (no cap of the plugin's own: the library has none). */
/* How a thread's records pass the library's gate (c2s_eval_gate: the few
 * fields that show no rule can match -- most records are decided by their
 * domain alone, without reading the rest). */
enum gate_mode {
    GATE_NOT_ASKED,  /* the list is to be asked for (first, or stale) */
    GATE_FIELDS,     /* the gate's fields are walked, then the gate asked */
    GATE_EMPTY,      /* the rules have no gate: asked with no values, which
                        answers 1 (evaluate) or 2 (a new version gates) */
    GATE_BROKEN      /* the list could not be had or held: every record is
                        evaluated in full, and the gate never asked (a list
                        taken but not walked would make it answer 0) */
};

struct c2s_thread {
    const c2s_engine *engine;
    c2s_session *session;
    c2s_value *values;
    size_t count, capacity;
    int incomplete;  /* a value of the current record could not be kept */
    enum gate_mode gate_mode;
    struct path_table gate;  /* GATE_FIELDS: the gate's fields */
    struct key_memo *gate_memo, *fields_memo;  /* NULL: none (memory out) */
    /* What the enrichment writes into, kept across matches: a matching
     * record, the map being rewritten at each depth (each level allocated
     * on its own, so a deeper one never moves it), a leaf's new value. */
    struct mpw record;
    struct mpw **levels;
    size_t level_count;
    struct mpw value;
};

static void path_table_free(struct path_table *pt);
static struct key_memo *memo_new(const struct path_table *pt);

static void thread_free(void *p)
{
    struct c2s_thread *t = p;
    if (t) {
        c2s_session_free(t->session);
        path_table_free(&t->gate);
        free(t->gate_memo);
        free(t->fields_memo);
        free(t->values);
        mpw_free(&t->record);
        mpw_free(&t->value);
        while (t->level_count > 0) {
            mpw_free(t->levels[--t->level_count]);
            free(t->levels[t->level_count]);
        }
        free(t->levels);
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
    t->engine = ctx->engine;
    t->fields_memo = memo_new(&ctx->fields);
    pthread_setspecific(ctx->session_key, t);
    return t;
}

static uint64_t load_le(const char *p, int n)
{
    uint64_t v = 0;
    memcpy(&v, p, (size_t) n);  /* the byte order is the same for a key and its entry */
    return v;
}

/* Two words that, with the length, tell apart any two keys of at most 16
 * bytes: windows at both ends that overlap to cover every byte. */
static void key_words(const char *p, size_t len, uint64_t *a, uint64_t *b)
{
    if (len >= 8) {
        *a = load_le(p, 8);
        *b = load_le(p + len - 8, 8);
    }
    else if (len >= 4) {
        *a = load_le(p, 4);
        *b = load_le(p + len - 4, 4);
    }
    else if (len > 0) {
        *a = (uint64_t) (unsigned char) p[0] | (uint64_t) (unsigned char) p[len / 2] << 8 |
             (uint64_t) (unsigned char) p[len - 1] << 16;
        *b = 0;
    }
    else {
        *a = *b = 0;
    }
}

/* Whether a word holds the byte '.' (bytes beyond a short key are 0). */
static int has_dot(uint64_t x)
{
    uint64_t y = x ^ UINT64_C(0x2e2e2e2e2e2e2e2e);
    return ((y - UINT64_C(0x0101010101010101)) & ~y & UINT64_C(0x8080808080808080)) != 0;
}

static uint32_t slot_of(const struct path_table *pt, int parent, const char *p, size_t len,
                        uint64_t a, uint64_t b)
{
    uint64_t h;
    if (len > 16) {
        size_t i;
        h = 1469598103934665603u;  /* FNV-1a */
        for (i = 0; i < len; i++) {
            h = (h ^ (unsigned char) p[i]) * 1099511628211u;
        }
    }
    else {
        h = a * UINT64_C(0x9e3779b97f4a7c15) ^ b * UINT64_C(0xc2b2ae3d27d4eb4f);
    }
    h ^= ((uint64_t) len << 32 | (uint32_t) parent) * UINT64_C(0x165667b19e3779f9);
    h ^= h >> 29;
    return (uint32_t) h & pt->slot_mask;
}

/* The child `name` of node `parent`, or -1. */
static int find_child(const struct path_table *pt, int parent, const char *name, size_t len,
                      uint64_t a, uint64_t b)
{
    uint32_t i;
    const struct path_slot *s;
    if (!(pt->paths[parent].child_lengths & length_bit(len))) {
        return -1;
    }
    i = slot_of(pt, parent, name, len, a, b);
    for (s = &pt->path_slots[i]; s->node; i = (i + 1) & pt->slot_mask, s = &pt->path_slots[i]) {
        if (s->parent != parent || s->len != len) continue;
        if (len <= 16 ? s->a == a && s->b == b
                      : memcmp(pt->paths[s->node - 1].name, name, len) == 0) {
            return s->node - 1;
        }
    }
    return -1;
}

/* A flattened key ("dns.question.name"): component by component. */
static int find_dotted(const struct path_table *pt, int parent, const char *key, size_t len)
{
    uint64_t a = 0, b = 0;
    const char *dot;
    for (dot = memchr(key, '.', len); ; dot = memchr(key, '.', len)) {
        size_t part = dot ? (size_t) (dot - key) : len;
        if (part <= 16) key_words(key, part, &a, &b);
        parent = find_child(pt, parent, key, part, a, b);
        if (parent < 0 || !dot) return parent;
        len -= part + 1;
        key = dot + 1;
    }
}

/* find_key for a key of at most 16 bytes whose key_words are a and b. */
static int find_short_key(const struct path_table *pt, int parent, const char *key, size_t len,
                          uint64_t a, uint64_t b)
{
    if (!has_dot(a) && !has_dot(b)) {
        return find_child(pt, parent, key, len, a, b);
    }
    return find_dotted(pt, parent, key, len);
}

/* The node a record key leads to from `parent` (dots in the key followed
 * as path separators), or -1 when it is neither a field nor a prefix. */
static int find_key(const struct path_table *pt, int parent, const char *key, size_t len)
{
    if (len <= 16) {
        uint64_t a, b;
        key_words(key, len, &a, &b);
        return find_short_key(pt, parent, key, len, a, b);
    }
    if (!memchr(key, '.', len)) {
        return find_child(pt, parent, key, len, 0, 0);
    }
    return find_dotted(pt, parent, key, len);
}

/* find_key for the key at position `k` of a map at `parent`, through the
 * memo when there is one. */
static int find_key_at(const struct path_table *pt, struct key_memo *memo, int parent, uint64_t k,
                       const char *key, size_t len)
{
    const struct field_path *fp = &pt->paths[parent];
    struct key_memo *km;
    uint64_t a, b;
    int node;
    if (fp->memo_row < 0) {
        return -1;  /* no children: no key leads anywhere */
    }
    if (!memo || k >= MEMO_KEYS || len > 16) {
        return find_key(pt, parent, key, len);
    }
    km = &memo[(size_t) fp->memo_row * MEMO_KEYS + k];
    key_words(key, len, &a, &b);
    if (km->len == len && km->a == a && km->b == b) {
        return km->node;
    }
    node = find_short_key(pt, parent, key, len, a, b);
    km->a = a;
    km->b = b;
    km->len = (uint32_t) len;
    km->node = node;
    return node;
}

/* An empty memo for `pt`, or NULL when memory is out (walks then look
 * every key up). */
static struct key_memo *memo_new(const struct path_table *pt)
{
    size_t i, n = pt->memo_rows * MEMO_KEYS;
    struct key_memo *memo = malloc((n ? n : 1) * sizeof(*memo));
    if (!memo) return NULL;
    for (i = 0; i < n; i++) {
        memo[i].len = UINT32_MAX;
    }
    return memo;
}

/* Adds (or finds) the child `name` of `parent` while the table is built;
 * returns its index, or -1 when memory is out. */
static int add_node(struct path_table *pt, int parent, const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < pt->path_count; i++) {
        if (pt->paths[i].parent == parent && pt->paths[i].len == len &&
            memcmp(pt->paths[i].name, name, len) == 0) {
            return (int) i;
        }
    }
    if (pt->path_count == pt->cap) {
        struct field_path *grown;
        size_t cap = pt->cap ? pt->cap * 2 : 64;
        grown = realloc(pt->paths, cap * sizeof(*grown));
        if (!grown) {
            return -1;
        }
        pt->paths = grown;
        pt->cap = cap;
    }
    pt->paths[pt->path_count].name = strndup(name, len);
    if (!pt->paths[pt->path_count].name) {
        return -1;
    }
    pt->paths[pt->path_count].len = len;
    pt->paths[pt->path_count].parent = parent;
    pt->paths[pt->path_count].field = -1;
    pt->paths[pt->path_count].child_lengths = 0;
    pt->paths[pt->path_count].memo_row = -1;
    if (parent >= 0) {
        pt->paths[parent].child_lengths |= length_bit(len);
    }
    return (int) pt->path_count++;
}

static void path_table_free(struct path_table *pt)
{
    size_t i;
    for (i = 0; i < pt->path_count; i++) {
        free(pt->paths[i].name);
    }
    free(pt->paths);
    free(pt->path_slots);
    memset(pt, 0, sizeof(*pt));
}

/* The tree of the engine's fields `fields` (n of them; all the engine's
 * fields when NULL), hashed. Returns 0 when memory is out (*pt is then
 * empty). */
static int path_table_build(struct path_table *pt, const c2s_engine *engine,
                            const int32_t *fields, size_t n)
{
    size_t i, slots;
    memset(pt, 0, sizeof(*pt));
    if (add_node(pt, -1, "", 0) != 0) goto nomem;  /* node 0: the root */
    for (i = 0; i < n; i++) {
        int field = fields ? fields[i] : (int) i;
        const char *name = c2s_engine_field_name(engine, (size_t) field);
        const char *dot;
        int node = 0;
        if (!name) goto nomem;  /* no such field: not a table to trust */
        for (dot = strchr(name, '.'); dot; name = dot + 1, dot = strchr(name, '.')) {
            node = add_node(pt, node, name, (size_t) (dot - name));
            if (node < 0) goto nomem;
        }
        node = add_node(pt, node, name, strlen(name));
        if (node < 0) goto nomem;
        pt->paths[node].field = field;
    }
    for (slots = 64; slots < 2 * pt->path_count; slots *= 2);
    pt->path_slots = calloc(slots, sizeof(*pt->path_slots));
    if (!pt->path_slots) goto nomem;
    pt->slot_mask = (uint32_t) (slots - 1);
    for (i = 1; i < pt->path_count; i++) {  /* the root is no key's child */
        const struct field_path *fp = &pt->paths[i];
        uint64_t a = 0, b = 0;
        uint32_t slot;
        if (fp->len <= 16) key_words(fp->name, fp->len, &a, &b);
        slot = slot_of(pt, fp->parent, fp->name, fp->len, a, b);
        while (pt->path_slots[slot].node) {
            slot = (slot + 1) & pt->slot_mask;
        }
        pt->path_slots[slot].a = a;
        pt->path_slots[slot].b = b;
        pt->path_slots[slot].parent = fp->parent;
        pt->path_slots[slot].len = (uint32_t) fp->len;
        pt->path_slots[slot].node = (int) i + 1;
    }
    for (i = 0; i < pt->path_count; i++) {
        if (pt->paths[i].child_lengths) pt->paths[i].memo_row = (int) pt->memo_rows++;
    }
    return 1;
nomem:
    path_table_free(pt);
    return 0;
}

/* ---- A cursor over raw msgpack bytes: msgpack_reader.h ------------------ */


/* Room for one more value; 0 when memory is out, and the caller then
 * reports the record as not evaluated (it is kept). */
static int grow(struct c2s_thread *t)
{
    if (t->count == t->capacity) {
        size_t cap = t->capacity ? t->capacity * 2 : 64;
        c2s_value *v = realloc(t->values, cap * sizeof(*v));
        if (!v) return 0;
        t->values = v;
        t->capacity = cap;
    }
    return 1;
}

static int walk_array(const struct path_table *pt, struct key_memo *memo, struct c2s_thread *t,
                      struct mp *m, uint64_t n, int node, int depth);

/* Strings as views into the chunk; numbers typed: the library writes their
 * text with the one formatter every host shares. */
static int add_value(struct c2s_thread *t, int field, const struct mp_item *it)
{
    c2s_value *v;
    if (!grow(t)) {
        return 0;
    }
    v = &t->values[t->count];
    memset(v, 0, sizeof(*v));
    v->field = field;
    switch (it->kind) {
    case MP_STR:
        v->type = C2S_VALUE_STRING;
        v->data = it->data;
        v->size = it->size;
        break;
    case MP_TRUE:
        v->type = C2S_VALUE_TRUE;
        break;
    case MP_FALSE:
        v->type = C2S_VALUE_FALSE;
        break;
    case MP_UINT:
        v->type = C2S_VALUE_UINT;
        v->number.u = it->u;
        break;
    case MP_INT:
        v->type = C2S_VALUE_INT;
        v->number.i = it->i;
        break;
    case MP_FLOAT:
        v->type = C2S_VALUE_DOUBLE;
        v->number.d = it->f;
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

/* Walks a map whose header was just read (`entries` pairs) at path node
 * `node`, collecting the values of the engine's fields; consumes the whole
 * map. */
static int walk(const struct path_table *pt, struct key_memo *memo, struct c2s_thread *t,
                struct mp *m, uint64_t entries, int node)
{
    struct mp_item key, val;
    uint64_t k;
    for (k = 0; k < entries; k++) {
        int child;
        int field;
        if (!mp_next(m, &key)) return 0;
        if (key.kind != MP_STR) {
            if ((key.kind == MP_ARRAY || key.kind == MP_MAP) &&
                !mp_skip(m, key.kind == MP_MAP ? 2 * key.u : key.u)) return 0;
            if (!mp_skip_one(m)) return 0;
            continue;
        }
        child = find_key_at(pt, memo, node, k, key.data, key.size);
        if (child < 0) {
            if (!mp_skip_one(m)) return 0;  /* neither a field nor a prefix of one */
            continue;
        }
        field = pt->paths[child].field;
        if (!mp_next(m, &val)) return 0;
        if (val.kind == MP_MAP) {
            /* an object at a field: present, matching no string */
            if (field >= 0 && !add_value(t, field, &val)) t->incomplete = 1;
            if (!walk(pt, memo, t, m, val.u, child)) return 0;
        }
        else if (val.kind == MP_ARRAY) {
            if (!walk_array(pt, memo, t, m, val.u, child, 0)) return 0;
        }
        else if (field >= 0) {
            if (!add_value(t, field, &val)) t->incomplete = 1;
        }
    }
    return 1;
}

/* The elements of an array under a field or a prefix of one: a field
 * holding an array matches if any element does; arrays of objects are read
 * as their members' fields; nested arrays are flattened, as Elasticsearch
 * indexes them (depth bounded like the maps'). */
static int walk_array(const struct path_table *pt, struct key_memo *memo, struct c2s_thread *t,
                      struct mp *m, uint64_t n, int node, int depth)
{
    struct mp_item elem;
    uint64_t k;
    int field = pt->paths[node].field;
    for (k = 0; k < n; k++) {
        if (!mp_next(m, &elem)) return 0;
        if (elem.kind == MP_MAP) {
            if (field >= 0 && !add_value(t, field, &elem)) t->incomplete = 1;
            if (!walk(pt, memo, t, m, elem.u, node)) return 0;
        }
        else if (elem.kind == MP_ARRAY) {
            if (depth >= 64) {
                t->incomplete = 1;  /* too deep to read: kept, not guessed */
                if (!mp_skip(m, elem.u)) return 0;
            }
            else if (!walk_array(pt, memo, t, m, elem.u, node, depth + 1)) {
                return 0;
            }
        }
        else if (field >= 0) {
            if (!add_value(t, field, &elem)) t->incomplete = 1;
        }
    }
    return 1;
}

/* (Re)reads the gate's fields from the session: the first time, and after
 * the gate said a new version of the rules gates on other fields. */
static void gate_refresh(struct c2s_thread *t)
{
    const int32_t *fields = NULL;
    size_t n = 0;
    path_table_free(&t->gate);
    free(t->gate_memo);
    t->gate_memo = NULL;
    t->gate_mode = GATE_BROKEN;
    if (c2s_session_gate_fields(t->session, &fields, &n) != C2S_OK) {
        return;
    }
    if (n == 0) {
        t->gate_mode = GATE_EMPTY;
    }
    else if (path_table_build(&t->gate, t->engine, fields, n)) {
        t->gate_memo = memo_new(&t->gate);
        t->gate_mode = GATE_FIELDS;
    }
}

/* The first phase, on a body map whose header was just read (`entries`
 * pairs): the gate's fields walked (the body consumed) and the gate asked.
 * Returns 0 when no rule can match (the record is decided and counted), 1
 * when the record is to be read in full from its body's header, 2 when
 * nothing was read (the caller walks the body in full), -1 when the bytes
 * are malformed. A gate that cannot be trusted never answers 0: a record
 * not read whole, an error of the library's, a stale list (read in full,
 * the list asked for again before the next record). */
static int gate(struct c2s_thread *t, struct mp *m, uint64_t entries)
{
    int may_match = 1;
    if (t->gate_mode == GATE_NOT_ASKED || t->gate_mode == GATE_BROKEN) {
        gate_refresh(t);
    }
    if (t->gate_mode == GATE_BROKEN) {
        return 2;
    }
    if (t->gate_mode == GATE_EMPTY) {
        if (c2s_eval_gate(t->session, NULL, 0, &may_match) == C2S_OK && may_match == 2) {
            t->gate_mode = GATE_NOT_ASKED;
        }
        return 2;
    }
    t->count = 0;
    t->incomplete = 0;
    if (!walk(&t->gate, t->gate_memo, t, m, entries, 0)) return -1;
    if (t->incomplete) {
        return 1;
    }
    if (c2s_eval_gate(t->session, t->values, t->count, &may_match) != C2S_OK) {
        return 1;
    }
    if (may_match == 2) {
        t->gate_mode = GATE_NOT_ASKED;
    }
    return may_match == 0 ? 0 : 1;
}

/* One record's place in the chunk: its bytes, its head ([timestamp,
 * metadata] or the timestamp) and its body map. */
struct record_ref {
    const unsigned char *base;
    size_t length;
    const unsigned char *head;    /* the head item's bytes */
    size_t head_length;
    const unsigned char *body;    /* the body map's header */
    int match;                    /* 0 no, 1 yes, 2 not evaluated (kept) */
};

/* Reads one record from the cursor. Returns 1 and fills *rec (match: 1 if
 * the record matches, 0 if not, 2 if it could not be evaluated -- the
 * library failed, memory ran out: such a record is kept as it came, also
 * with only_matches). Returns 0 if the bytes are not a record (the caller
 * leaves the chunk as is). */
static int evaluate_next(struct c2s_ctx *ctx, struct c2s_thread *t, struct mp *m,
                         struct record_ref *rec)
{
    struct mp_item outer, head, body;
    size_t matched = 0;
    rec->base = m->p;
    rec->match = 0;
    rec->body = NULL;
    /* [[timestamp, metadata], body] (Fluent Bit >= 2.1) or [timestamp, body] */
    if (!mp_next(m, &outer) || outer.kind != MP_ARRAY || outer.u != 2) return 0;
    rec->head = m->p;
    if (!mp_next(m, &head)) return 0;
    if (head.kind == MP_ARRAY) {
        if (!mp_skip(m, head.u)) return 0;
    }
    else if (head.kind == MP_MAP) {
        return 0;
    }
    rec->head_length = (size_t) (m->p - rec->head);
    rec->body = m->p;
    if (!mp_next(m, &body)) return 0;
    if (body.kind != MP_MAP) {
        if (body.kind == MP_ARRAY && !mp_skip(m, body.u)) return 0;
        rec->length = (size_t) (m->p - rec->base);
        return 1;
    }
    switch (gate(t, m, body.u)) {
    case -1:
        return 0;
    case 0:
        rec->length = (size_t) (m->p - rec->base);
        return 1;  /* decided by the gate: no rule can match */
    case 1: {
        /* The gate's walk consumed the body: it is read again in full. */
        struct mp again = { rec->body, m->end };
        struct mp_item header;
        t->count = 0;
        t->incomplete = 0;
        if (!mp_next(&again, &header) || !walk(&ctx->fields, t->fields_memo, t, &again, header.u, 0)) return 0;
        m->p = again.p;
        break;
    }
    default:  /* no gate walk: the body is walked here once */
        t->count = 0;
        t->incomplete = 0;
        if (!walk(&ctx->fields, t->fields_memo, t, m, body.u, 0)) return 0;
    }
    rec->length = (size_t) (m->p - rec->base);
    if (t->incomplete) {
        flb_plg_error(ctx->ins, "a record could not be read whole; kept as it came");
        rec->match = 2;
        return 1;
    }
    if (c2s_eval_fields(t->session, t->values, t->count, &matched) != C2S_OK) {
        flb_plg_error(ctx->ins, "%s; the record is kept as it came", c2s_last_error());
        rec->match = 2;
        return 1;
    }
    rec->match = matched > 0;
    return 1;
}

/* ---- The enrichment, applied into the record's map -----------------------
 * The library's operations as a tree of paths (rule -> id, name ...). The
 * record's body map is rewritten once: keys that are no path of the tree are
 * copied as raw bytes, maps on a path are merged into, leaves are set or
 * appended to, and paths the record lacks are added at the end of their map.
 * A first pass only finds what is in the way (kept under c2sieve.displaced,
 * as c2sieve.h says); the second writes. */
#define MAX_PATH 256  /* a displaced value's dotted path */
#define KEPT_BUFFER_LIMIT (1024 * 1024)  /* larger buffers are freed after use */

struct op_node {
    const char *name;
    size_t name_len;
    const c2s_enrich_op *op;   /* a leaf; NULL for a map on the way */
    int displaced_leaf;        /* c2sieve.displaced, written from `kept` */
    int first_child, next;     /* indices into nodes; -1: none */
    int done;
};

struct kept_item {
    char *path;
    const unsigned char *raw;
    size_t raw_length;
};

struct merge {
    struct op_node *nodes;
    size_t count, cap;
    struct kept_item *kept;
    size_t kept_count, kept_cap;
    int collect;               /* first pass: note what is in the way */
    int failed;                /* memory ran out */
    struct c2s_thread *t;      /* its buffers */
};

/* The thread's buffer for a map `depth` levels down, emptied; NULL when
 * memory ran out (then mg->failed). */
static struct mpw *level_buffer(struct merge *mg, size_t depth)
{
    struct c2s_thread *t = mg->t;
    struct mpw *w;
    while (t->level_count <= depth) {
        struct mpw **grown = realloc(t->levels, (t->level_count + 1) * sizeof(*grown));
        if (!grown) break;
        t->levels = grown;
        t->levels[t->level_count] = malloc(sizeof(struct mpw));
        if (!t->levels[t->level_count]) break;
        mpw_init(t->levels[t->level_count]);
        t->level_count++;
    }
    if (t->level_count <= depth) {
        mg->failed = 1;
        return NULL;
    }
    w = t->levels[depth];
    w->size = 0;
    w->failed = 0;
    return w;
}

/* The child of `parent` named `name`, or -1. */
static int tree_child(const struct merge *mg, int parent, const char *name, size_t len)
{
    int c;
    for (c = mg->nodes[parent].first_child; c >= 0; c = mg->nodes[c].next) {
        if (mg->nodes[c].name_len == len && memcmp(mg->nodes[c].name, name, len) == 0) {
            return c;
        }
    }
    return -1;
}

/* The child of `parent` named `name`, added when missing. */
static int node_child(struct merge *mg, int parent, const char *name, size_t len)
{
    int c = tree_child(mg, parent, name, len);
    struct op_node *n;
    if (c >= 0) return c;
    if (mg->count == mg->cap) {
        size_t cap = mg->cap ? mg->cap * 2 : 64;
        struct op_node *grown = realloc(mg->nodes, cap * sizeof(*grown));
        if (!grown) {
            mg->failed = 1;
            return -1;
        }
        mg->nodes = grown;
        mg->cap = cap;
    }
    n = &mg->nodes[mg->count];
    memset(n, 0, sizeof(*n));
    n->name = name;
    n->name_len = len;
    n->first_child = -1;
    /* appended at the end of the parent's children: the library's order */
    n->next = -1;
    if (mg->nodes[parent].first_child < 0) {
        mg->nodes[parent].first_child = (int) mg->count;
    }
    else {
        for (c = mg->nodes[parent].first_child; mg->nodes[c].next >= 0; c = mg->nodes[c].next);
        mg->nodes[c].next = (int) mg->count;
    }
    return (int) mg->count++;
}

static int build_tree(struct merge *mg, const c2s_enrich_op *ops, size_t n)
{
    size_t k, s;
    mg->cap = 64;
    mg->nodes = malloc(mg->cap * sizeof(*mg->nodes));
    if (!mg->nodes) return 0;
    memset(&mg->nodes[0], 0, sizeof(mg->nodes[0]));
    mg->nodes[0].first_child = -1;
    mg->nodes[0].next = -1;
    mg->count = 1;
    for (k = 0; k < n; k++) {
        int at = 0;
        for (s = 0; s < ops[k].segment_count; s++) {
            at = node_child(mg, at, ops[k].segments[s], strlen(ops[k].segments[s]));
            if (at < 0) return 0;
        }
        mg->nodes[at].op = &ops[k];
    }
    return 1;
}

static void keep_aside(struct merge *mg, const char *path, const unsigned char *raw, size_t len)
{
    struct kept_item *it;
    /* Our own leaves are rewritten on re-enrichment; anything else is kept. */
    if (!mg->collect || strncmp(path, "c2sieve.", 8) == 0) {
        return;
    }
    if (mg->kept_count == mg->kept_cap) {
        size_t cap = mg->kept_cap ? mg->kept_cap * 2 : 8;
        struct kept_item *grown = realloc(mg->kept, cap * sizeof(*grown));
        if (!grown) {
            mg->failed = 1;
            return;
        }
        mg->kept = grown;
        mg->kept_cap = cap;
    }
    it = &mg->kept[mg->kept_count];
    it->path = strdup(path);
    if (!it->path) {
        mg->failed = 1;
        return;
    }
    it->raw = raw;
    it->raw_length = len;
    mg->kept_count++;
}

static void pack_value(struct mpw *w, const c2s_value *v)
{
    size_t i;
    switch (v->type) {
    case C2S_VALUE_STRING: mpw_str(w, v->data, v->size); break;
    case C2S_VALUE_INT: mpw_int(w, v->number.i); break;
    case C2S_VALUE_UINT: mpw_uint(w, v->number.u); break;
    case C2S_VALUE_DOUBLE: mpw_double(w, v->number.d); break;
    case C2S_VALUE_TRUE: mpw_bool(w, 1); break;
    case C2S_VALUE_FALSE: mpw_bool(w, 0); break;
    case C2S_VALUE_OBJECT: {
        const c2s_member *members = (const c2s_member *) v->data;
        mpw_map(w, v->size);
        for (i = 0; i < v->size; i++) {
            mpw_str(w, members[i].key, members[i].key_size);
            pack_value(w, &members[i].value);
        }
        break;
    }
    default:
        mpw_nil(w);
    }
}

static void pack_op(struct mpw *w, const c2s_enrich_op *op)
{
    size_t i;
    if (op->kind == C2S_OP_APPEND || op->is_array) {
        mpw_array(w, op->value_count);
        for (i = 0; i < op->value_count; i++) pack_value(w, &op->values[i]);
    }
    else if (op->value_count > 0) {
        pack_value(w, &op->values[0]);
    }
    else {
        mpw_nil(w);
    }
}

static void pack_kept(struct merge *mg, struct mpw *w)
{
    size_t i;
    mpw_map(w, mg->kept_count);
    for (i = 0; i < mg->kept_count; i++) {
        mpw_str(w, mg->kept[i].path, strlen(mg->kept[i].path));
        mpw_raw(w, mg->kept[i].raw, mg->kept[i].raw_length);
    }
}

static size_t count_pending(struct merge *mg, int node)
{
    size_t n = 0;
    int c;
    for (c = mg->nodes[node].first_child; c >= 0; c = mg->nodes[c].next) n += !mg->nodes[c].done;
    return n;
}

/* Writes the children of `node` not written yet (a map the record lacks is
 * created whole). */
static void pack_pending(struct merge *mg, struct mpw *w, int node)
{
    int c;
    for (c = mg->nodes[node].first_child; c >= 0; c = mg->nodes[c].next) {
        struct op_node *n = &mg->nodes[c];
        if (n->done) continue;
        n->done = 1;
        mpw_str(w, n->name, n->name_len);
        if (n->op) {
            pack_op(w, n->op);
        }
        else if (n->displaced_leaf) {
            pack_kept(mg, w);
        }
        else {
            mpw_map(w, count_pending(mg, c));
            pack_pending(mg, w, c);
        }
    }
}

/* The new value of an APPEND leaf (tags): the record's list and the values
 * not in it yet. */
static void pack_append(struct merge *mg, struct mpw *w, const c2s_enrich_op *op,
                        const char *path, const unsigned char *raw, size_t raw_length)
{
    struct mp m = { raw, raw + raw_length };
    struct mp_item old, e;
    size_t i, added = 0;
    const unsigned char *elements;
    char *fresh = calloc(op->value_count ? op->value_count : 1, 1);
    if (!fresh) {
        mg->failed = 1;
        return;
    }
    mp_next(&m, &old);
    elements = m.p;
    for (i = 0; i < op->value_count; i++) {
        const c2s_value *v = &op->values[i];
        int present = 0;
        if (old.kind == MP_STR) {
            present = v->type == C2S_VALUE_STRING && v->size == old.size &&
                      memcmp(v->data, old.data, old.size) == 0;
        }
        else if (old.kind == MP_ARRAY) {
            struct mp scan = { elements, raw + raw_length };
            uint64_t k;
            for (k = 0; k < old.u && !present; k++) {
                const unsigned char *at = scan.p;
                if (!mp_next(&scan, &e)) break;
                if (e.kind == MP_ARRAY || e.kind == MP_MAP) {
                    scan.p = at;
                    if (!mp_skip(&scan, 1)) break;
                    continue;
                }
                present = e.kind == MP_STR && v->type == C2S_VALUE_STRING && v->size == e.size &&
                          memcmp(v->data, e.data, e.size) == 0;
            }
        }
        fresh[i] = !present;
        added += !present;
    }
    if (old.kind == MP_STR) {
        mpw_array(w, 1 + added);
        mpw_raw(w, raw, raw_length);
    }
    else if (old.kind == MP_ARRAY) {
        mpw_array(w, old.u + added);
        mpw_raw(w, elements, raw_length - (size_t) (elements - raw));
    }
    else {
        if (old.kind != MP_NIL) keep_aside(mg, path, raw, raw_length);
        mpw_array(w, op->value_count);
        memset(fresh, 1, op->value_count);
    }
    for (i = 0; i < op->value_count; i++) {
        if (fresh[i]) pack_value(w, &op->values[i]);
    }
    free(fresh);
}

/* The tree node a top-level key spelt with dots ("rule.name") stands for,
 * if it is a leaf: the same field as its nested spelling. */
static int flattened_leaf(struct merge *mg, const char *key, size_t len)
{
    int at = 0;
    size_t b = 0, e;
    while (b <= len) {
        int c;
        for (e = b; e < len && key[e] != '.'; e++);
        c = tree_child(mg, at, key + b, e - b);
        if (c < 0) return -1;
        at = c;
        b = e + 1;
    }
    return mg->nodes[at].op ? at : -1;
}

/* Rewrites a map whose header was just read from m (`entries` pairs),
 * merged with the tree below `node`; consumes the map. */
static int merge_map(struct merge *mg, struct mpw *parent, struct mp *m, uint64_t entries,
                     int node, const char *prefix, size_t depth)
{
    /* The map's pairs go to a buffer of its depth first: its header, written
     * to the parent at the end, needs their count. */
    struct mpw *sb = level_buffer(mg, depth);
    uint64_t count = 0;
    char path[MAX_PATH];
    int ok = 1, top = depth == 0;
    if (!sb) return 0;
    while (entries-- > 0 && ok) {
        const unsigned char *key_start = m->p, *value_start;
        struct mp_item key, val;
        int c = -1;
        if (!mp_next(m, &key)) { ok = 0; break; }
        if (key.kind == MP_STR) {
            c = tree_child(mg, node, key.data, key.size);
            if (c < 0 && top && memchr(key.data, '.', key.size)) {
                c = flattened_leaf(mg, key.data, key.size);
            }
        }
        else if ((key.kind == MP_ARRAY || key.kind == MP_MAP) &&
                 !mp_skip(m, key.kind == MP_MAP ? 2 * key.u : key.u)) { ok = 0; break; }
        value_start = m->p;
        if (!mp_skip(m, 1)) { ok = 0; break; }
        if (c < 0) {  /* not ours: the raw bytes */
            mpw_raw(sb, key_start, (size_t) (m->p - key_start));
            count++;
            continue;
        }
        if (c > 0 && mg->nodes[c].name_len != key.size) {
            snprintf(path, sizeof(path), "%.*s", (int) key.size, key.data);  /* flattened */
        }
        else {
            snprintf(path, sizeof(path), "%s%s%.*s", prefix, *prefix ? "." : "",
                     (int) key.size, key.data);
        }
        {
            struct mp v = { value_start, m->p };
            struct op_node *n = &mg->nodes[c];
            size_t raw_length = (size_t) (m->p - value_start);
            mp_next(&v, &val);
            if (n->op || n->displaced_leaf) {
                mpw_raw(sb, key_start, (size_t) (value_start - key_start));
                if (n->displaced_leaf) {
                    pack_kept(mg, sb);
                }
                else if (n->op->kind == C2S_OP_APPEND) {
                    pack_append(mg, sb, n->op, path, value_start, raw_length);
                }
                else {
                    /* The same bytes as the record's value: the same value
                     * (both are msgpack-c's encodings), nothing displaced. */
                    struct mpw *nv = &mg->t->value;
                    nv->size = 0;
                    nv->failed = 0;
                    pack_op(nv, n->op);
                    if (nv->failed) mg->failed = 1;
                    if (val.kind != MP_NIL &&
                        (nv->size != raw_length || memcmp(nv->data, value_start, raw_length) != 0)) {
                        keep_aside(mg, path, value_start, raw_length);
                    }
                    mpw_raw(sb, nv->data, nv->size);
                }
                n->done = 1;
                count++;
            }
            else if (val.kind == MP_MAP) {
                mpw_raw(sb, key_start, (size_t) (value_start - key_start));
                if (!merge_map(mg, sb, &v, val.u, c, path, depth + 1)) { ok = 0; break; }
                n->done = 1;
                count++;
            }
            else if (val.kind != MP_NIL) {
                /* A value where the enrichment has a map: kept aside; the
                 * map is written with the pending paths. */
                keep_aside(mg, path, value_start, raw_length);
            }
        }
    }
    if (ok) {
        count += count_pending(mg, node);
        pack_pending(mg, sb, node);
        if (sb->failed) mg->failed = 1;
        mpw_map(parent, count);
        mpw_raw(parent, sb->data, sb->size);
    }
    return ok && !mg->failed;
}

/* Whether the map whose header was just read from m (`entries` pairs) holds
 * anything the first pass could keep aside under the tree's `node`: a key
 * at a leaf, a value that is no map where the tree has a map, a flattened
 * top-level key (any key with a dot). When nothing is, the first pass is
 * skipped (it would find nothing); when unsure, it runs. Consumes the map;
 * returns -1 when the bytes cannot be read. */
static int in_the_way(struct merge *mg, struct mp *m, uint64_t entries, int node, int top)
{
    struct mp_item key, val;
    int found = 0;
    while (entries-- > 0) {
        int c = -1;
        if (!mp_next(m, &key)) return -1;
        if (key.kind == MP_STR && !found) {
            if (top && memchr(key.data, '.', key.size)) {
                found = 1;
            }
            c = tree_child(mg, node, key.data, key.size);
        }
        else if ((key.kind == MP_ARRAY || key.kind == MP_MAP) &&
                 !mp_skip(m, key.kind == MP_MAP ? 2 * key.u : key.u)) {
            return -1;
        }
        if (c < 0) {
            if (!mp_skip(m, 1)) return -1;
            continue;
        }
        if (mg->nodes[c].op || mg->nodes[c].displaced_leaf) {
            found = 1;
            if (!mp_skip(m, 1)) return -1;
            continue;
        }
        if (!mp_next(m, &val)) return -1;
        if (val.kind == MP_MAP) {
            int r = in_the_way(mg, m, val.u, c, 0);
            if (r < 0) return -1;
            found |= r;
        }
        else {
            found = 1;
            if ((val.kind == MP_ARRAY) && !mp_skip(m, val.u)) return -1;
        }
    }
    return found;
}

static void merge_free(struct merge *mg)
{
    size_t i;
    for (i = 0; i < mg->kept_count; i++) free(mg->kept[i].path);
    free(mg->kept);
    free(mg->nodes);
}

/* Writes the matching record [head, body + enrichment] into out. Returns 0
 * when it cannot (the caller keeps the record as it came). */
static int enrich_record(struct c2s_thread *t, const struct record_ref *rec, struct mpw *out)
{
    const c2s_enrich_op *ops = NULL;
    size_t n = 0, i;
    struct merge mg;
    struct mp_item body;
    int ok = 0, pass;
    memset(&mg, 0, sizeof(mg));
    mg.t = t;
    if (c2s_session_enrichment_ops(t->session, &ops, &n) != C2S_OK || n == 0) return 0;
    if (!build_tree(&mg, ops, n)) goto done;
    {
        /* Most records hold nothing in the enrichment's way: then the
         * first pass, which only looks for such things, is not needed. */
        struct mp m = { rec->body, rec->base + rec->length };
        int r = mp_next(&m, &body) && body.kind == MP_MAP ? in_the_way(&mg, &m, body.u, 0, 1) : -1;
        if (r < 0) goto done;
        pass = r ? 0 : 1;
    }
    for (; pass < 2; pass++) {
        struct mp m = { rec->body, rec->base + rec->length };
        mg.collect = pass == 0;
        for (i = 0; i < mg.count; i++) mg.nodes[i].done = 0;
        if (pass == 1 && mg.kept_count > 0) {
            int c2sieve = node_child(&mg, 0, "c2sieve", 7);
            int displaced = c2sieve < 0 ? -1 : node_child(&mg, c2sieve, "displaced", 9);
            if (displaced < 0) goto done;
            mg.nodes[displaced].displaced_leaf = 1;
        }
        if (!mp_next(&m, &body) || body.kind != MP_MAP) goto done;
        /* The first pass writes too (what it finds in the way depends on
         * it), into `out`, emptied again for the second. */
        out->size = 0;
        out->failed = 0;
        if (pass == 1) {
            mpw_array(out, 2);
            mpw_raw(out, rec->head, rec->head_length);
        }
        ok = merge_map(&mg, out, &m, body.u, 0, "", 0) && !mg.failed && !out->failed;
        if (!ok) goto done;
    }
done:
    merge_free(&mg);
    return ok;
}

/* After a chunk: buffers an outsized record grew are given back, so one
 * huge match does not keep its memory for the life of the thread. */
static void trim_enrichment_buffers(struct c2s_thread *t)
{
    size_t i;
    mpw_trim(&t->record, KEPT_BUFFER_LIMIT);
    mpw_trim(&t->value, KEPT_BUFFER_LIMIT);
    for (i = 0; i < t->level_count; i++) mpw_trim(t->levels[i], KEPT_BUFFER_LIMIT);
}

/* ---- Set-up, metrics and the callback ----------------------------------- */

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

#ifdef FLB_HAVE_METRICS
static void metrics_create(struct c2s_ctx *ctx)
{
    struct cmt *cmt = ctx->ins->cmt;
    char *name[] = {"name"};
    char *rule[] = {"name", "rule_id"};
    char *hash[] = {"name", "hash"};
    ctx->m_records = cmt_counter_create(cmt, "fluentbit", "c2sieve", "records_total",
                                        "Records evaluated.", 1, name);
    ctx->m_matches = cmt_counter_create(cmt, "fluentbit", "c2sieve", "matches_total",
                                        "Records a rule matched.", 1, name);
    ctx->m_rule_matches = cmt_counter_create(cmt, "fluentbit", "c2sieve", "rule_matches_total",
                                             "Matches per rule.", 2, rule);
    ctx->m_excluded = cmt_counter_create(cmt, "fluentbit", "c2sieve", "excluded_total",
                                         "Records a rule's query matched but an exclusion covered.",
                                         1, name);
    ctx->m_errors = cmt_counter_create(cmt, "fluentbit", "c2sieve", "errors_total",
                                       "Records passed through unevaluated.", 1, name);
    ctx->m_reloads = cmt_counter_create(cmt, "fluentbit", "c2sieve", "exclusions_reloads_total",
                                        "Exclusions versions applied.", 1, name);
    ctx->m_rejected = cmt_counter_create(cmt, "fluentbit", "c2sieve",
                                         "exclusions_rejected_total",
                                         "Exclusions versions rejected, and failed reads or fetches.",
                                         1, name);
    ctx->m_version = cmt_gauge_create(cmt, "fluentbit", "c2sieve", "exclusions_version",
                                      "1 for the exclusions version in force (by hash).", 2, hash);
}

/* The library's counters, copied into Fluent Bit's metrics. */
static void metrics_update(struct c2s_ctx *ctx)
{
    c2s_stats s;
    c2s_exclusions_info info;
    uint64_t ts = cfl_time_now();
    char *name = (char *) flb_filter_name(ctx->ins);
    size_t i, n;
    if (!ctx->m_records) return;
    c2s_engine_stats(ctx->engine, &s);
    cmt_counter_set(ctx->m_records, ts, (double) s.events, 1, &name);
    cmt_counter_set(ctx->m_matches, ts, (double) s.matches, 1, &name);
    cmt_counter_set(ctx->m_excluded, ts, (double) s.excluded, 1, &name);
    cmt_counter_set(ctx->m_errors, ts, (double) s.errors, 1, &name);
    cmt_counter_set(ctx->m_reloads, ts, (double) s.exclusion_swaps, 1, &name);
    cmt_counter_set(ctx->m_rejected, ts, (double) s.exclusion_rejects, 1, &name);
    n = c2s_engine_rule_count(ctx->engine);
    for (i = 0; i < n; i++) {
        char *labels[2] = {name, (char *) c2s_engine_rule_id(ctx->engine, i)};
        cmt_counter_set(ctx->m_rule_matches, ts, (double) c2s_engine_rule_matches(ctx->engine, i),
                        2, labels);
    }
    c2s_engine_exclusions_info(ctx->engine, &info);
    {
        char *now[2] = {name, info.hash[0] ? info.hash : "none"};
        if (strcmp(ctx->version_hash, now[1]) != 0) {
            if (ctx->version_hash[0]) {
                char *old[2] = {name, ctx->version_hash};
                cmt_gauge_set(ctx->m_version, ts, 0, 2, old);
            }
            snprintf(ctx->version_hash, sizeof(ctx->version_hash), "%s", now[1]);
        }
        cmt_gauge_set(ctx->m_version, ts, 1, 2, now);
    }
}
#else
static void metrics_create(struct c2s_ctx *ctx) { (void) ctx; }
static void metrics_update(struct c2s_ctx *ctx) { (void) ctx; }
#endif

static int cb_c2s_exit(void *data, struct flb_config *config);

static int cb_c2s_init(struct flb_filter_instance *ins, struct flb_config *config, void *data)
{
    struct c2s_ctx *ctx;
    c2s_options *options = NULL;
    struct mk_list *head;
    struct flb_kv *kv;
    (void) data;

    ctx = flb_calloc(1, sizeof(*ctx));
    if (!ctx) {
        return -1;
    }
    ctx->ins = ins;
    if (c2s_options_create(&options) != C2S_OK) {
        flb_free(ctx);
        return -1;
    }
    /* Every property goes to the library, which checks it (Fluent Bit has
     * already refused keys that are no option, and repeated ones that take
     * one value). */
    mk_list_foreach(head, &ins->properties) {
        kv = mk_list_entry(head, struct flb_kv, _head);
        if (c2s_options_set(options, kv->key, kv->val) != C2S_OK) {
            flb_plg_error(ins, "%s: %s", kv->key, c2s_last_error());
            c2s_options_free(options);
            flb_free(ctx);
            return -1;
        }
    }
    c2s_options_set_log(options, log_to_fluent_bit, ctx);
    if (c2s_engine_create_with_options(options, &ctx->engine) != C2S_OK) {
        flb_plg_error(ins, "%s", c2s_last_error());
        c2s_options_free(options);
        flb_free(ctx);
        return -1;
    }
    ctx->only_matches = strcmp(c2s_options_get(options, "only-matches"), "true") == 0;
    /* Marked excluded records would be rebuilt like matches but kept apart
     * from them; this plugin does not do that yet: refused, not ignored. */
    if (strcmp(c2s_options_get(options, "mark-excluded"), "true") == 0) {
        flb_plg_error(ins, "mark_excluded is not supported by the native plugin "
                           "(use the Lua filter with c2sieve.lua)");
        c2s_engine_free(ctx->engine);
        c2s_options_free(options);
        flb_free(ctx);
        return -1;
    }
    c2s_options_free(options);
    pthread_key_create(&ctx->session_key, thread_free);

    /* The field paths as a tree of components (node 0 the root), hashed. */
    if (!path_table_build(&ctx->fields, ctx->engine, NULL, c2s_engine_field_count(ctx->engine))) {
        goto nomem;
    }
    metrics_create(ctx);
    metrics_update(ctx);
    flb_plg_info(ins, "c2sieve %s, %zu rule(s)", c2s_version(), c2s_engine_rule_count(ctx->engine));
    flb_filter_set_context(ins, ctx);
    return 0;
nomem:
    flb_plg_error(ins, "out of memory");
    cb_c2s_exit(ctx, config);
    return -1;
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
    size_t records = 0, matches = 0, kept = 0, cap = 0, r, run_start;
    (void) tag; (void) tag_len; (void) ins; (void) in; (void) config;

    if (!t) {
        return FLB_FILTER_NOTOUCH;
    }
    /* One pass over the raw bytes: each record's verdict and byte range.
     * Most chunks have no match and stay untouched. */
    {
        struct mp m = { (const unsigned char *) data, (const unsigned char *) data + bytes };
        while (m.p < m.end) {
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
            if (!evaluate_next(ctx, t, &m, &recs[records])) {
                flb_plg_warn(ctx->ins, "a chunk is not the msgpack records expected; left untouched");
                free(recs);
                metrics_update(ctx);
                return FLB_FILTER_NOTOUCH;
            }
            /* A match is enriched now, while the session holds its verdict. */
            if (recs[records].match == 1) {
                matches++;
            }
            kept += recs[records].match == 2;
            records++;
            if (recs[records - 1].match == 1) {
                break;  /* the rebuild below takes it from here */
            }
        }
        if (matches == 0) {
            metrics_update(ctx);
            if (!ctx->only_matches || kept == records) {
                free(recs);
                return FLB_FILTER_NOTOUCH;
            }
        }
        /* Rebuild: records before the first match as they came (or dropped
         * with only_matches), then record by record to the end. */
        flb_log_event_encoder_init(&enc, FLB_LOG_EVENT_FORMAT_DEFAULT);
        for (r = 0; r < records;) {
            if (recs[r].match == 1) {
                if (enrich_record(t, &recs[r], &t->record)) {
                    flb_log_event_encoder_emit_raw_record(&enc, (const char *) t->record.data,
                                                          t->record.size);
                }
                else {
                    /* Never lose a record: pass it as it came. */
                    flb_plg_warn(ctx->ins, "a matching record could not be enriched; passed as it came");
                    flb_log_event_encoder_emit_raw_record(&enc, (const char *) recs[r].base,
                                                          recs[r].length);
                }
                r++;
                continue;
            }
            run_start = r;
            while (r < records && recs[r].match != 1 &&
                   (recs[r].match == 2) == (recs[run_start].match == 2)) r++;
            if (!ctx->only_matches || recs[run_start].match == 2) {
                const unsigned char *b = recs[run_start].base;
                const unsigned char *e = recs[r - 1].base + recs[r - 1].length;
                flb_log_event_encoder_emit_raw_record(&enc, (const char *) b, (size_t) (e - b));
            }
        }
        /* The rest of the chunk, one record at a time (each match enriched
         * right after its evaluation). */
        while (m.p < m.end) {
            struct record_ref rec;
            if (!evaluate_next(ctx, t, &m, &rec)) {
                flb_plg_warn(ctx->ins, "a chunk is not the msgpack records expected; left untouched");
                trim_enrichment_buffers(t);
                flb_log_event_encoder_destroy(&enc);
                free(recs);
                metrics_update(ctx);
                return FLB_FILTER_NOTOUCH;
            }
            if (rec.match == 1) {
                if (enrich_record(t, &rec, &t->record)) {
                    flb_log_event_encoder_emit_raw_record(&enc, (const char *) t->record.data,
                                                          t->record.size);
                    continue;
                }
                flb_plg_warn(ctx->ins, "a matching record could not be enriched; passed as it came");
            }
            else if (rec.match == 0 && ctx->only_matches) {
                continue;
            }
            flb_log_event_encoder_emit_raw_record(&enc, (const char *) rec.base, rec.length);
        }
    }
    trim_enrichment_buffers(t);
    free(recs);
    metrics_update(ctx);
    *out_buf = enc.output_buffer;
    *out_bytes = enc.output_length;
    flb_log_event_encoder_claim_internal_buffer_ownership(&enc);
    flb_log_event_encoder_destroy(&enc);
    return FLB_FILTER_MODIFIED;
}

static int cb_c2s_exit(void *data, struct flb_config *config)
{
    struct c2s_ctx *ctx = data;
    (void) config;
    if (!ctx) {
        return 0;
    }
    c2s_engine_free(ctx->engine);
    path_table_free(&ctx->fields);
    flb_free(ctx);
    return 0;
}

struct flb_filter_plugin filter_c2sieve_plugin = {
    .name = "c2sieve",
    .description = "Tag command and control over commonly abused web services",
    .cb_init = cb_c2s_init,
    .cb_filter = cb_c2s_filter,
    .cb_exit = cb_c2s_exit,
    .config_map = NULL,  /* built from the library's options when loaded */
    .flags = 0
};

/* The config map is the library's option table: names with '_' for '-',
 * the library's help as the description, repeatable options as multiple
 * entries. Built when the plugin is loaded (libc2sieve is loaded first, as
 * this plugin's dependency), before Fluent Bit reads the plugin. Values are
 * kept as text for the library to check (no offset: read from the
 * instance's properties). */
__attribute__((constructor)) static void build_config_map(void)
{
    size_t n = c2s_option_count(), i, k;
    struct flb_config_map *map = calloc(n + 1, sizeof(*map));
    if (!map) {
        return;  /* Fluent Bit then refuses every key: the filter cannot start */
    }
    for (i = 0; i < n; i++) {
        char *name = strdup(c2s_option_name(i));
        if (!name) {
            return;
        }
        for (k = 0; name[k]; k++) {
            if (name[k] == '-') name[k] = '_';
        }
        map[i].type = FLB_CONFIG_MAP_STR;
        map[i].name = name;
        map[i].def_value = NULL;
        map[i].flags = (c2s_option_flags(i) & C2S_OPTION_REPEATABLE) ? FLB_CONFIG_MAP_MULT : 0;
        map[i].set_property = FLB_FALSE;
        map[i].offset = 0;
        /* One paragraph: Fluent Bit wraps the text itself. */
        map[i].desc = strdup(c2s_option_help(i));
        if (!map[i].desc) {
            return;
        }
        for (k = 0; map[i].desc[k]; k++) {
            if (map[i].desc[k] == '\n') map[i].desc[k] = ' ';
        }
    }
    filter_c2sieve_plugin.config_map = map;
}
