/*
 * polltype: the poll types as a C enum and the registry's format rows, both
 * from $(BUILD)/poll_types.def, which mk/poll_types.c prints from pollerd's
 * format table (doc/formats.md#adding-a-format). They are kept out of
 * vocab.h on purpose: pollerd's parsers include vocab.h for the failure kinds
 * and are linked into that printer, so vocab.h cannot depend on its output.
 */
#ifndef ITSTATUS_POLLTYPE_H
#define ITSTATUS_POLLTYPE_H

#include "poll_types.def" /* generated from pollerd's formats (mk/poll_types.c) */

#define VC_ENUM_(e, name) e,
enum vc_poll_type { VOCAB_POLL_TYPES(VC_ENUM_) };
#undef VC_ENUM_

#endif
