// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "assess/alerts.h"
#include "assess/derive.h"
#include "iotsense_abi.h"
#include "pipeline.h"

void pipeline_init(struct pipeline *p, FILE *out, bool replay)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->replay = replay;
	p->print_payload = true;
	jw_init(&p->jw);
	pipeline_sync_clock(p);
}

void pipeline_free(struct pipeline *p)
{
	free(p->derive);
	jw_free(&p->jw);
}

void pipeline_sync_clock(struct pipeline *p)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	p->mono_to_real_ns = ((int64_t)r.tv_sec - m.tv_sec) * 1000000000ll + (r.tv_nsec - m.tv_nsec);
}

uint64_t pipeline_epoch_ns(const struct pipeline *p, uint64_t ev_ns)
{
	return p->replay ? ev_ns : ev_ns + p->mono_to_real_ns;
}

static const char *proto_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : "other";
}

static void put_endpoint(struct jsonw *w, const char *key, const uint8_t addr[16], uint16_t port_be,
			 const uint8_t mac[6])
{
	struct iot_addr a;
	char buf[64];

	memcpy(a.b, addr, 16);
	a.family = 0;
	jw_key(w, key);
	jw_obj_open(w);
	dec_format_addr(&a, buf, sizeof(buf));
	jw_kstr(w, "ip", buf);
	jw_ku64(w, "port", ntohs(port_be));
	if (mac) {
		dec_format_mac(mac, buf);
		jw_kstr(w, "mac", buf);
	}
	jw_obj_close(w);
}

static void emit_line(struct pipeline *p)
{
	jw_end_line(&p->jw);
	if (p->jw.oom || fwrite(p->jw.buf, 1, p->jw.len, p->out) != p->jw.len)
		p->st.write_errors++;
}

static const char *const end_reasons[] = { "", "fin", "rst", "idle", "end_of_capture", "shutdown" };

static void on_flow(struct pipeline *p, const struct iot_ev_flow *ev)
{
	struct jsonw *w = &p->jw;
	const struct iot_flow *f = &ev->flow;
	/* Report the conversation from its initiator's side: client first. */
	int ini = f->initiator & 1, rsp = !ini;
	const uint8_t *addr[2] = { ev->key.addr_a, ev->key.addr_b };
	const uint16_t port[2] = { ev->key.port_a, ev->key.port_b };
	const uint8_t *mac[2] = { ev->mac_a, ev->mac_b };
	bool start = ev->hdr.type == IOT_EV_FLOW_START;

	jw_reset(w);
	jw_obj_open(w);
	jw_kstr(w, "record", "flow");
	jw_ku64(w, "class_uid", 4001); /* OCSF Network Activity */
	jw_kstr(w, "event", start ? "start" : "end");
	jw_ktime(w, "time", pipeline_epoch_ns(p, ev->hdr.ts_ns));
	jw_ku64(w, "ifindex", ev->hdr.ifindex);
	jw_kstr(w, "proto", proto_name(ev->key.proto));
	if (ev->key.vlan)
		jw_ku64(w, "vlan", ev->key.vlan);
	put_endpoint(w, "initiator", addr[ini], port[ini], mac[ini]);
	put_endpoint(w, "responder", addr[rsp], port[rsp], mac[rsp]);
	if (f->flags & IOT_FLOW_F_IOC)
		jw_kbool(w, "ioc", true); /* the kernel found an end of it in iot_ioc_ips */
	if (!start) {
		jw_ktime(w, "first_seen", pipeline_epoch_ns(p, f->first_ns));
		jw_ktime(w, "last_seen", pipeline_epoch_ns(p, f->last_ns));
		jw_ku64(w, "packets_out", f->packets[ini]);
		jw_ku64(w, "bytes_out", f->bytes[ini]);
		jw_ku64(w, "packets_in", f->packets[rsp]);
		jw_ku64(w, "bytes_in", f->bytes[rsp]);
		if (ev->key.proto == 6) {
			jw_ku64(w, "tcp_flags_out", f->tcp_flags[ini]);
			jw_ku64(w, "tcp_flags_in", f->tcp_flags[rsp]);
		}
		jw_kstr(w, "reason", ev->reason < sizeof(end_reasons) / sizeof(end_reasons[0]) ?
					     end_reasons[ev->reason] : "unknown");
	}
	jw_obj_close(w);
	emit_line(p);
	if (p->alerts)
		alerts_flow(p->alerts, ev, pipeline_epoch_ns(p, ev->hdr.ts_ns), pipeline_epoch_ns(p, f->first_ns),
			    pipeline_epoch_ns(p, f->last_ns));
}

