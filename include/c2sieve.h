/*
 * c2sieve.h -- C ABI of libc2sieve.
 *
 * libc2sieve tags DNS events that look like command and control over
 * commonly abused web services, with two Elastic rules built in: "Connection
 * to Commonly Abused Web Services" (Windows, rule_id
 * 66883649-f908-4a5b-a1e0-54090a1d3a32) and its Linux companion, the
 * building block "DNS to Commonly Abused Web Services" (rule_id
 * 8248323e-f888-4134-a26f-37a6362f7231). Matching events are enriched with
 * ECS rule.*, threat.*, tags and risk fields; users may load rulesets of
 * their own beside them or instead.
 *
 * Objects
 *   c2s_engine   Compiled rules plus the exclusions in force. Immutable apart
 *                from c2s_engine_set_exclusions(), which swaps the exclusions
 *                atomically. Shared by every thread.
 *   c2s_session  Per-thread scratch and output buffers. Use one session per
 *                thread (or guard it): a session is never used by two threads
 *                at once.
 *
 * Errors
 *   Every function that can fail returns a c2s_status. On failure a readable
 *   message (naming the file, line and JSON pointer where that applies) is
 *   available from c2s_last_error() on the same thread until that thread's
 *   next call into the library. No C++ exception ever crosses this interface.
 *
 * Thread safety (summary; each function repeats its own)
 *   - c2s_version, c2s_status_name, c2s_last_error: any thread, any time.
 *   - c2s_engine_*: any thread, concurrently, except c2s_engine_free, which
 *     must not race with other calls that pass the same handle.
 *   - c2s_session_* and c2s_eval_*: one thread at a time per session.
 *
 * This header is C99 and C++ compatible.
 */
#ifndef C2SIEVE_H
#define C2SIEVE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define C2S_API __declspec(dllexport)
#elif defined(__GNUC__)
#define C2S_API __attribute__((visibility("default")))
#else
#define C2S_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define C2S_VERSION_MAJOR 0
#define C2S_VERSION_MINOR 1
#define C2S_VERSION_PATCH 0
#define C2S_VERSION_NUMBER \
  (C2S_VERSION_MAJOR * 10000 + C2S_VERSION_MINOR * 100 + C2S_VERSION_PATCH)

/* The library's version as "MAJOR.MINOR.PATCH". Thread-safe. */
C2S_API const char *c2s_version(void);
/* C2S_VERSION_NUMBER of the library actually loaded. Thread-safe. */
C2S_API unsigned c2s_version_number(void);

typedef enum c2s_status {
  C2S_OK = 0,
  C2S_E_INVALID_ARGUMENT = 1, /* NULL handle, bad size, unknown field ... */
  C2S_E_RULESET = 2,          /* a ruleset failed to load or validate */
  C2S_E_EXCLUSIONS = 3,       /* an exclusions file failed to load/validate */
  C2S_E_IO = 4,               /* a file could not be read */
  C2S_E_COMPILE = 5,          /* patterns could not be compiled */
  C2S_E_EVENT = 6,            /* the event is not a JSON object, or too big or
                                 too deep: it was passed through unchanged */
  C2S_E_NOMEM = 7,
  C2S_E_INTERNAL = 8,
  C2S_E_PROFILE = 9           /* a source profile document failed to load */
} c2s_status;

/* Constant name of a status ("C2S_OK" ...). Thread-safe. */
C2S_API const char *c2s_status_name(int status);

/* Message of the last failed call on this thread, or "" if none.
 * Valid until this thread's next call into the library. Thread-safe. */
C2S_API const char *c2s_last_error(void);

/* ------------------------------------------------------------------ */
/* Engine                                                               */
/* ------------------------------------------------------------------ */

typedef struct c2s_engine c2s_engine;

/* A ruleset or exclusions document: either a file (data == NULL, name is
 * its path) or an in-memory buffer (data/size; name only labels errors). */
typedef struct c2s_source {
  const char *name;
  const char *data;
  size_t size;
} c2s_source;

/* How values are compared (see README, "Sources and canonical forms"). */
typedef enum c2s_match_mode {
  C2S_MODE_CANONICAL = 0, /* paths and domains canonicalized first (default) */
  C2S_MODE_PARITY = 1     /* raw values, exactly as Elasticsearch EQL */
} c2s_match_mode;

