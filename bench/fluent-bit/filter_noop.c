/*
 * filter_noop: a native Fluent Bit filter that touches nothing -- the
 * baseline the c2sieve plugin is measured against (bench/fluent-bit/run.sh):
 * the same plugin loading and filter-call overhead, no work per record.
 */
#include <fluent-bit/flb_info.h>
#include <fluent-bit/flb_filter.h>
#include <fluent-bit/flb_filter_plugin.h>

static int cb_noop_init(struct flb_filter_instance *ins, struct flb_config *config, void *data)
{
    (void) config;
    (void) data;
    flb_filter_set_context(ins, NULL);
    return 0;
}

static int cb_noop_filter(const void *data, size_t bytes, const char *tag, int tag_len,
                          void **out_buf, size_t *out_bytes, struct flb_filter_instance *ins,
                          struct flb_input_instance *in, void *context, struct flb_config *config)
{
    (void) data; (void) bytes; (void) tag; (void) tag_len; (void) out_buf; (void) out_bytes;
    (void) ins; (void) in; (void) context; (void) config;
    return FLB_FILTER_NOTOUCH;
}

static int cb_noop_exit(void *data, struct flb_config *config)
{
    (void) data;
    (void) config;
    return 0;
}

struct flb_filter_plugin filter_noop_plugin = {
    .name = "noop",
    .description = "Touches nothing (a benchmark baseline)",
    .cb_init = cb_noop_init,
    .cb_filter = cb_noop_filter,
    .cb_exit = cb_noop_exit,
    .config_map = NULL,
    .flags = 0
};
