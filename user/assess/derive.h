/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Facts no single packet proves. Decoders are stateless, one packet at a time; a few security questions need the
 * order of packets in a session or the other side's words, so they are answered here, between the decoders and
 * the inventory, and written as observations of their own (evidence like any other):
 *
 *   telnet_noauth_shell    on the Telnet server: the shell prompt it sent in a session where no login or
 *                          password prompt came before it (the value is the prompt, e.g. "/ #")
 *   telnet_auth_prompt     on the Telnet server: a session asked for a login or password before any shell prompt
 *   exposed_service        on a server: "tcp/23 from 203.0.113.7", a client outside the site's networks (any
 *                          address that is not private, CGNAT, link-local, loopback or 198.18.0.0/15) reached a
 *                          service and the device answered
 *   cleartext_credentials  on the server that received them: "FTP USER/PASS", "HTTP Basic", "Telnet login",
 *                          "SNMP community", "MQTT password" ... (the credentials themselves are never kept)
 *
 * Telnet sessions are tracked in a fixed table (DERIVE_SESSIONS slots, hashed by the 4-tuple): memory is bounded
 * under a flood; a collision forgets the older session, which can only lose a finding, never invent one.
 */
#ifndef IOTSENSE_DERIVE_H
#define IOTSENSE_DERIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "../decoders/decoder.h"

#define DERIVE_SESSIONS 4096

struct inventory;

struct telnet_session {
	uint8_t key[36]; /* server ip+port, client ip+port; all zero = free slot */
	bool auth_prompt;
	uint8_t auth_seq; /* the server seq of the first login/password prompt */
	bool noauth_done, auth_done, creds_done;
};

struct derive {
	struct telnet_session telnet[DERIVE_SESSIONS];
	uint64_t collisions; /* sessions forgotten because another took their slot */
};

void derive_init(struct derive *d);
/* Looks at the observations the decoders made on one packet; adds derived facts to inv. */
void derive_packet(struct derive *d, struct inventory *inv, const struct dec_ctx *c, const struct dec_out *out,
		   const char *flow);

/* The sender of c (a server) answered on service svc ("tcp/23"): note it when the client is outside the site. */
void derive_answered(struct inventory *inv, const struct dec_ctx *c, const char *svc, const char *flow);
/* Whether an address is inside the site: private, CGNAT, link-local, loopback, ULA, 198.18.0.0/15. */
bool derive_addr_in_site(const struct iot_addr *a);

#endif