typedef struct c2s_engine_config {
  uint32_t struct_size;          /* set by c2s_engine_config_init() */
  int use_builtin_rulesets;      /* nonzero: load the built-in ruleset(s) */
  const c2s_source *rulesets;    /* extra rulesets, evaluated in one pass */
  size_t ruleset_count;
  const c2s_source *exclusions;  /* optional exclusions document, or NULL */
  const c2s_source *profiles;    /* extra source profile documents */
  size_t profile_count;
  const char *force_profile;     /* a profile name for every event, or NULL
                                    to detect each event's source */
  const char *enable_profiles;   /* comma-separated names of profiles that
                                    are off by default, or NULL */
  int mode;                      /* c2s_match_mode */
  size_t max_event_bytes;        /* larger events pass through as errors:
                                    64 .. 1073741824 (0: 16 MiB); a value out
                                    of range fails c2s_engine_create with
                                    C2S_E_INVALID_ARGUMENT */
  uint32_t max_depth;            /* deeper events pass through as errors:
                                    1 .. 4096 (0: 128) */
  const char *disable_rules;     /* comma-separated rule ids to switch off
                                    (e.g. one of the two built-in rules), or
                                    NULL; an id not loaded is an error */
  int building_blocks_as_tags;   /* nonzero: matches of building-block rules
                                    add only their tags and c2sieve.matches,
                                    not rule.*, threat.* or risk */
} c2s_engine_config;

/* Fills *config with defaults: built-in rulesets and profiles, per-event
 * source detection, canonical mode. Writes sizeof(c2s_engine_config) bytes:
 * until 1.0 the struct may grow, so a host (or an FFI declaration) must
 * match the header of the library it loads. Thread-safe. */
C2S_API void c2s_engine_config_init(c2s_engine_config *config);

/* Compiles an engine. On failure *out is NULL and c2s_last_error() names
 * the file, line and JSON pointer at fault. Thread-safe. */
C2S_API c2s_status c2s_engine_create(const c2s_engine_config *config,
                                     c2s_engine **out);

/* Shorthand for the built-in rulesets, no exclusions. Thread-safe. */
C2S_API c2s_status c2s_engine_create_default(c2s_engine **out);

/* Releases the caller's reference. Sessions created from the engine keep
 * it alive until they are freed. NULL is a no-op. Must not race with other
 * calls passing the same handle. */
C2S_API void c2s_engine_free(c2s_engine *engine);

/* Validates and compiles a new exclusions document and swaps it in
 * atomically; source == NULL removes all exclusions. Evaluations already
 * running finish on the version they started with; the next evaluation on
 * each session uses the new one. A document that fails leaves the version
 * in force untouched. Thread-safe; concurrent calls are serialized. */
C2S_API c2s_status c2s_engine_set_exclusions(c2s_engine *engine,
                                             const c2s_source *source);

/* Fields the loaded rules read, as dotted ECS names. Indices are stable for
 * the engine's lifetime (swaps never add or remove a field: fields an
 * exclusions document or a live ruleset's new version reads must already
 * be among them -- the rules' at creation, the exclusion fields listed in
 * the README, and dns.question.name). Thread-safe. */
C2S_API size_t c2s_engine_field_count(const c2s_engine *engine);
/* Name of field index i, or NULL if out of range. The string lives as long
 * as the engine. Thread-safe. */
C2S_API const char *c2s_engine_field_name(const c2s_engine *engine, size_t i);
/* Index of a dotted field name, or -1. Thread-safe. */
C2S_API int c2s_engine_field_index(const c2s_engine *engine, const char *name);

/* Number of rules, and their id / name (strings live as long as the
 * engine): every rule the engine has compiled, in the order first seen; a
 * live ruleset's new version may add rules, and a rule it drops stays
 * listed (with its counts). Thread-safe. */
C2S_API size_t c2s_engine_rule_count(const c2s_engine *engine);
C2S_API const char *c2s_engine_rule_id(const c2s_engine *engine, size_t i);
C2S_API const char *c2s_engine_rule_name(const c2s_engine *engine, size_t i);

