// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the daemon's config reader (user/config.c): any bytes as a YAML file. A good config
 * must come back with every output complete (a name, a format its type allows); a bad one with a
 * "file:line:col: " error. Build: make O=build build/fuzz/fuzz_config. Seeds: deploy/iotsense.yaml and
 * tests/fuzz/corpus/config/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iot_config c;
	char err[1024];

	if (config_load_buf(&c, "f.yaml", (const char *)data, size, err, sizeof(err)) == 0) {
		for (int i = 0; i < c.noutputs; i++)
			if (!c.outputs[i].name[0] || !out_format_name(c.outputs[i].format))
				abort();
		for (int i = 0; i < c.nifaces; i++)
			if (!c.ifaces[i][0])
				abort();
		config_free(&c);
	} else if (strncmp(err, "f.yaml:", 7)) {
		abort();
	}
	return 0;
}