/* Builds the decoder context of a snippet; false when its offsets do not hold together. */
static bool snippet_ctx(struct pipeline *p, const struct iot_ev_snippet *s, struct dec_ctx *c)
{
	int src = s->dir & 1;
	const uint8_t *addr[2] = { s->key.addr_a, s->key.addr_b };
	const uint16_t port[2] = { s->key.port_a, s->key.port_b };

	memset(c, 0, sizeof(*c));
	if (s->payload_off > s->cap_len || s->l4_off > s->payload_off)
		return false;
	c->eth_proto = s->eth_proto;
	c->l4_proto = s->l4_proto;
	c->reason = s->reason;
	c->seq = s->seq;
	c->tcp_flags = s->tcp_flags;
	c->from_initiator = s->from_initiator;
	c->truncated = s->cap_len < s->wire_len;
	c->ts_ns = pipeline_epoch_ns(p, s->hdr.ts_ns);
	memcpy(c->src_mac, s->src_mac, 6);
	memcpy(c->dst_mac, s->dst_mac, 6);
	if (s->l4_proto) {
		c->l3 = s->data;
		c->l3_len = s->cap_len;
		memcpy(c->src_ip.b, addr[src], 16);
		memcpy(c->dst_ip.b, addr[!src], 16);
		c->src_ip.family = c->dst_ip.family = s->eth_proto == 0x86dd ? AF_INET6 : AF_INET;
		c->sport = ntohs(port[src]);
		c->dport = ntohs(port[!src]);
	}
	return true;
}

static const char *const snip_reasons[] = { "", "flow", "discovery", "syn" };
static const char *const subjects[] = { "", "src", "dst", "mac", "ip" };