typedef struct c2s_stats {
  uint64_t events;            /* evaluations */
  uint64_t matches;           /* evaluations where at least one rule matched */
  uint64_t errors;            /* events passed through for being malformed */
  uint64_t exclusion_swaps;   /* exclusions versions applied (reloads) */
  uint64_t exclusion_rejects; /* exclusions versions rejected, and reads or
                                 fetches of a watched source that failed */
  uint64_t excluded;          /* evaluations a rule's query matched but an
                                 exclusions entry covered (and no rule
                                 matched) */
  uint64_t prefiltered;       /* evaluations the prefilter decided (no rule
                                 could match) without reading the event:
                                 also in events, never in errors */
} c2s_stats;

/* The exclusions in force and the last attempt to change them. */
typedef struct c2s_exclusions_info {
  char origin[512];        /* file, URL or buffer name; "" if none applied */
  char hash[17];           /* 64-bit FNV-1a of the document, hex; "" if unknown */
  uint64_t entries;
  int64_t applied_unix_ms; /* when it was swapped in; 0 if never */
  uint64_t generation;     /* increases with every swap */
  char last_error[512];    /* why the last rejected version (or failed read or
                              fetch) failed */
  /* The watched source (c2s_engine_watch_exclusions) and how reading it
   * goes: a shipper stuck on stale exclusions shows an old
   * last_success_unix_ms and a growing consecutive_failures. */
  char source[512];             /* "" when nothing is watched */
  int64_t last_attempt_unix_ms; /* last read or fetch; 0 if none */
  int64_t last_success_unix_ms; /* last read or fetch that found a good
                                   version (applied, or unchanged) */
  uint64_t fetch_failures;      /* reads or fetches that failed (missing
                                   file, DNS, TLS, HTTP status ...) */
  uint64_t consecutive_failures;
} c2s_exclusions_info;

/* Copies the exclusions information (strings truncated to fit).
 * Thread-safe. */
C2S_API void c2s_engine_exclusions_info(const c2s_engine *engine,
                                        c2s_exclusions_info *out);

/* Where the engine reports reloads and rejected versions: level 0 info,
 * 1 warning, 2 error. fn == NULL restores the default (stderr). fn may be
 * called from the watcher's thread; it must be thread-safe. Thread-safe. */
typedef void (*c2s_log_fn)(void *user, int level, const char *message);
C2S_API void c2s_engine_set_log(c2s_engine *engine, c2s_log_fn fn, void *user);

typedef struct c2s_watch_options {
  uint32_t struct_size;     /* set by c2s_watch_options_init() */
  const char *source;       /* file path, file:///path, http:// or https://
                               URL; anything else is refused */
  uint32_t interval_ms;     /* how often to look: 10 .. 86400000
                               (0: 5000) */
  uint32_t timeout_ms;      /* per request: 100 .. 600000 (0: 10000) */
  const char *ca_file;      /* extra CA bundle for https, or NULL */
  int insecure_skip_verify; /* nonzero: no TLS verification (logged) */
} c2s_watch_options;

/* Fills *options with defaults (source NULL). Thread-safe. */
C2S_API void c2s_watch_options_init(c2s_watch_options *options);

/* Watches an exclusions source in a background thread: a file is re-read
 * when it changes (also when replaced by rename); a URL is polled with
 * If-None-Match / If-Modified-Since. Each new version is validated and
 * compiled off the hot path and swapped in atomically; a version that
 * fails, and a read or fetch that fails, is logged and counted
 * (exclusion_rejects, c2s_exclusions_info) and the last good one stays.
 * Replaces any previous watch.
 *
 * Returns C2S_E_INVALID_ARGUMENT (and logs it) for an empty source, a URL
 * scheme other than http, https or file, or an interval or timeout out of
 * range. A file is read once before the call returns, never blocking (only
 * regular files are read: a FIFO or device is refused), and the result of
 * that first read is returned (C2S_E_IO for a missing file,
 * C2S_E_EXCLUSIONS for an invalid document). A URL is first fetched on the
 * watch thread, so a slow server never holds up the caller: C2S_OK, and the
 * outcome goes to the log, the counters and c2s_engine_exclusions_info.
 * Watching goes on after a failed first attempt (the file may appear, the
 * server may come up later). Thread-safe. */
