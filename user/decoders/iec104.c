// SPDX-License-Identifier: GPL-2.0-only
/*
 * IEC 60870-5-104 (TCP 2404): telecontrol of substations and other outstations by a SCADA master.
 *
 * Reads every APDU of the segment (at most IEC104_MAX_APDUS): the APCI (start byte 0x68, length 4..253, four
 * control octets giving the I, S or U format) and, for I-format, the ASDU header: type id, variable structure
 * qualifier, cause of transmission, originator address and the 2-octet common address. The last APDU may
 * continue in the next segment; only a wrong start byte or an impossible APCI makes the packet malformed.
 *
 * Emits (each distinct value once per packet):
 *   app_protocol "IEC60870"    on the outstation, the node on port 2404
 *   iec104_u_format            on the sender: "STARTDT act", "TESTFR con", ...
 *   iec104_asdu_type           on the sender: the type id name ("M_ME_TF_1")
 *   iec104_common_address      on the station it names: the receiver of an activation/deactivation (COT 6/8),
 *                              otherwise the sender (monitoring data and confirmations come from the station)
 *   iec104_command             on the receiver of a control command (type ids 45-64) in activation or
 *                              deactivation: "C_SC_NA_1 act"
 */
#include <netinet/in.h>

#include "decoder.h"

#define IEC104_PORT 2404
#define IEC104_START 0x68
#define IEC104_MAX_APDUS 32
#define IEC104_MAX_SEEN 8
#define IEC104_ASDU_HDR 6
#define IEC104_COT_ACT 6
#define IEC104_COT_DEACT 8

static const struct {
	uint8_t id;
	const char *name;
} iec104_types[] = {
	{ 1, "M_SP_NA_1" },   { 2, "M_SP_TA_1" },   { 3, "M_DP_NA_1" },   { 4, "M_DP_TA_1" },
	{ 5, "M_ST_NA_1" },   { 6, "M_ST_TA_1" },   { 7, "M_BO_NA_1" },   { 8, "M_BO_TA_1" },
	{ 9, "M_ME_NA_1" },   { 10, "M_ME_TA_1" },  { 11, "M_ME_NB_1" },  { 12, "M_ME_TB_1" },
	{ 13, "M_ME_NC_1" },  { 14, "M_ME_TC_1" },  { 15, "M_IT_NA_1" },  { 16, "M_IT_TA_1" },
	{ 17, "M_EP_TA_1" },  { 18, "M_EP_TB_1" },  { 19, "M_EP_TC_1" },  { 20, "M_PS_NA_1" },
	{ 21, "M_ME_ND_1" },  { 30, "M_SP_TB_1" },  { 31, "M_DP_TB_1" },  { 32, "M_ST_TB_1" },
	{ 33, "M_BO_TB_1" },  { 34, "M_ME_TD_1" },  { 35, "M_ME_TE_1" },  { 36, "M_ME_TF_1" },
	{ 37, "M_IT_TB_1" },  { 38, "M_EP_TD_1" },  { 39, "M_EP_TE_1" },  { 40, "M_EP_TF_1" },
	{ 45, "C_SC_NA_1" },  { 46, "C_DC_NA_1" },  { 47, "C_RC_NA_1" },  { 48, "C_SE_NA_1" },
	{ 49, "C_SE_NB_1" },  { 50, "C_SE_NC_1" },  { 51, "C_BO_NA_1" },  { 58, "C_SC_TA_1" },
	{ 59, "C_DC_TA_1" },  { 60, "C_RC_TA_1" },  { 61, "C_SE_TA_1" },  { 62, "C_SE_TB_1" },
	{ 63, "C_SE_TC_1" },  { 64, "C_BO_TA_1" },  { 70, "M_EI_NA_1" },  { 100, "C_IC_NA_1" },
	{ 101, "C_CI_NA_1" }, { 102, "C_RD_NA_1" }, { 103, "C_CS_NA_1" }, { 104, "C_TS_NA_1" },
	{ 105, "C_RP_NA_1" }, { 106, "C_CD_NA_1" }, { 107, "C_TS_TA_1" }, { 110, "P_ME_NA_1" },
	{ 111, "P_ME_NB_1" }, { 112, "P_ME_NC_1" }, { 113, "P_AC_NA_1" }, { 120, "F_FR_NA_1" },
	{ 121, "F_SR_NA_1" }, { 122, "F_SC_NA_1" }, { 123, "F_LS_NA_1" }, { 124, "F_AF_NA_1" },
	{ 125, "F_SG_NA_1" }, { 126, "F_DR_TA_1" }, { 127, "F_SC_NB_1" },
};

