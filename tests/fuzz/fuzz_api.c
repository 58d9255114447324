// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the API's request handling below libmicrohttpd: api_precheck() (URL length, token,
 * Host, Origin, Content-Length) and api_dispatch() (path and query decoding, the body's type, every route),
 * over a real store made once at start in a temporary directory from the records of
 * `iotsense replay ndpi-telnet.pcap` (two devices, one alert). Build: make O=build build/fuzz/fuzz_api.
 * Seeds: tests/fuzz/corpus/api/.
 *
 * An input is text, one field a line, so seeds stay readable and mutations stay meaningful:
 *   flags          t: the server has a token; c / s: Sec-Fetch-Site cross-site / same-origin;
 *                  l: Content-Length says 70000
 *   method
 *   path           cut at '?', as libmicrohttpd does
 *   query          raw, split on '&' and the first '=' as libmicrohttpd does ("k" alone: no value)
 *   Authorization, Host, Origin, Content-Type   an empty line: absent; "." : present and empty
 *   body           the rest (none when empty)
 *
 * What must always hold: a documented status (500 counts as a bug: the store is healthy and nobody else uses
 * it), an answer that is JSON and, unless 200, {"error":{"status":<the status>,...}}; a 405 names its Allow;
 * a server with a token runs no route for a request without it; and a GET or HEAD leaves the store as it was.
 * After a change that succeeded the store is put back, so that an input replays the same way.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>

#include "api/routes.h"
#include "store/store.h"

#define FUZZ_TOKEN "fuzz-token-0123456789abcdef"

/* The device and alert records of `iotsense replay /work/shared/corpus/pcaps/ndpi-telnet.pcap`. */
static const char RECORDS[] =
	"{\"record\":\"device\",\"class_uid\":5001,\"time\":\"1999-11-28T02:13:17.940748Z\",\"device\":{\"id\":\"mac:00:a0:c"
	"c:3b:bf:fa\",\"mac\":\"00:a0:cc:3b:bf:fa\",\"ips\":[\"192.168.0.2\"],\"first_seen\":\"1999-11-28T02:12:38.387203"
	"Z\",\"last_seen\":\"1999-11-28T02:13:17.940748Z\",\"mac_vendor\":\"LITE-ON COMMUNICATIONS, INC.\",\"type\":null"
	",\"vendor\":\"LITE-ON COMMUNICATIONS, INC.\",\"model\":null,\"os\":\"Linux\",\"firmware\":null,\"classification\":"
	"{\"vendor\":{\"value\":\"LITE-ON COMMUNICATIONS, INC.\",\"confidence\":20,\"rule\":\"oui-fallback-vendor\",\"evid"
	"ence\":\"oui_vendor=LITE-ON COMMUNICATIONS, INC.\"},\"os\":{\"value\":\"Linux\",\"confidence\":35,\"rule\":\"linux"
	"-tcp\",\"evidence\":\"tcp_os=Linux\"}},\"recommendations\":[],\"cpe\":\"cpe:2.3:h:lite_on:*:*:*:*:*:*:*:*:*\",\""
	"vulnerabilities\":[],\"exposure\":\"none\",\"contained\":false,\"risk\":\"medium\",\"hostnames\":[],\"services\":[]"
	",\"protocols\":[],\"attributes\":{\"tcp_fp_syn\":[\"4:64:0:1460:mss*22,0:mss,sok,ts,nop,ws:df,id+:0\"],\"tcp_"
	"os\":[\"Linux\"],\"telnet_options\":[\"DO SGA,WILL TTYPE,WILL NAWS,WILL TSPEED,WILL LFLOW,WILL LINEMODE,WI"
	"LL NEW-ENVIRON,DO STATUS,WILL XDISPLOC\",\"WONT AUTHENTICATION\",\"DO SGA\",\"DONT ENCRYPT,WONT ENCRYPT,WO"
	"NT ENVIRON\",\"WONT ECHO\",\"DO ECHO,DONT ECHO\",\"DO ECHO\",\"DONT ECHO\",\"DO TM\"],\"telnet_terminal_type\":[\""
	"xterm-color\"]},\"evidence\":[{\"key\":\"tcp_fp_syn\",\"value\":\"4:64:0:1460:mss*22,0:mss,sok,ts,nop,ws:df,id"
	"+:0\",\"protocol\":\"tcp\",\"first_seen\":\"1999-11-28T02:12:38.387203Z\",\"last_seen\":\"1999-11-28T02:12:38.38"
	"7203Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\"tcp_os\",\"v"
	"alue\":\"Linux\",\"protocol\":\"tcp\",\"first_seen\":\"1999-11-28T02:12:38.387203Z\",\"last_seen\":\"1999-11-28T02"
	":12:38.387203Z\",\"count\":1,\"confidence\":60,\"flow\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\"t"
	"elnet_options\",\"value\":\"DO SGA,WILL TTYPE,WILL NAWS,WILL TSPEED,WILL LFLOW,WILL LINEMODE,WILL NEW-EN"
	"VIRON,DO STATUS,WILL XDISPLOC\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.391363Z\",\"last_"
	"seen\":\"1999-11-28T02:12:38.391363Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -> 192.16"
	"8.0.1:23\"},{\"key\":\"telnet_options\",\"value\":\"WONT AUTHENTICATION\",\"protocol\":\"telnet\",\"first_seen\":\"1"
	"999-11-28T02:12:38.537777Z\",\"last_seen\":\"1999-11-28T02:12:38.537777Z\",\"count\":1,\"confidence\":90,\"flo"
	"w\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\"telnet_options\",\"value\":\"DO SGA\",\"protocol\":\"te"
	"lnet\",\"first_seen\":\"1999-11-28T02:12:38.541068Z\",\"last_seen\":\"1999-11-28T02:12:38.541068Z\",\"count\":1"
	",\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\"telnet_options\",\"value\":\"D"
	"ONT ENCRYPT,WONT ENCRYPT,WONT ENVIRON\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.542859Z"
	"\",\"last_seen\":\"1999-11-28T02:12:38.542859Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -"
	"> 192.168.0.1:23\"},{\"key\":\"telnet_options\",\"value\":\"WONT ECHO\",\"protocol\":\"telnet\",\"first_seen\":\"199"
	"9-11-28T02:12:38.568581Z\",\"last_seen\":\"1999-11-28T02:12:38.568581Z\",\"count\":1,\"confidence\":90,\"flow\""
	":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\"telnet_options\",\"value\":\"DO ECHO,DONT ECHO\",\"prot"
	"ocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.583630Z\",\"last_seen\":\"1999-11-28T02:12:38.583630Z\","
	"\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\"telnet_options\",\""
	"value\":\"DO ECHO\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:40.962801Z\",\"last_seen\":\"1999-11"
	"-28T02:12:40.962801Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"k"
	"ey\":\"telnet_options\",\"value\":\"DONT ECHO\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:42.24777"
	"4Z\",\"last_seen\":\"1999-11-28T02:12:42.247774Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550"
	" -> 192.168.0.1:23\"},{\"key\":\"telnet_options\",\"value\":\"DO TM\",\"protocol\":\"telnet\",\"first_seen\":\"1999-"
	"11-28T02:13:04.205415Z\",\"last_seen\":\"1999-11-28T02:13:04.205415Z\",\"count\":1,\"confidence\":90,\"flow\":\""
	"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\"telnet_terminal_type\",\"value\":\"xterm-color\",\"protoc"
	"ol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.547047Z\",\"last_seen\":\"1999-11-28T02:12:38.547047Z\",\"c"
	"ount\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"}]}}\n"
	"{\"record\":\"device\",\"class_uid\":5001,\"time\":\"1999-11-28T02:13:17.940748Z\",\"device\":{\"id\":\"mac:00:00:c"
	"0:9f:a0:97\",\"mac\":\"00:00:c0:9f:a0:97\",\"ips\":[\"192.168.0.1\"],\"first_seen\":\"1999-11-28T02:12:38.389728"
	"Z\",\"last_seen\":\"1999-11-28T02:13:17.940748Z\",\"mac_vendor\":\"WESTERN DIGITAL CORPORATION\",\"type\":null,"
	"\"vendor\":\"WESTERN DIGITAL CORPORATION\",\"model\":null,\"os\":null,\"firmware\":null,\"classification\":{\"ven"
	"dor\":{\"value\":\"WESTERN DIGITAL CORPORATION\",\"confidence\":20,\"rule\":\"oui-fallback-vendor\",\"evidence\":"
	"\"oui_vendor=WESTERN DIGITAL CORPORATION\"}},\"recommendations\":[{\"id\":\"IOTS-REC-0002\",\"title\":\"Disable"
	" insecure administration protocol – Telnet\",\"severity\":\"high\",\"category\":\"insecure_protocol\",\"remedi"
	"ation\":\"The device serves Telnet, which sends logins, passwords and every command in the clear. Disa"
	"ble the Telnet service and manage the device over SSH or HTTPS; if it cannot be disabled, limit it t"
	"o a management VLAN.\",\"proof\":[{\"key\":\"service\",\"value\":\"tcp/23\",\"flow\":\"tcp 192.168.0.1:23 -> 192.1"
	"68.0.2:1550\",\"first_seen\":\"1999-11-28T02:12:38.389728Z\"}]},{\"id\":\"IOTS-REC-0005\",\"title\":\"Stop accep"
	"ting credentials sent in clear text\",\"severity\":\"high\",\"category\":\"credentials\",\"remediation\":\"Clien"
	"ts log in to this device with credentials anyone on the path can read (FTP USER/PASS, HTTP Basic ove"
	"r plain HTTP, a Telnet login, an MQTT password without TLS). Switch the service to its encrypted for"
	"m (SFTP or FTPS, HTTPS, SSH, MQTT over TLS) and rotate the credentials that were exposed.\",\"proof\":["
	"{\"key\":\"cleartext_credentials\",\"value\":\"Telnet login\",\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550"
	"\",\"first_seen\":\"1999-11-28T02:12:40.964875Z\"}]}],\"cpe\":\"cpe:2.3:h:western_digital:*:*:*:*:*:*:*:*:*\""
	",\"vulnerabilities\":[],\"exposure\":\"high\",\"contained\":false,\"risk\":\"high\",\"hostnames\":[],\"services\":[\""
	"tcp/23\"],\"protocols\":[\"Telnet\"],\"attributes\":{\"service\":[\"tcp/23\"],\"tcp_fp_synack\":[\"4:64:0:1448:mss"
	"*12,0:mss,nop,ws,nop,nop,ts::0\"],\"app_protocol\":[\"Telnet\"],\"telnet_options\":[\"DO AUTHENTICATION\",\"WI"
	"LL SGA,DO TTYPE,DO NAWS,DO TSPEED,DO LFLOW,DO LINEMODE\",\"DO NEW-ENVIRON,WILL STATUS,DO XDISPLOC,WILL"
	" ENCRYPT,DO ENCRYPT,DO ENVIRON\",\"DO ECHO\",\"WILL ECHO,WONT ECHO\",\"WILL ECHO\",\"WONT ECHO\",\"WILL TM\"],\""
	"telnet_banner\":[\"OpenBSD/i386 (oof) (ttyp2)\"],\"telnet_login_prompt\":[\"login:\"],\"telnet_auth_prompt\":"
	"[\"login:\"],\"telnet_password_prompt\":[\"Password:\"],\"cleartext_credentials\":[\"Telnet login\"],\"os_motd\""
	":[\"OpenBSD 2.6-beta (OOF) #4: Tue Oct 12 20:42:32 CDT 1999\"],\"telnet_shell_prompt\":[\"$\"]},\"evidence\""
	":[{\"key\":\"service\",\"value\":\"tcp/23\",\"protocol\":\"service\",\"first_seen\":\"1999-11-28T02:12:38.389728Z\","
	"\"last_seen\":\"1999-11-28T02:13:14.287691Z\",\"count\":31,\"confidence\":100,\"flow\":\"tcp 192.168.0.1:23 -> "
	"192.168.0.2:1550\"},{\"key\":\"tcp_fp_synack\",\"value\":\"4:64:0:1448:mss*12,0:mss,nop,ws,nop,nop,ts::0\",\"p"
	"rotocol\":\"tcp\",\"first_seen\":\"1999-11-28T02:12:38.389728Z\",\"last_seen\":\"1999-11-28T02:12:38.389728Z\","
	"\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"app_protocol\",\"va"
	"lue\":\"Telnet\",\"protocol\":\"app\",\"first_seen\":\"1999-11-28T02:12:38.391363Z\",\"last_seen\":\"1999-11-28T02"
	":13:17.940748Z\",\"count\":47,\"confidence\":90,\"flow\":\"tcp 192.168.0.2:1550 -> 192.168.0.1:23\"},{\"key\":\""
	"telnet_options\",\"value\":\"DO AUTHENTICATION\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.53"
	"7538Z\",\"last_seen\":\"1999-11-28T02:12:38.537538Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:2"
	"3 -> 192.168.0.2:1550\"},{\"key\":\"telnet_options\",\"value\":\"WILL SGA,DO TTYPE,DO NAWS,DO TSPEED,DO LFLO"
	"W,DO LINEMODE\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.540860Z\",\"last_seen\":\"1999-11-2"
	"8T02:12:38.540860Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key"
	"\":\"telnet_options\",\"value\":\"DO NEW-ENVIRON,WILL STATUS,DO XDISPLOC,WILL ENCRYPT,DO ENCRYPT,DO ENVIRO"
	"N\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.542780Z\",\"last_seen\":\"1999-11-28T02:12:38.5"
	"42780Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"telnet_op"
	"tions\",\"value\":\"DO ECHO\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:38.568470Z\",\"last_seen\":"
	"\"1999-11-28T02:12:38.568470Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:15"
	"50\"},{\"key\":\"telnet_options\",\"value\":\"WILL ECHO,WONT ECHO\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11"
	"-28T02:12:38.583509Z\",\"last_seen\":\"1999-11-28T02:12:38.583509Z\",\"count\":1,\"confidence\":90,\"flow\":\"tc"
	"p 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"telnet_options\",\"value\":\"WILL ECHO\",\"protocol\":\"telne"
	"t\",\"first_seen\":\"1999-11-28T02:12:40.962649Z\",\"last_seen\":\"1999-11-28T02:12:40.962649Z\",\"count\":1,\"c"
	"onfidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"telnet_options\",\"value\":\"WONT"
	" ECHO\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:42.247616Z\",\"last_seen\":\"1999-11-28T02:12:"
	"42.247616Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"telne"
	"t_options\",\"value\":\"WILL TM\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:13:04.218707Z\",\"last_se"
	"en\":\"1999-11-28T02:13:04.218707Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0."
	"2:1550\"},{\"key\":\"telnet_banner\",\"value\":\"OpenBSD/i386 (oof) (ttyp2)\",\"protocol\":\"telnet\",\"first_seen"
	"\":\"1999-11-28T02:12:38.597730Z\",\"last_seen\":\"1999-11-28T02:12:38.597730Z\",\"count\":1,\"confidence\":70,"
	"\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"telnet_login_prompt\",\"value\":\"login:\",\"prot"
	"ocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:39.705066Z\",\"last_seen\":\"1999-11-28T02:12:39.705066Z\","
	"\"count\":1,\"confidence\":80,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"telnet_auth_promp"
	"t\",\"value\":\"login:\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:12:39.705066Z\",\"last_seen\":\"1999"
	"-11-28T02:12:39.705066Z\",\"count\":1,\"confidence\":90,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},"
	"{\"key\":\"telnet_password_prompt\",\"value\":\"Password:\",\"protocol\":\"telnet\",\"first_seen\":\"1999-11-28T02:"
	"12:40.964875Z\",\"last_seen\":\"1999-11-28T02:12:40.964875Z\",\"count\":1,\"confidence\":80,\"flow\":\"tcp 192.1"
	"68.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"cleartext_credentials\",\"value\":\"Telnet login\",\"protocol\":\"cl"
	"eartext\",\"first_seen\":\"1999-11-28T02:12:40.964875Z\",\"last_seen\":\"1999-11-28T02:12:40.964875Z\",\"count"
	"\":1,\"confidence\":80,\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"},{\"key\":\"os_motd\",\"value\":\"OpenB"
	"SD 2.6-beta (OOF) #4: Tue Oct 12 20:42:32 CDT 1999\",\"protocol\":\"os\",\"first_seen\":\"1999-11-28T02:12:4"
	"3.548353Z\",\"last_seen\":\"1999-11-28T02:12:43.548353Z\",\"count\":1,\"confidence\":70,\"flow\":\"tcp 192.168.0"
	".1:23 -> 192.168.0.2:1550\"},{\"key\":\"telnet_shell_prompt\",\"value\":\"$\",\"protocol\":\"telnet\",\"first_seen"
	"\":\"1999-11-28T02:12:43.585871Z\",\"last_seen\":\"1999-11-28T02:13:14.287691Z\",\"count\":4,\"confidence\":80,"
	"\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\"}]}}\n"
	"{\"record\":\"alert\",\"class_uid\":2004,\"category_uid\":2,\"activity_id\":1,\"type_uid\":200401,\"time\":\"1999-1"
	"1-28T02:12:40.964875Z\",\"severity\":\"medium\",\"severity_id\":3,\"finding\":{\"uid\":\"59de99445de5e248\",\"titl"
	"e\":\"Credentials sent in clear text\",\"types\":[\"cleartext_credentials\"],\"desc\":\"192.168.0.2 sent crede"
	"ntials in clear text to 192.168.0.1:23 (Telnet login)\"},\"attacks\":[{\"technique\":{\"uid\":\"T1552\",\"name"
	"\":\"Unsecured Credentials\"}},{\"technique\":{\"uid\":\"T1040\",\"name\":\"Network Sniffing\"}}],\"device\":{\"id\":"
	"\"ip:192.168.0.2\",\"ip\":\"192.168.0.2\",\"mac\":\"00:a0:cc:3b:bf:fa\"},\"detail\":\"Telnet to 192.168.0.1:23\",\""
	"evidence\":[{\"key\":\"telnet_password_prompt\",\"value\":\"Telnet login\",\"flow\":\"tcp 192.168.0.1:23 -> 192."
	"168.0.2:1550\",\"time\":\"1999-11-28T02:12:40.964875Z\"}],\"first_seen\":\"1999-11-28T02:12:40.964875Z\",\"las"
	"t_seen\":\"1999-11-28T02:12:40.964875Z\",\"count\":1,\"rule\":\"builtin:cleartext_credentials\"}\n";

static char dir[64], db_path[4096];
static char *pristine;	/* the store file after the records went in, to put back after a change */
static size_t pristine_len;

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "fuzz_api: %s\n", what);
	abort();
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) && (buf = malloc(n + 1)) &&
	    fread(buf, 1, n, f) == (size_t)n) {
		*len = n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void restore_store(void)
{
	char side[4200];
	FILE *f = fopen(db_path, "wb");

	if (!f || fwrite(pristine, 1, pristine_len, f) != pristine_len || fclose(f))
		die("cannot put the store back");
	snprintf(side, sizeof(side), "%s-wal", db_path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db_path);
	unlink(side);
}

static void make_store(void)
{
	struct store s;
	char err[1024];

	strcpy(dir, "/tmp/fuzz_api.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp failed");
	if (store_open(&s, dir, false, err, sizeof(err)))
		die(err);
	if (store_put_ndjson(&s, RECORDS, sizeof(RECORDS) - 1, err, sizeof(err)) != 3)
		die(err);
	store_close(&s);
	store_path(dir, db_path, sizeof(db_path));
	pristine = slurp(db_path, &pristine_len);
	if (!pristine)
		die("cannot read the store back");
}

static void remove_store(void)
{
	char p[4200];

	/* Best effort: a crash leaves the directory, which is small. */
	for (const char *const *suffix = (const char *const[]){ "", "-wal", "-shm", NULL }; *suffix; suffix++) {
		snprintf(p, sizeof(p), "%s%s", db_path, *suffix);
		unlink(p);
	}
	rmdir(dir);
}

/* Every row of every table, hashed (FNV-1a over type and bytes): what "the store is unchanged" means. */
static uint64_t store_digest(void)
{
	sqlite3 *db;
	sqlite3_stmt *tables, *rows;
	uint64_t h = 1469598103934665603ull;

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) ||
	    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &tables,
			       NULL))
		die("cannot read the store to digest it");
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char sql[512];

		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", sqlite3_column_text(tables, 0));
		if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL))
			die(sqlite3_errmsg(db));
		while (sqlite3_step(rows) == SQLITE_ROW)
			for (int i = 0; i < sqlite3_column_count(rows); i++) {
				const unsigned char *b = sqlite3_column_blob(rows, i);
				int n = sqlite3_column_bytes(rows, i);

				h = (h ^ (uint64_t)sqlite3_column_type(rows, i)) * 1099511628211ull;
				for (int j = 0; j < n; j++)
					h = (h ^ b[j]) * 1099511628211ull;
			}
		sqlite3_finalize(rows);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return h;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	make_store();
	atexit(remove_store);
	return 0;
}

