/*
 * filter_noop: a native Fluent Bit filter that does no work per record --
 * the baselines the c2sieve plugin is measured against
 * (bench/fluent-bit/run.sh): the same plugin loading and filter-call
 * overhead, and
 *   copy off (default)  every chunk "not touched";
 *   copy on             every chunk returned "modified" as a copy of itself:
 *                       what Fluent Bit itself spends on a chunk a filter
 *                       changed (it counts the new chunk's records again and
 *                       takes the new buffer), with no work of the filter's.
 */
#include <fluent-bit/flb_info.h>
#include <fluent-bit/flb_filter.h>
#include <fluent-bit/flb_filter_plugin.h>
#include <fluent-bit/flb_config_map.h>
#include <fluent-bit/flb_mem.h>
#include <stddef.h>
#include <string.h>

struct noop_ctx {
    int copy;
};

static int cb_noop_init(struct flb_filter_instance *ins, struct flb_config *config, void *data)
{
    struct noop_ctx *ctx = flb_calloc(1, sizeof(*ctx));
    (void) config;
    (void) data;
    if (!ctx) {
        return -1;
    }
    if (flb_filter_config_map_set(ins, ctx) < 0) {
        flb_free(ctx);
        return -1;
    }
    flb_filter_set_context(ins, ctx);
    return 0;
}

static int cb_noop_filter(const void *data, size_t bytes, const char *tag, int tag_len,
                          void **out_buf, size_t *out_bytes, struct flb_filter_instance *ins,
                          struct flb_input_instance *in, void *context, struct flb_config *config)
{
    struct noop_ctx *ctx = context;
    void *copy;
    (void) tag; (void) tag_len; (void) ins; (void) in; (void) config;
    if (!ctx->copy || bytes == 0 || !(copy = flb_malloc(bytes))) {
        return FLB_FILTER_NOTOUCH;
    }
    memcpy(copy, data, bytes);
    *out_buf = copy;
    *out_bytes = bytes;
    return FLB_FILTER_MODIFIED;
}

static int cb_noop_exit(void *data, struct flb_config *config)
{
    (void) config;
    flb_free(data);
    return 0;
}

static struct flb_config_map config_map[] = {
    {FLB_CONFIG_MAP_BOOL, "copy", "false", 0, FLB_TRUE, offsetof(struct noop_ctx, copy),
     "Return every chunk modified, as a copy of itself."},
    {0}
};

struct flb_filter_plugin filter_noop_plugin = {
    .name = "noop",
    .description = "Does no work per record (a benchmark baseline)",
    .cb_init = cb_noop_init,
    .cb_filter = cb_noop_filter,
    .cb_exit = cb_noop_exit,
    .config_map = config_map,
    .flags = 0
};
