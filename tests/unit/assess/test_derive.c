// SPDX-License-Identifier: GPL-2.0-only
/* Session facts: Telnet with and without a login, clear-text credentials on the right side, exposure. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "assess/derive.h"
#include "inventory.h"
#include "testlib.h"

static struct derive D;

static void v4(struct iot_addr *a, const char *s)
{
	uint8_t b[4];

	inet_pton(AF_INET, s, b);
	dec_addr_from_v4(a, b);
}

/* A TCP packet between server srv:sport and client cli:cport, from the server unless from_client. */
static struct dec_ctx pkt(const char *srv, uint16_t sport, const char *cli, uint16_t cport, bool from_client,
			  uint8_t seq)
{
	struct dec_ctx c = { .l4_proto = 6, .seq = seq, .from_initiator = from_client, .ts_ns = 1000 + seq };

	v4(from_client ? &c.src_ip : &c.dst_ip, cli);
	v4(from_client ? &c.dst_ip : &c.src_ip, srv);
	c.sport = from_client ? cport : sport;
	c.dport = from_client ? sport : cport;
	return c;
}

static void obs(struct dec_out *o, const char *key, const char *val)
{
	dec_emit_str(o, OBS_SRC, key, val);
}

/* The values of key on the device with this IP, comma-joined ("" when none). */
static const char *fact(struct inventory *inv, const char *ip, const char *key)
{
	static char out[1024];
	char k[64];
	struct inv_ident *id;

	out[0] = 0;
	snprintf(k, sizeof(k), "ip:%s", ip);
	id = hmap_get(&inv->idents, k);
	for (int a = 0; id && a < id->nattrs; a++)
		if (!strcmp(id->attrs[a].key, key))
			for (int v = 0; v < id->attrs[a].nvals; v++)
				snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? "," : "",
					 id->attrs[a].vals[v].value);
	return out;
}

static void feed(struct inventory *inv, struct dec_ctx c, const char *key, const char *val)
{
	struct dec_out o = { .n = 0 };

	if (key)
		obs(&o, key, val);
	derive_packet(&D, inv, &c, &o, "tcp test");
}

TEST(telnet_shell_with_no_prompt_before_it)
{
	struct inventory inv;

	inv_init(&inv);
	derive_init(&D);
	feed(&inv, pkt("198.18.0.5", 23, "198.18.0.9", 40000, false, 0), "telnet_banner", "Welcome");
	feed(&inv, pkt("198.18.0.5", 23, "198.18.0.9", 40000, false, 1), "telnet_shell_prompt", "/ #");
	CHECK_STR(fact(&inv, "198.18.0.5", "telnet_noauth_shell"), "/ #");
	CHECK_STR(fact(&inv, "198.18.0.5", "cleartext_credentials"), "");
	CHECK_STR(fact(&inv, "198.18.0.9", "telnet_noauth_shell"), ""); /* never on the client */
	inv_free(&inv);
}

TEST(telnet_login_then_shell_is_authenticated)
{
	struct inventory inv;

	inv_init(&inv);
	derive_init(&D);
	feed(&inv, pkt("198.18.0.6", 23, "198.18.0.9", 40001, false, 0), "telnet_login_prompt", "cam login:");
	feed(&inv, pkt("198.18.0.6", 23, "198.18.0.9", 40001, true, 0), NULL, NULL); /* keystrokes */
	feed(&inv, pkt("198.18.0.6", 23, "198.18.0.9", 40001, false, 1), "telnet_password_prompt", "Password:");
	feed(&inv, pkt("198.18.0.6", 23, "198.18.0.9", 40001, false, 3), "telnet_shell_prompt", "$");
	CHECK_STR(fact(&inv, "198.18.0.6", "telnet_noauth_shell"), "");
	CHECK_STR(fact(&inv, "198.18.0.6", "telnet_auth_prompt"), "cam login:");
	CHECK_STR(fact(&inv, "198.18.0.6", "cleartext_credentials"), "Telnet login");
	/* Another session to the same server, with no login: that one is found. */
	feed(&inv, pkt("198.18.0.6", 23, "198.18.0.9", 40002, false, 0), "telnet_shell_prompt", "#");
	CHECK_STR(fact(&inv, "198.18.0.6", "telnet_noauth_shell"), "#");
	inv_free(&inv);
}

TEST(a_shell_prompt_in_client_keystrokes_proves_nothing)
{
	struct inventory inv;

	inv_init(&inv);
	derive_init(&D);
	feed(&inv, pkt("198.18.0.7", 23, "198.18.0.9", 40003, true, 0), "telnet_shell_prompt", "$");
	CHECK_STR(fact(&inv, "198.18.0.7", "telnet_noauth_shell"), "");
	CHECK_STR(fact(&inv, "198.18.0.9", "telnet_noauth_shell"), "");
	inv_free(&inv);
}

TEST(cleartext_credentials_land_on_the_server)
{
	struct inventory inv;
	struct dec_out o = { .n = 0 };
	struct dec_ctx c = pkt("198.18.0.8", 21, "198.18.0.9", 40004, true, 2);

	inv_init(&inv);
	derive_init(&D);
	obs(&o, "ftp_user", "admin");
	obs(&o, "ftp_password_seen", "1");
	derive_packet(&D, &inv, &c, &o, "tcp ftp");
	CHECK_STR(fact(&inv, "198.18.0.8", "cleartext_credentials"), "FTP USER/PASS");
	CHECK_STR(fact(&inv, "198.18.0.9", "cleartext_credentials"), "");
	/* The same key from the responder's side is not a login. */
	c = pkt("198.18.0.10", 80, "198.18.0.9", 40005, false, 1);
	memset(&o, 0, sizeof(o));
	obs(&o, "http_basic_auth", "1");
	derive_packet(&D, &inv, &c, &o, "tcp http");
	CHECK_STR(fact(&inv, "198.18.0.10", "cleartext_credentials"), "");
	inv_free(&inv);
}

TEST(exposure_only_from_outside_the_site)
{
	struct inventory inv;
	struct dec_ctx in = pkt("198.18.0.5", 23, "192.168.1.20", 40006, false, 0);
	struct dec_ctx out = pkt("198.18.0.5", 23, "203.0.113.7", 40007, false, 0);
	struct iot_addr a;

	inv_init(&inv);
	derive_answered(&inv, &in, "tcp/23", "tcp a");
	CHECK_STR(fact(&inv, "198.18.0.5", "exposed_service"), "");
	derive_answered(&inv, &out, "tcp/23", "tcp b");
	CHECK_STR(fact(&inv, "198.18.0.5", "exposed_service"), "tcp/23 from 203.0.113.7");
	v4(&a, "100.64.1.1");
	CHECK(derive_addr_in_site(&a));
	v4(&a, "198.19.255.1");
	CHECK(derive_addr_in_site(&a));
	v4(&a, "198.20.0.1");
	CHECK(!derive_addr_in_site(&a));
	v4(&a, "172.32.0.1");
	CHECK(!derive_addr_in_site(&a));
	inet_pton(AF_INET6, "fd00::1", a.b);
	CHECK(derive_addr_in_site(&a));
	inet_pton(AF_INET6, "2001:db8::1", a.b);
	CHECK(!derive_addr_in_site(&a));
	inv_free(&inv);
}

int main(void)
{
	RUN(telnet_shell_with_no_prompt_before_it);
	RUN(telnet_login_then_shell_is_authenticated);
	RUN(a_shell_prompt_in_client_keystrokes_proves_nothing);
	RUN(cleartext_credentials_land_on_the_server);
	RUN(exposure_only_from_outside_the_site);
	return testlib_summary();
}
