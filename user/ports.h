/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef IOTSENSE_PORTS_H
#define IOTSENSE_PORTS_H

/* Writes the port table (discovery and long ports) into the iot_ports map. */
int ports_fill(int map_fd);

#endif
