// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/tcpfp.c: p0f-style SYN / SYN-ACK signatures and the OS family guess. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/* IP packets (from the IP header on) of real SYNs and SYN-ACKs. */
/* zeek-ssh-curve25519.pcap: tcp.flags.syn==1 && tcp.flags.ack==0 */
static const uint8_t syn_macos[] = {
	0x45, 0x00, 0x00, 0x40, 0x88, 0xb2, 0x40, 0x00, 0x40, 0x06, 0x2e, 0x31,
	0xc0, 0xa8, 0x01, 0x64, 0xc0, 0xa8, 0x01, 0x20, 0xed, 0xea, 0x00, 0x16,
	0x9e, 0x47, 0xaa, 0x3a, 0x00, 0x00, 0x00, 0x00, 0xb0, 0x02, 0xff, 0xff,
	0x9f, 0xdc, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x05,
	0x01, 0x01, 0x08, 0x0a, 0x64, 0x5a, 0x78, 0x6e, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x02, 0x00, 0x00,
};
/* zeek-ssh-curve25519.pcap: tcp.flags.syn==1 && tcp.flags.ack==1 */
static const uint8_t synack_linux[] = {
	0x45, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xb6, 0xe7,
	0xc0, 0xa8, 0x01, 0x20, 0xc0, 0xa8, 0x01, 0x64, 0x00, 0x16, 0xed, 0xea,
	0x3e, 0xac, 0x83, 0xc4, 0x9e, 0x47, 0xaa, 0x3b, 0xa0, 0x12, 0x71, 0x20,
	0x33, 0xaa, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x17, 0x5e, 0x32, 0x35, 0x64, 0x5a, 0x78, 0x6e, 0x01, 0x03, 0x03, 0x07,
};
/* zeek-ftp-ipv4.pcap: tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==141.142.220.235 */
static const uint8_t syn_linux[] = {
	0x45, 0x00, 0x00, 0x3c, 0x36, 0xc5, 0x40, 0x00, 0x40, 0x06, 0xf7, 0x99,
	0x8d, 0x8e, 0xdc, 0xeb, 0xc7, 0xe9, 0xd9, 0xf9, 0xc3, 0x53, 0x00, 0x15,
	0x6d, 0xe4, 0xa6, 0x8d, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0x39, 0x08,
	0x99, 0x1c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
	0x01, 0x5c, 0x90, 0x48, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x06,
};
/* ndpi-lan-1kxun.pcap: tcp.flags.syn==1 && tcp.flags.ack==0 && ip.src==192.168.115.8 */
static const uint8_t syn_windows[] = {
	0x45, 0x00, 0x00, 0x34, 0x51, 0xc4, 0x40, 0x00, 0x80, 0x06, 0xe7, 0x27,
	0xc0, 0xa8, 0x73, 0x08, 0x6a, 0xb9, 0x23, 0x6e, 0xc1, 0xbd, 0x00, 0x50,
	0x3d, 0x58, 0x51, 0x60, 0x00, 0x00, 0x00, 0x00, 0x80, 0x02, 0x20, 0x00,
	0x3d, 0x3a, 0x00, 0x00, 0x02, 0x04, 0x04, 0xec, 0x01, 0x03, 0x03, 0x08,
	0x01, 0x01, 0x04, 0x02,
};
/* ndpi-fins.pcapng: tcp.flags.syn==1 && tcp.flags.ack==1 */
static const uint8_t synack_plc[] = {
	0x45, 0x00, 0x00, 0x2c, 0x08, 0xf7, 0x00, 0x00, 0x14, 0x06, 0x86, 0x83,
	0x0a, 0x01, 0x01, 0xa4, 0x0a, 0x01, 0x01, 0xad, 0x25, 0x80, 0x42, 0xee,
	0x4a, 0x6b, 0xf9, 0xa8, 0xdc, 0xef, 0xcc, 0x7d, 0x60, 0x12, 0x08, 0x60,
	0x26, 0x10, 0x00, 0x00, 0x02, 0x04, 0x02, 0x18,
};