static void put_observations(struct jsonw *w, const struct dec_out *d)
{
	char buf[64];

	jw_key(w, "observations");
	jw_arr_open(w);
	for (int i = 0; i < d->n; i++) {
		const struct iot_obs *o = &d->obs[i];

		jw_obj_open(w);
		jw_kstr(w, "key", o->key);
		jw_kstr(w, "value", o->value);
		jw_kstr(w, "subject", o->subject < 5 ? subjects[o->subject] : "?");
		if (o->subject == OBS_MAC) {
			dec_format_mac(o->subject_mac, buf);
			jw_kstr(w, "subject_mac", buf);
		} else if (o->subject == OBS_IP) {
			dec_format_addr(&o->subject_ip, buf, sizeof(buf));
			jw_kstr(w, "subject_ip", buf);
		}
		jw_ku64(w, "confidence", o->confidence);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

static const char *l2_name(uint16_t eth_proto)
{
	switch (eth_proto) {
	case 0x0806:
		return "arp";
	case 0x88cc:
		return "lldp";
	case 0x2000:
		return "cdp";
	case 0x8892:
		return "profinet";
	default:
		return "other";
	}
}

static void flow_desc(const struct dec_ctx *c, char *buf, size_t size)
{
	char src[48], dst[48]; /* INET6_ADDRSTRLEN fits */

	dec_format_addr(&c->src_ip, src, sizeof(src));
	dec_format_addr(&c->dst_ip, dst, sizeof(dst));
	snprintf(buf, size, "%s %s:%u -> %s:%u", proto_name(c->l4_proto), src, c->sport, dst, c->dport);
}

/* What one snippet tells the inventory: who sent it from which MAC, which port answered, what it said. */
static void inventory_update(struct pipeline *p, const struct iot_ev_snippet *s, const struct dec_ctx *c,
			     size_t plen)
{
	char flow[128] = "", svc[16];
	bool answered;

	if (!c->l4_proto) {
		inv_observe(p->inv, c, &p->dec, l2_name(c->eth_proto));
		return;
	}
	inv_sighting(p->inv, &c->src_ip, c->src_mac, c->ts_ns);
	/* A SYN-ACK, or payload from the responder, proves the port is served. */
	answered = c->l4_proto == 6 ? (s->tcp_flags & 0x12) == 0x12 || (!c->from_initiator && plen) :
				      !c->from_initiator && plen;
	if (answered || p->dec.n)
		flow_desc(c, flow, sizeof(flow));
	if (answered) {
		snprintf(svc, sizeof(svc), "%s/%u", proto_name(c->l4_proto), c->sport);
		inv_add_src(p->inv, c, "service", svc, flow);
		derive_answered(p->inv, c, svc, flow);
	}
	inv_observe(p->inv, c, &p->dec, flow);
	if (!p->derive) {
		p->derive = malloc(sizeof(*p->derive));
		if (!p->derive)
			return;
		derive_init(p->derive);
	}
	derive_packet(p->derive, p->inv, c, &p->dec, flow);
}

/* The detectors and alert rules see each decoded packet after the inventory took its observations. */
static void alerts_update(struct pipeline *p, const struct dec_ctx *c)
{
	char flow[128] = "";

	if (c->l4_proto)
		flow_desc(c, flow, sizeof(flow));
	alerts_packet(p->alerts, c, &p->dec, p->inv, flow);
}

static void on_snippet(struct pipeline *p, const struct iot_ev_snippet *s)
{
	struct jsonw *w = &p->jw;
	struct dec_ctx c;
	char buf[64];
	const uint8_t *payload;
	size_t plen;

	if (!snippet_ctx(p, s, &c)) {
		p->st.bad_events++;
		return;
	}
	payload = s->data + s->payload_off;
	plen = s->cap_len - s->payload_off;
	memset(&p->dec, 0, sizeof(p->dec));
	dec_run_all(&c, payload, plen, &p->dec);
	p->st.observations += p->dec.n;
	p->st.decoder_malformed += p->dec.malformed;
	p->st.decoder_dropped += p->dec.dropped;
	if (p->inv)
		inventory_update(p, s, &c, plen);
	if (p->alerts)
		alerts_update(p, &c);

	jw_reset(w);
	jw_obj_open(w);
	jw_kstr(w, "record", "payload");
	jw_ktime(w, "time", c.ts_ns);
	jw_ku64(w, "ifindex", s->hdr.ifindex);
	jw_kstr(w, "reason", s->reason < 4 ? snip_reasons[s->reason] : "?");
	if (s->vlan)
		jw_ku64(w, "vlan", s->vlan);
	dec_format_mac(s->src_mac, buf);
	jw_kstr(w, "src_mac", buf);
	dec_format_mac(s->dst_mac, buf);
	jw_kstr(w, "dst_mac", buf);
	if (s->l4_proto) {
		jw_kstr(w, "proto", proto_name(s->l4_proto));
		dec_format_addr(&c.src_ip, buf, sizeof(buf));
		jw_kstr(w, "src", buf);
		jw_ku64(w, "sport", c.sport);
		dec_format_addr(&c.dst_ip, buf, sizeof(buf));
		jw_kstr(w, "dst", buf);
		jw_ku64(w, "dport", c.dport);
		jw_kbool(w, "from_initiator", s->from_initiator);
		jw_ku64(w, "seq", s->seq);
		if (s->l4_proto == 6)
			jw_ku64(w, "tcp_flags", s->tcp_flags);
	} else {
		jw_kstr(w, "l2", l2_name(s->eth_proto));
	}
	jw_ku64(w, "payload_len", s->wire_len >= s->payload_off ? s->wire_len - s->payload_off : 0);
	jw_ku64(w, "captured_len", plen);
	if (p->print_payload && plen) {
		jw_key(w, "payload");
		jw_strn(w, (const char *)payload, plen);
	}
	if (p->dec.n)
		put_observations(w, &p->dec);
	jw_obj_close(w);
	emit_line(p);
}

int pipeline_event(void *ctx, void *data, size_t len)
{
	struct pipeline *p = ctx;
	const struct iot_ev_hdr *h = data;

	p->st.events++;
	/* Trust nothing: a record must be as long as it says and as its type needs. */
	if (len < sizeof(*h) || h->version != IOT_ABI_VERSION || h->size > len) {
		p->st.bad_events++;
		return 0;
	}
	switch (h->type) {
	case IOT_EV_FLOW_START:
	case IOT_EV_FLOW_END:
		if (h->size < sizeof(struct iot_ev_flow))
			break;
		if (h->type == IOT_EV_FLOW_START)
			p->st.flow_starts++;
		else
			p->st.flow_ends++;
		on_flow(p, data);
		return 0;
	case IOT_EV_SNIPPET: {
		const struct iot_ev_snippet *s = data;

		if (h->size < IOT_SNIPPET_HDR_SIZE || s->cap_len > IOT_SNAP_MAX ||
		    IOT_SNIPPET_HDR_SIZE + s->cap_len > h->size)
			break;
		p->st.snippets++;
		on_snippet(p, s);
		return 0;
	}
	case IOT_EV_FLOOD:
		if (h->size < sizeof(struct iot_ev_flood))
			break;
		p->st.flood_records++;
		if (p->alerts)
			alerts_flood(p->alerts, data, pipeline_epoch_ns(p, h->ts_ns));
		return 0;
	}
	p->st.bad_events++;
	return 0;
}