C2S_API c2s_status c2s_engine_watch_exclusions(c2s_engine *engine,
                                               const c2s_watch_options *options);

/* Stops watching (the exclusions in force stay); a fetch in flight is
 * abandoned, so this returns within about 50 ms. Thread-safe. */
C2S_API void c2s_engine_unwatch_exclusions(c2s_engine *engine);

/* Live rulesets (a threat-intelligence feed, or any rules): watches a
 * ruleset source as c2s_engine_watch_exclusions watches exclusions (same
 * options, same file and URL handling). Each new version is validated and
 * compiled with the engine's other rules and the exclusions in force, off
 * the hot path, and swapped in atomically; evaluations in flight finish on
 * their version. A version that fails (a bad document, a rule that reads a
 * field the engine did not read when it was created, exclusions that would
 * blind one of its rules), and a read or fetch that fails, is logged and
 * counted (c2s_engine_live_ruleset_info) and the last good version stays.
 * Several sources may be watched; watching a source again replaces its
 * watch. Feed indicators whose validity window opens or closes are added
 * or dropped by a recompile at the watchers' next look, without a push.
 *
 * A file's first version is read before the call returns (C2S_E_IO for a
 * missing file, C2S_E_RULESET for an invalid one); a URL is first fetched
 * on the watch thread (C2S_OK; the outcome goes to the log and the info).
 * c2s_engine_rule_count() grows as versions add rules; a rule a version
 * drops stays listed with its counts. Thread-safe. */
C2S_API c2s_status c2s_engine_watch_ruleset(c2s_engine *engine,
                                            const c2s_watch_options *options);

/* Stops watching `source` (NULL: every watched ruleset); the rules in force
 * stay. Returns within about 50 ms. Thread-safe. */
C2S_API void c2s_engine_unwatch_ruleset(c2s_engine *engine, const char *source);

/* A live ruleset source and how its versions go. */
typedef struct c2s_ruleset_info {
  char source[512];             /* the watched path or URL */
  char origin[512];             /* of the version in force; "" before one */
  char hash[17];                /* 64-bit FNV-1a of its bytes, hex */
  uint64_t rules;               /* rules in the version in force */
  uint64_t indicators;          /* feed indicators in it (in force or not) */
  int64_t applied_unix_ms;      /* when it was swapped in; 0 if never */
  uint64_t generation;          /* the engine generation it came with */
  char last_error[512];         /* why the last version, read or fetch failed */
  int64_t last_attempt_unix_ms; /* last read or fetch */
  int64_t last_success_unix_ms; /* last read or fetch that found a good
                                   version (applied, or unchanged) */
  uint64_t swaps;               /* versions applied */
  uint64_t rejects;             /* versions, reads and fetches that failed */
  uint64_t fetch_failures;      /* of those, reads and fetches */
  uint64_t consecutive_failures;
} c2s_ruleset_info;

/* Live ruleset sources the engine has had (watched now or before), and
 * one's information. Thread-safe. */
C2S_API size_t c2s_engine_live_ruleset_count(const c2s_engine *engine);
C2S_API c2s_status c2s_engine_live_ruleset_info(const c2s_engine *engine, size_t i,
                                                c2s_ruleset_info *out);

/* ------------------------------------------------------------------ */
/* Options by name                                                     */
/* ------------------------------------------------------------------ */

/* Every host configures the library the same way: options by name, as
 * text, checked by the library. The names are the CLI's long options
 * ("exclusions", "max-event-bytes", "mode" ...); a key may also be spelt
 * with '_' for '-' and in any case ("MAX_EVENT_BYTES"), as hosts write
 * their keys. c2s_option_count() and friends list them, with their help,
 * so a host's documentation and "-h" output come from the library. */
typedef struct c2s_options c2s_options;

/* An empty set of options (every option at its default). Thread-safe. */
C2S_API c2s_status c2s_options_create(c2s_options **out);
/* NULL is a no-op. */
C2S_API void c2s_options_free(c2s_options *options);