/* The next '\n'-ended field of [*p, end) as a NUL-terminated copy in line (cut to its size). */
static void next_line(const char **p, const char *end, char *line, size_t size)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (nl ? nl : end) - *p;

	snprintf(line, size, "%.*s", (int)n, *p);
	*p = nl ? nl + 1 : end;
}

static const char *header(const char *line)
{
	if (!*line)
		return NULL;
	return strcmp(line, ".") ? line : "";
}

/* libmicrohttpd's split of the query (MHD_parse_arguments_): pieces at '&', key and value at the first '='. */
static void split_query(char *query, struct api_http_req *h)
{
	char *p = query;

	while (*p && h->nquery <= API_MAX_PARAMS) {
		char *amp = strchr(p, '&'), *eq;

		if (amp)
			*amp = '\0';
		eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		h->query[h->nquery].key = p;
		h->query[h->nquery++].val = eq ? eq + 1 : NULL;
		if (!amp)
			break;
		p = amp + 1;
	}
}

static bool is_documented(int status)
{
	static const int ok[] = { 200, 400, 401, 403, 404, 405, 409, 413, 414, 415, 503 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == status)
			return true;
	return false;
}

static void check_answer(const struct api_resp *r)
{
	json_error_t jerr;
	json_t *o, *st;

	if (!is_documented(r->status)) {
		fprintf(stderr, "fuzz_api: status %d: %.*s\n", r->status, (int)r->len, r->body ? r->body : "");
		abort();
	}
	if (!r->body || r->len != strlen(r->body))
		die("no body, or a body with a NUL in it");
	o = json_loadb(r->body, r->len, 0, &jerr);
	if (!o) {
		fprintf(stderr, "fuzz_api: not JSON (%s): %.*s\n", jerr.text, (int)r->len, r->body);
		abort();
	}
	if (r->status != 200) {
		st = json_object_get(json_object_get(o, "error"), "status");
		if (json_integer_value(st) != r->status || !json_is_string(json_object_get(json_object_get(o, "error"),
										     "message")))
			die("an error body without its status and message");
	}
	if (r->status == 405 && !r->allow)
		die("405 without Allow");
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char flags[64], method[64], path[8400], query[8400], auth[512], host[256], origin[256], ctype[256];
	const char *p = (const char *)data, *end = p + size, *msg = NULL;
	struct api_server a = {};
	struct api_http_req h = {};
	struct api_resp r = {};
	struct timespec now;
	bool reads, dispatched = false;
	uint64_t before = 0;
	char clen[32], *body = NULL, *q;

	next_line(&p, end, flags, sizeof(flags));
	next_line(&p, end, method, sizeof(method));
	next_line(&p, end, path, sizeof(path));
	next_line(&p, end, query, sizeof(query));
	next_line(&p, end, auth, sizeof(auth));
	next_line(&p, end, host, sizeof(host));
	next_line(&p, end, origin, sizeof(origin));
	next_line(&p, end, ctype, sizeof(ctype));
	if (!method[0])
		return 0; /* libmicrohttpd answers a request line without a method itself */

	clock_gettime(CLOCK_MONOTONIC, &now);
	a.started_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	a.token = strchr(flags, 't') ? FUZZ_TOKEN : NULL;
	a.state_dir = dir;
	a.pin_dir = "/nonexistent/iotsense-fuzz-pins"; /* containment must never reach a real sensor */
	a.loopback = true;
	a.o.state_dir = a.state_dir;
	a.o.pin_dir = a.pin_dir;
	a.o.token = a.token;

	h.method = method;
	q = strchr(path, '?');
	h.uri_len = strlen(path) + (query[0] ? 1 + strlen(query) : 0);
	if (q)
		*q = '\0';
	if (path[0] != '/')
		return 0; /* libmicrohttpd refuses it before us */
	h.url = path;
	split_query(query, &h);
	h.authorization = header(auth);
	h.host = header(host);
	h.origin = header(origin);
	h.content_type = header(ctype);
	h.fetch_site = strchr(flags, 'c') ? "cross-site" : strchr(flags, 's') ? "same-origin" : NULL;
	if (p < end) {
		body = malloc((size_t)(end - p) + 1);
		if (!body)
			return 0;
		memcpy(body, p, (size_t)(end - p));
		body[end - p] = '\0';
		h.body = body;
		h.body_len = (size_t)(end - p);
		snprintf(clen, sizeof(clen), "%zu", h.body_len);
		h.content_length = clen;
	}
	if (strchr(flags, 'l'))
		h.content_length = "70000";

	reads = !strcmp(method, "GET") || !strcmp(method, "HEAD");
	if (reads)
		before = store_digest();
	r.status = api_precheck(&a, &h, &msg);
	if (r.status) {
		if (r.status != 401 && r.status != 403 && r.status != 413 && r.status != 414)
			die("api_precheck gave a status it does not document");
		if (!msg || !*msg)
			die("api_precheck gave no reason");
	} else if (!strncmp(path, "/api/", 5) || !strcmp(path, "/api")) {
		dispatched = true;
		api_dispatch(&a, &h, &r);
		check_answer(&r);
	} else if (!strcmp(path, "/healthz") || !strcmp(path, "/readyz")) {
		/* The probes: no token, no store write; 200, 400, 404, 405, 500 or 503 (docs/api.md). */
		api_health(&a, &h, &r);
		check_answer(&r);
	}
	if (getenv("FUZZ_API_TRACE")) /* to see what a seed reaches: FUZZ_API_TRACE=1 fuzz_api FILE... */
		fprintf(stderr, "fuzz_api: %s %s -> %d %.*s\n", method, path, r.status,
			r.body ? (int)r.len : (int)strlen(msg ? msg : ""), r.body ? r.body : (msg ? msg : ""));
	if (dispatched && a.token && (!h.authorization || !strstr(h.authorization, FUZZ_TOKEN)))
		die("a route ran without the token");
	if (reads && store_digest() != before)
		die("a GET or HEAD changed the store");
	if (!reads && dispatched && r.status == 200)
		restore_store();
	free(r.body);
	free(body);
	return 0;
}
