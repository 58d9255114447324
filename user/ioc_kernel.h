/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's copy of the IOC addresses (iot_ioc_ips): new flows to or from them carry IOT_FLOW_F_IOC. */
#ifndef IOTSENSE_IOC_KERNEL_H
#define IOTSENSE_IOC_KERNEL_H

#include <stddef.h>

#include "decoders/decoder.h"

/*
 * Replaces the pinned map's contents with ips (at most IOT_IOC_MAX; more are left to user-space matching) and
 * sets the count the datapath gates on. Returns the number loaded, or a negative errno.
 */
int ioc_kernel_sync(const char *pin_dir, const struct iot_addr *ips, size_t n);

#endif