/* Sets one option. A repeatable option (ruleset, profiles,
 * enable-profile, disable-rule, tag) takes one value per call, added to
 * those set before; any other option set twice is an error. A flag takes
 * true/false (also on/off, yes/no, 1/0; NULL or "" means true). Returns
 * C2S_E_INVALID_ARGUMENT, with c2s_last_error() naming the valid keys (and
 * the nearest one), the range or the choices, for an unknown key or a bad
 * value; the options are then unchanged. One thread at a time per options
 * object. */
C2S_API c2s_status c2s_options_set(c2s_options *options, const char *key,
                                   const char *value);

/* The value of an option as the library reads it: the last value set, else
 * its default ("true"/"false" for flags, digits for numbers), or "" when
 * it has none; NULL for an unknown key. Hosts read the options they act on
 * themselves this way (only-matches). Valid until the next c2s_options_set
 * or free. */
C2S_API const char *c2s_options_get(const c2s_options *options, const char *key);

/* Where an engine created from these options logs (watcher, periodic
 * statistics), from its creation on; see c2s_engine_set_log. */
C2S_API void c2s_options_set_log(c2s_options *options, c2s_log_fn fn, void *user);

#define C2S_OPTION_REPEATABLE 1u /* each setting adds a value */
#define C2S_OPTION_FLAG 2u       /* true/false */
#define C2S_OPTION_HOST 4u       /* acted on by a host (wrapper, watcher,
                                    statistics), not by the CLI */

/* The options: count, name ("max-event-bytes"), help (one or more lines:
 * what it does, then "Value: " with its range or choices, default) and C2S_OPTION_*
 * flags. Strings are static. NULL / 0 out of range. Thread-safe. */
C2S_API size_t c2s_option_count(void);
C2S_API const char *c2s_option_name(size_t i);
C2S_API const char *c2s_option_help(size_t i);
C2S_API unsigned c2s_option_flags(size_t i);

/* Compiles an engine from options, as c2s_engine_create does from a
 * config, then (when "exclusions" is set) watches the exclusions source
 * with watch-interval-ms, fetch-timeout-ms, ca-file and
 * insecure-skip-verify, and (when stats-interval-s is not 0) logs the
 * counters every stats-interval-s seconds in one line:
 *   stats: records=R matches=M excluded=X errors=E reloads=A
 *   rejected_reloads=J exclusions=HASH@GENERATION rule.<id>=N ...
 * Exclusions that fail to load do not fail the call (events are then
 * evaluated without them, which can only add matches): the failure is
 * logged and counted and watching goes on; an exclusions setting that can
 * never work (a URL scheme other than http, https or file) does fail it,
 * with C2S_E_INVALID_ARGUMENT. Thread-safe. */
C2S_API c2s_status c2s_engine_create_with_options(const c2s_options *options,
                                                  c2s_engine **out);

/* Matches of rule i (as c2s_engine_rule_id) over all sessions; 0 for a
 * disabled rule or i out of range. Thread-safe. */
C2S_API uint64_t c2s_engine_rule_matches(const c2s_engine *engine, size_t i);

/* Counters summed over all sessions of the engine (live and freed).
 * Thread-safe; a snapshot, not a transaction. */
C2S_API void c2s_engine_stats(const c2s_engine *engine, c2s_stats *out);

/* ------------------------------------------------------------------ */
/* Session and evaluation                                              */
/* ------------------------------------------------------------------ */

typedef struct c2s_session c2s_session;

/* Creates per-thread scratch for an engine. Thread-safe. */
C2S_API c2s_status c2s_session_create(c2s_engine *engine, c2s_session **out);
/* Frees a session; NULL is a no-op. Not concurrently with its other use. */
C2S_API void c2s_session_free(c2s_session *session);

/* Value kinds for the field-level interface. */
typedef enum c2s_value_type {
  C2S_VALUE_STRING = 0, /* data/size hold the string's bytes (not escaped) */
  C2S_VALUE_TRUE = 1,
  C2S_VALUE_FALSE = 2,
  C2S_VALUE_NULL = 3,   /* JSON null: the field counts as missing */
  C2S_VALUE_OTHER = 4,  /* an object: present, matches no string */
  /* Numbers, typed: the library writes their text (what a keyword field
   * indexes) with the one formatter it also uses for JSON events: integers
   * in decimal, doubles in the shortest form that reads back the same. */
  C2S_VALUE_INT = 5,    /* number.i */
  C2S_VALUE_UINT = 6,   /* number.u */
  C2S_VALUE_DOUBLE = 7, /* number.d */
  /* In enrichment operations only (c2s_session_enrichment_ops): */
  C2S_VALUE_OBJECT = 8  /* data points to size c2s_member entries */
} c2s_value_type;

