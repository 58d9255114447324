/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef IOTSENSE_FLOWS_H
#define IOTSENSE_FLOWS_H

#include <stdint.h>

#include "pipeline.h"

/*
 * Sends an end record through the pipeline for every flow idle since before idle_before_ns (all flows when
 * idle_before_ns is UINT64_MAX), then deletes it from the kernel table. Ended TCP flows go after 10 s.
 * Returns the number of flows swept.
 */
int flows_sweep(int flows_fd, struct pipeline *p, uint64_t now_ns, uint64_t idle_ns, uint8_t reason);
int flows_count(int flows_fd);

#endif