static const char *iec104_type_name(uint8_t id)
{
	for (size_t i = 0; i < sizeof(iec104_types) / sizeof(iec104_types[0]); i++)
		if (iec104_types[i].id == id)
			return iec104_types[i].name;
	return NULL;
}

static const char *iec104_u_name(uint8_t c1)
{
	switch (c1) {
	case 0x07: return "STARTDT act";
	case 0x0b: return "STARTDT con";
	case 0x13: return "STOPDT act";
	case 0x23: return "STOPDT con";
	case 0x43: return "TESTFR act";
	case 0x83: return "TESTFR con";
	}
	return NULL;
}

static const char *iec104_cot_name(uint8_t cot)
{
	switch (cot) {
	case 6: return "act";
	case 7: return "actcon";
	case 8: return "deact";
	case 9: return "deactcon";
	case 10: return "actterm";
	}
	return NULL;
}

/*
 * The first APCI: start byte, a length that fits the format (exactly 4 for S and U, at least one ASDU header
 * for I), and for U exactly one function bit. Checked before anything is emitted.
 */
static bool iec104_apci_ok(const uint8_t *a, size_t n)
{
	if (n < 6 || a[0] != IEC104_START || a[1] < 4 || a[1] > 253)
		return false;
	if ((a[2] & 1) == 0)
		return a[1] >= 4 + IEC104_ASDU_HDR;
	if ((a[2] & 3) == 1)
		return a[1] == 4;
	return a[1] == 4 && iec104_u_name(a[2]);
}

static bool iec104_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_TCP && dec_port_is(ctx, IEC104_PORT) && iec104_apci_ok(p, n);
}

/* Remembers up to IEC104_MAX_SEEN values so that 30 APDUs of one type make one observation, not 30. */
static bool iec104_first(uint32_t *seen, int *nseen, uint32_t v)
{
	for (int i = 0; i < *nseen; i++)
		if (seen[i] == v)
			return false;
	if (*nseen < IEC104_MAX_SEEN)
		seen[(*nseen)++] = v;
	return true;
}

static void iec104_asdu(struct dec_out *out, const uint8_t *s, uint32_t *seen, int *nseen)
{
	uint8_t type = s[0], cot = s[2] & 0x3f;
	uint16_t ca = dec_le16(s + 4);
	const char *tname = iec104_type_name(type), *cname = iec104_cot_name(cot);
	bool to_station = cot == IEC104_COT_ACT || cot == IEC104_COT_DEACT;

	/* Seen-set tags: 1 type, 2 common address of the sender, 3 of the receiver, 4 command, 5 U format. */
	if (iec104_first(seen, nseen, 1u << 24 | type)) {
		if (tname)
			dec_emit_str(out, OBS_SRC, "iec104_asdu_type", tname);
		else
			dec_emitf(out, OBS_SRC, "iec104_asdu_type", "type_%u", type);
	}
	if (iec104_first(seen, nseen, (to_station ? 3u : 2u) << 24 | ca))
		dec_emitf(out, to_station ? OBS_DST : OBS_SRC, "iec104_common_address", "%u", ca);
	if (type >= 45 && type <= 64 && to_station && iec104_first(seen, nseen, 4u << 24 | type << 8 | cot))
		dec_emitf(out, OBS_DST, "iec104_command", "%s %s", tname ? tname : "C_?", cname);
}

static int iec104_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	uint32_t seen[IEC104_MAX_SEEN];
	int before = out->n, nseen = 0;
	size_t off = 0;
	bool bad = false;

	if (!iec104_apci_ok(p, n))
		return 0;
	dec_emit(out, ctx->sport == IEC104_PORT ? OBS_SRC : OBS_DST, "app_protocol", "IEC60870", 8, 90);
	for (int i = 0; i < IEC104_MAX_APDUS && off < n; i++) {
		const uint8_t *a = p + off;
		size_t avail = n - off;

		/* The last APDU may continue in the next TCP segment: check what arrived of it. */
		if (avail < 6) {
			bad = a[0] != IEC104_START;
			break;
		}
		if (!iec104_apci_ok(a, avail)) {
			bad = true;
			break;
		}
		if ((a[2] & 3) == 3) {
			if (iec104_first(seen, &nseen, 5u << 24 | a[2]))
				dec_emit_str(out, OBS_SRC, "iec104_u_format", iec104_u_name(a[2]));
		} else if ((a[2] & 1) == 0 && avail >= 6 + IEC104_ASDU_HDR) {
			iec104_asdu(out, a + 6, seen, &nseen);
		}
		off += (size_t)a[1] + 2;
	}
	return bad ? -1 : out->n - before;
}

const struct decoder dec_iec104 = {
	.name = "iec104",
	.match = iec104_match,
	.decode = iec104_decode,
};