/* One value of one field. A field holding an array is passed as several
 * c2s_value with the same field index, in any order. Fields not passed are
 * missing. */
typedef struct c2s_value {
  int32_t field; /* index from c2s_engine_field_index() */
  int32_t type;  /* c2s_value_type */
  const char *data;
  size_t size;
  union {
    int64_t i;
    uint64_t u;
    double d;
  } number;      /* C2S_VALUE_INT, _UINT, _DOUBLE */
} c2s_value;

/* A member of a C2S_VALUE_OBJECT (in enrichment operations). */
typedef struct c2s_member {
  const char *key;
  size_t key_size;
  c2s_value value;
} c2s_member;

/* Field-level evaluation: the caller already holds the event's fields.
 * Returns C2S_OK and sets *matched_rules to the number of rules that match
 * (0 if none). With the prefilter on, the values of the fields its rules'
 * literals come from (the domain, and the fields profiles build it from)
 * are checked first; when none holds a literal, nothing else is read. Details via c2s_session_match() and c2s_session_enrichment().
 * The values are only read during the call. One thread per session. */
C2S_API c2s_status c2s_eval_fields(c2s_session *session,
                                   const c2s_value *values, size_t count,
                                   size_t *matched_rules);

/* The prefilter: a caseless literal scan of an event's raw bytes -- its
 * JSON text, or a host's encoding in which strings are their own bytes
 * (msgpack) -- for the literals the loaded rules cannot match without.
 * Sets *may_match to 0 when no rule can match an event with these bytes:
 * the evaluation is then done (counted as an event without a match;
 * c2s_session_match reports none) and the host passes the event on as it
 * is, without reading its fields. Sets it to 1 when the host must evaluate
 * (c2s_eval_fields); always 1 when the prefilter is off for the loaded
 * rules. Never 0 for an event a rule matches: bytes that could spell a
 * value otherwise than its parsed form (non-ASCII text, \u and \/ escapes,
 * %XX in domains) give 1. One thread per session. */
typedef enum c2s_encoding {
  C2S_ENCODING_JSON = 0,    /* the event's JSON text */
  C2S_ENCODING_MSGPACK = 1  /* whole msgpack items (a Fluent Bit record's
                               body map): only string payloads are checked
                               for spellings, header bytes are not text */
} c2s_encoding;

C2S_API c2s_status c2s_eval_prefilter(c2s_session *session, const char *bytes,
                                      size_t size, int encoding, int *may_match);

/* Whether the prefilter is on, with what ("on: N literals from R rules
 * (...)"), or why it is off ("off: rule X has no clause ..."). The string
 * lives as long as the engine. Thread-safe. */
C2S_API const char *c2s_engine_prefilter_info(const c2s_engine *engine);

/* One matched rule of the last evaluation on this session. */
typedef struct c2s_match {
  const char *rule_id;
  const char *rule_name;
  const char *field;   /* field whose pattern made the rule match */
  const char *pattern; /* the matching pattern, as written in the ruleset */
  const char *value;   /* the value it matched (NUL-terminated copy) */
  size_t value_size;
} c2s_match;

/* Fills *out with match i (0 <= i < matched_rules) of the last evaluation.
 * Pointers stay valid until the session's next evaluation or free. */
C2S_API c2s_status c2s_session_match(const c2s_session *session, size_t i,
                                     c2s_match *out);

/* The ECS fields the last evaluation's matches add, as one JSON object
 * ({"rule":{...},"threat":{...},"event":{...},"tags":[...],"c2sieve":{...}}),
 * for wrappers that merge it into their own record. *json is "{}" when
 * nothing matched (with the option mark-excluded, an event no rule matched
 * but an exclusion covered has {"c2sieve":{"excluded":{"rule_id":[...]},...}}).
 * Valid until the session's next evaluation or free. */
