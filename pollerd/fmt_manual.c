/*
 * manual: a service nobody polls. Its status comes from manual status
 * updates and webhooks (pollerd/inbox.c); the poll type exists so
 * services.yaml can list such a service, and its entry has no parser, no
 * URL and no keys. pollerd's cycle skips every service whose entry has no
 * parser.
 */
#include "format.h"

const struct fmt_entry fmt_manual_entry = {
    .name = "manual",
    .metric_label = "manual",
};