/* An IPv6 Linux SYN: hop limit 64, MSS 1440, window 64800 = 45 * MSS, options mss,sok,ts,nop,ws 7. */
static const uint8_t syn_v6[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x28, 0x06, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0xc3, 0x50, 0x00, 0x16, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfd, 0x20,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

static struct dec_ctx syn_ctx(const uint8_t *l3, size_t len)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 50000, 22);

	c.reason = DEC_REASON_SYN;
	c.l3 = l3;
	c.l3_len = (uint32_t)len;
	return c;
}

static int fp(const uint8_t *l3, size_t len, struct dec_out *out)
{
	struct dec_ctx c = syn_ctx(l3, len);
	bool m;
	int rc = lt_run("tcpfp", &c, NULL, 0, out, &m);

	CHECK(m);
	return rc;
}

TEST(macos_syn)
{
	struct dec_out out;

	CHECK_EQ_INT(fp(syn_macos, sizeof(syn_macos), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_syn", OBS_SRC), "4:64:0:1460:65535,5:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0");
	CHECK_STR(lt_get(&out, "tcp_os", OBS_SRC), "macOS/iOS");
	CHECK_EQ_INT(lt_obs(&out, "tcp_os")->confidence, 60);
}

TEST(linux_syn_and_synack)
{
	struct dec_out out;

	CHECK_EQ_INT(fp(syn_linux, sizeof(syn_linux), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_syn", OBS_SRC), "4:64:0:1460:mss*10,6:mss,sok,ts,nop,ws:df,id+:0");
	CHECK_STR(lt_get(&out, "tcp_os", OBS_SRC), "Linux");
	CHECK_EQ_INT(fp(synack_linux, sizeof(synack_linux), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_synack", OBS_SRC), "4:64:0:1460:28960,7:mss,sok,ts,nop,ws:df:0");
	CHECK(lt_obs(&out, "tcp_fp_syn") == NULL);
	CHECK_STR(lt_get(&out, "tcp_os", OBS_SRC), "Linux");
}

TEST(windows_syn)
{
	struct dec_out out;

	CHECK_EQ_INT(fp(syn_windows, sizeof(syn_windows), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_syn", OBS_SRC), "4:128:0:1260:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");
	CHECK_STR(lt_get(&out, "tcp_os", OBS_SRC), "Windows");
}

TEST(plc_synack_is_embedded)
{
	struct dec_out out;

	CHECK_EQ_INT(fp(synack_plc, sizeof(synack_plc), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_synack", OBS_SRC), "4:32:0:536:mss*4,0:mss::0");
	CHECK_STR(lt_get(&out, "tcp_os", OBS_SRC), "embedded/RTOS");
}

TEST(ipv6_syn)
{
	struct dec_out out;

	CHECK_EQ_INT(fp(syn_v6, sizeof(syn_v6), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_syn", OBS_SRC), "6:64:0:1440:mss*45,7:mss,sok,ts,nop,ws::0");
	CHECK_STR(lt_get(&out, "tcp_os", OBS_SRC), "Linux");
}

TEST(quirks)
{
	uint8_t pkt[sizeof(syn_macos) + 4];
	struct dec_out out;

	memcpy(pkt, syn_macos, sizeof(syn_macos));
	pkt[1] = 0x01;		/* ECN capable transport */
	pkt[6] = 0x80;		/* reserved IP flag, no DF */
	pkt[4] = pkt[5] = 0;	/* IP id 0 without DF */
	pkt[24] = pkt[25] = pkt[26] = pkt[27] = 0; /* sequence 0 */
	pkt[31] = 1;		/* ack number on a SYN */
	pkt[33] = 0x02 | 0x08 | 0x20 | 0x40; /* SYN PSH URG ECE */
	pkt[38] = 0x01;		/* urgent pointer */
	pkt[47] = 15;		/* window scale beyond 14 */
	pkt[52] = pkt[53] = pkt[54] = pkt[55] = 0; /* own timestamp 0 */
	pkt[59] = 9;		/* peer timestamp on a SYN */
	pkt[63] = 0x01;		/* non-zero byte after EOL */
	pkt[3] = sizeof(pkt);	/* and 4 bytes of payload */
	memset(pkt + sizeof(syn_macos), 'x', 4);
	/* The layout still says macOS: quirks do not change the family guess. */
	CHECK_EQ_INT(fp(pkt, sizeof(pkt), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_syn", OBS_SRC),
		  "4:64:0:1460:65535,15:mss,nop,ws,nop,nop,ts,sok,eol+1:id-,ecn,0+,seq-,ack+,urgf+,pushf+,exws,ts1-,ts2+,"
		  "opt+:+");
}

TEST(ip_options_and_bad_tcp_option)
{
	uint8_t pkt[sizeof(syn_windows) + 4];
	struct dec_out out;

	/* Four bytes of IP options (a NOP-padded router alert) before the TCP header. */
	memcpy(pkt, syn_windows, 20);
	pkt[0] = 0x46;
	pkt[3] = sizeof(pkt);
	memcpy(pkt + 20, "\x94\x04\x00\x00", 4);
	memcpy(pkt + 24, syn_windows + 20, sizeof(syn_windows) - 20);
	CHECK_EQ_INT(fp(pkt, sizeof(pkt), &out), 2);
	CHECK_STR(lt_get(&out, "tcp_fp_syn", OBS_SRC), "4:128:4:1260:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0");
	/* An option whose length runs past the header. */
	pkt[24 + 20 + 6] = 0x20;
	CHECK_EQ_INT(fp(pkt, sizeof(pkt), &out), 1);
	CHECK_STR(lt_get(&out, "tcp_fp_syn", OBS_SRC), "4:128:4:1260:8192,0:mss,nop:df,id+,bad:0");
}

TEST(no_l3_or_wrong_reason_emits_nothing)
{
	struct dec_ctx c = syn_ctx(NULL, 0);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("tcpfp", &c, syn_linux, sizeof(syn_linux), &out, &m), 0);
	CHECK_EQ_INT(out.n, 0);
	c = syn_ctx(syn_linux, sizeof(syn_linux));
	c.reason = DEC_REASON_FLOW;
	CHECK_EQ_INT(lt_run("tcpfp", &c, NULL, 0, &out, &m), 0);
	CHECK(!m);
}

TEST(malformed_headers)
{
	uint8_t pkt[sizeof(syn_v6)];
	struct dec_out out;

	CHECK_EQ_INT(fp(syn_linux, 39, &out), -1);  /* TCP header cut */
	CHECK_EQ_INT(fp(syn_linux, 19, &out), -1);  /* IP header cut */
	CHECK_EQ_INT(fp(syn_linux, 0, &out), -1);
	memcpy(pkt, syn_linux, sizeof(syn_linux));
	pkt[0] = 0x44; /* IHL below 20 bytes */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_linux), &out), -1);
	memcpy(pkt, syn_linux, sizeof(syn_linux));
	pkt[0] = 0x4f; /* IHL past the packet */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_linux), &out), -1);
	memcpy(pkt, syn_linux, sizeof(syn_linux));
	pkt[9] = 17; /* UDP */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_linux), &out), -1);
	memcpy(pkt, syn_linux, sizeof(syn_linux));
	pkt[7] = 0x08; /* a later fragment */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_linux), &out), -1);
	memcpy(pkt, syn_linux, sizeof(syn_linux));
	pkt[32] = 0xf0; /* data offset 60 past the packet */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_linux), &out), -1);
	memcpy(pkt, syn_linux, sizeof(syn_linux));
	pkt[33] = 0x10; /* a plain ACK */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_linux), &out), -1);
	memcpy(pkt, syn_linux, sizeof(syn_linux));
	pkt[33] = 0x06; /* SYN+RST */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_linux), &out), -1);
	memcpy(pkt, syn_v6, sizeof(syn_v6));
	pkt[6] = 0; /* hop-by-hop options: extension headers are not walked */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_v6), &out), -1);
	CHECK_EQ_INT(fp(syn_v6, 50, &out), -1);
	memcpy(pkt, syn_v6, sizeof(syn_v6));
	pkt[0] = 0x50; /* IP version 5 */
	CHECK_EQ_INT(fp(pkt, sizeof(syn_v6), &out), -1);
	CHECK_EQ_INT(out.n, 0);
}

int main(void)
{
	RUN(macos_syn);
	RUN(linux_syn_and_synack);
	RUN(windows_syn);
	RUN(plc_synack_is_embedded);
	RUN(ipv6_syn);
	RUN(quirks);
	RUN(ip_options_and_bad_tcp_option);
	RUN(no_l3_or_wrong_reason_emits_nothing);
	RUN(malformed_headers);
	return testlib_summary();
}