C2S_API c2s_status c2s_session_enrichment(const c2s_session *session,
                                          const char **json, size_t *size);

/* The enrichment as data: what the last evaluation's matches add, as
 * operations a host applies to its own record, in order, with one loop
 * (no JSON to parse):
 *   C2S_OP_SET     the field at `path` becomes the value (an array of the
 *                  values when is_array); maps on the way are created, and a
 *                  value already there that differs is kept aside (below);
 *   C2S_OP_APPEND  each value is appended to the array at `path` unless
 *                  already in it (tags): a string there becomes the first
 *                  element; anything else there that is not an array is
 *                  kept aside and the array starts empty.
 * Kept aside means: moved to c2sieve.displaced, a map from the dotted path
 * to the old value, so nothing the record carried is lost (values under
 * "c2sieve" are replaced, not kept). A key the record holds flattened
 * ("rule.name" at the top) is the same field as its nested spelling.
 * c2s_eval_json applies exactly these rules. Values are strings, numbers,
 * true and objects (c2sieve.matches). *ops is valid until the session's
 * next evaluation or free; *count is 0 when nothing matched, except that
 * with the option mark-excluded an event no rule matched but an exclusion
 * covered has operations (c2sieve.excluded.rule_id, c2sieve.version) and 0
 * matched rules: apply them as for a match, and drop it with only-matches. */
typedef enum c2s_op_kind { C2S_OP_SET = 0, C2S_OP_APPEND = 1 } c2s_op_kind;

typedef struct c2s_enrich_op {
  const char *path;                /* dotted ECS name: "rule.name" */
  const char *const *segments;     /* the path split at its dots */
  size_t segment_count;
  int32_t kind;                    /* c2s_op_kind */
  int32_t is_array;                /* C2S_OP_SET: the value is an array */
  const c2s_value *values;         /* field is -1 */
  size_t value_count;
} c2s_enrich_op;

C2S_API c2s_status c2s_session_enrichment_ops(const c2s_session *session,
                                              const c2s_enrich_op **ops,
                                              size_t *count);

/* Result of c2s_eval_json(). */
typedef struct c2s_output {
  const char *data;    /* the event's bytes: == input when not enriched */
  size_t size;
  size_t matched_rules;
  int enriched;        /* nonzero: data points into the session's buffer
                          (a match, or with mark-excluded an excluded event:
                          enriched with matched_rules 0) */
} c2s_output;

/* JSON evaluation of one event (one JSON object; surrounding whitespace is
 * allowed). A matching event is returned as the original bytes with the ECS
 * fields spliced in; any other event is returned as the very input pointer
 * and size, never re-serialized. A malformed event is also returned
 * unchanged, with C2S_E_EVENT and the error counter raised. With the
 * prefilter on (the option `prefilter`, default on), an event that is one
 * object ('{' ... '}', ASCII, no control byte but tab, CR, LF) within
 * max_event_bytes and holds none of the rules' literals is returned
 * unchanged without being parsed (C2S_OK, counted in `prefiltered`): a
 * syntax error inside such an event is then not counted. Output in the
 * session buffer stays valid until the session's next evaluation or free.
 * One thread per session. */
C2S_API c2s_status c2s_eval_json(c2s_session *session, const char *data,
                                 size_t size, c2s_output *out);

typedef struct c2s_batch_result {
  const char *data;       /* output NDJSON, owned by the session */
  size_t size;
  size_t lines;           /* input lines (a final line without \n counts) */
  size_t matched_lines;   /* lines a rule matched */
  size_t error_lines;     /* non-empty lines that were not JSON objects */
} c2s_batch_result;

/* NDJSON evaluation: every input line yields exactly one output line, in
 * order, enriched or byte-for-byte unchanged (blank and malformed lines
 * too). With only_matches nonzero, only lines a rule matched are written. Each
 * output line ends with '\n'. Output valid until the session's next
 * evaluation or free. One thread per session. */
C2S_API c2s_status c2s_eval_ndjson(c2s_session *session, const char *data,
                                   size_t size, int only_matches,
                                   c2s_batch_result *out);

#ifdef __cplusplus
}
#endif
#endif /* C2SIEVE_H */
