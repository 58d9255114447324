// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the fingerprint rules loader (user/classify.c): the input is written to a rules file in a
 * private temporary directory and loaded as an operator's file would be; when it loads, the rules run against a
 * fixed set of observations so templates and captures are exercised too. Not part of `make fuzz` (that loop is
 * per decoder); build and run by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iuser -Iheaders tests/fuzz/fuzz_rules.c user/classify.c \
 *         -lyaml -lpcre2-8 -o fuzz_rules
 *   mkdir -p /tmp/rules-corpus && ./fuzz_rules -max_total_time=120 /tmp/rules-corpus rules/fingerprints
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"

static const struct classify_attr fuzz_attrs[] = {
	{ "snmp_sysdescr", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012" },
	{ "dhcp_vendor_class", "dhcpcd-6.10.1:Linux-4.9.57-v7+:armv7l:BCM2835" },
	{ "dhcp_hostname", "TL-SG116E" },
	{ "cdp_platform", "cisco WS-C3560G-24PS" },
	{ "sip_user_agent", "Yealink SIP-T46S 66.85.0.5" },
	{ "mdns_txt_ty", "Brother HL-L2350DW series" },
	{ "cip_product_name", "1756-ENBT/A" },
	{ "k", "a\xc3\xa9\xff value with invalid UTF-8" },
	{ "service", "tcp/9100" },
	{ "a_b", "x" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One directory for the whole run: mkdtemp per input would dominate the time. */
	static char dir[] = "/tmp/iotsense-fuzz-rules-XXXXXX";
	static bool made;
	const struct classify_input in = {
		.oui_vendor = "Grandstream Networks, Inc.",
		.nattrs = sizeof(fuzz_attrs) / sizeof(fuzz_attrs[0]),
		.attrs = fuzz_attrs,
	};
	struct classify_result res;
	struct classify_rules *rs;
	struct classify_error err;
	char path[96];
	size_t off = 0;
	int fd;

	if (!made) {
		if (!mkdtemp(dir))
			abort();
		made = true;
	}
	snprintf(path, sizeof(path), "%s/rules.yaml", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
	rs = classify_load(dir, &err);
	if (rs) {
		if (classify_device(rs, &in, &res) < 0)
			abort();
		/* Every field must be a terminated string that fits. */
		if (strlen(res.model.value) >= sizeof(res.model.value) ||
		    strlen(res.vendor.evidence) >= sizeof(res.vendor.evidence))
			abort();
		classify_free(rs);
	} else if (strlen(err.msg) >= sizeof(err.msg) || (!err.io && !err.file[0])) {
		abort();
	}
	return 0;
}
