// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense hunt 'SQL' [--json|--csv] [--limit N] [--timeout S]` and `iotsense hunt --schema`: read-only SQL over
 * the inventory store, for the questions the fixed commands do not answer. Read-only four times over, because a
 * person pastes queries from elsewhere: the connection is opened read-only, PRAGMA query_only is on, an
 * authorizer allows reading and nothing else (no ATTACH, no writes, no pragma that sets anything, no extension
 * loading), and the statement must say it is read-only before it runs. A time limit keeps a runaway join from
 * holding the terminal. docs/hunting.md documents the tables and carries example queries (tests run them all).
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "lib/jsonw.h"
#include "lib/log.h"
#include "lib/table.h"
#include "store/store.h"

#define HUNT_LIMIT_DEFAULT 1000
#define HUNT_TIMEOUT_S_DEFAULT 10
#define HUNT_PROGRESS_OPS 10000 /* VM steps between two looks at the clock */
#define HUNT_DOC "docs/hunting.md"

enum hunt_fmt { FMT_TABLE, FMT_JSON, FMT_CSV };

struct hunt {
	char denied[256];	/* what the authorizer refused first, for the message */
	struct timespec deadline;
	bool timed_out;
};

/* Pragmas that only describe the schema: a hunter may ask them, with an argument (the table's name). */
static const char *const pragmas_with_arg[] = { "table_info",  "table_xinfo", "table_list",	  "index_list",
						"index_info",  "index_xinfo", "foreign_key_list", NULL };
/* Pragmas that read a value and would set it with an argument: allowed without one. */
static const char *const pragmas_no_arg[] = { "user_version", "schema_version", "data_version", NULL };
static const char *const read_verbs[] = { "SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA", NULL };
/* Functions that reach outside the database (files, shared objects, pointers). */
static const char *const denied_functions[] = { "load_extension", "fts3_tokenizer", "readfile", "writefile",
						"edit", NULL };

static bool in_list(const char *const *l, const char *s)
{
	for (; s && *l; l++)
		if (!strcasecmp(*l, s))
			return true;
	return false;
}

static const char *action_name(int action)
{
	switch (action) {
	case SQLITE_INSERT:
		return "INSERT";
	case SQLITE_UPDATE:
		return "UPDATE";
	case SQLITE_DELETE:
		return "DELETE";
	case SQLITE_ATTACH:
		return "ATTACH";
	case SQLITE_DETACH:
		return "DETACH";
	case SQLITE_ALTER_TABLE:
		return "ALTER TABLE";
	case SQLITE_TRANSACTION:
		return "a transaction (BEGIN, COMMIT)";
	case SQLITE_SAVEPOINT:
		return "SAVEPOINT";
	case SQLITE_REINDEX:
		return "REINDEX";
	case SQLITE_ANALYZE:
		return "ANALYZE";
	case SQLITE_CREATE_INDEX:
	case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_TEMP_INDEX:
	case SQLITE_CREATE_TEMP_TABLE:
	case SQLITE_CREATE_TEMP_TRIGGER:
	case SQLITE_CREATE_TEMP_VIEW:
	case SQLITE_CREATE_TRIGGER:
	case SQLITE_CREATE_VIEW:
	case SQLITE_CREATE_VTABLE:
		return "CREATE";
	case SQLITE_DROP_INDEX:
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_TEMP_INDEX:
	case SQLITE_DROP_TEMP_TABLE:
	case SQLITE_DROP_TEMP_TRIGGER:
	case SQLITE_DROP_TEMP_VIEW:
	case SQLITE_DROP_TRIGGER:
	case SQLITE_DROP_VIEW:
	case SQLITE_DROP_VTABLE:
		return "DROP";
	default:
		return "this statement";
	}
}

static int authorize(void *ctx, int action, const char *a1, const char *a2, const char *db, const char *trigger)
{
	struct hunt *h = ctx;

	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_UPDATE:
		/*
		 * SQLite asks this for every column of sqlite_master when a query first uses an eponymous virtual
		 * table (json_each, pragma_table_info): it cannot be told from a person's UPDATE of the schema table,
		 * which the verb check, sqlite3_stmt_readonly(), query_only and the read-only file all refuse.
		 */
		if (a1 && (!strcmp(a1, "sqlite_master") || !strcmp(a1, "sqlite_schema")))
			return SQLITE_OK;
		if (!h->denied[0])
			snprintf(h->denied, sizeof(h->denied), "UPDATE");
		return SQLITE_DENY;
	case SQLITE_FUNCTION:
		if (!in_list(denied_functions, a2))
			return SQLITE_OK;
		if (!h->denied[0])
			snprintf(h->denied, sizeof(h->denied), "the function %s()", a2);
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		if (in_list(pragmas_with_arg, a1) || (in_list(pragmas_no_arg, a1) && !a2))
			return SQLITE_OK;
		if (!h->denied[0])
			snprintf(h->denied, sizeof(h->denied),
				 "PRAGMA %s%s (only table_info, table_xinfo, table_list, index_list, index_info, "
				 "index_xinfo, foreign_key_list, and reading user_version)",
				 a1 ? a1 : "?", a2 ? " with a value" : "");
		return SQLITE_DENY;
	default:
		if (!h->denied[0])
			snprintf(h->denied, sizeof(h->denied), "%s", action_name(action));
		return SQLITE_DENY;
	}
}

static int progress(void *ctx)
{
	struct hunt *h = ctx;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > h->deadline.tv_sec ||
	    (now.tv_sec == h->deadline.tv_sec && now.tv_nsec >= h->deadline.tv_nsec)) {
		h->timed_out = true;
		return 1; /* interrupts the statement: SQLITE_INTERRUPT */
	}
	return 0;
}

/* Past whitespace, comments and empty statements (";"). */
static const char *skip_blank(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == ';')
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

/* The statement's first word, upper case ("SELECT", "DROP"). */
static void first_word(const char *sql, char *out, size_t size)
{
	const char *p = skip_blank(sql);
	size_t n = 0;

	while (n + 1 < size && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		out[n++] = (char)(*p++ & ~0x20);
	out[n] = 0;
}

static void refuse(const char *what)
{
	fprintf(stderr, "iotsense: hunt is read-only: %s is not allowed; the tables are documented in %s\n", what,
		HUNT_DOC);
}

/* The refusal in the words of the statement: "DROP" rather than the DELETE on sqlite_master that it implies. */
static void refuse_stmt(const char *sql, const char *denied)
{
	char verb[32];

	first_word(sql, verb, sizeof(verb));
	if (denied[0] && (!verb[0] || !strcmp(verb, "SELECT") || !strcmp(verb, "WITH") ||
			  !strcmp(verb, "VALUES") || !strcmp(verb, "EXPLAIN") || !strcmp(verb, "PRAGMA")))
		refuse(denied);
	else
		refuse(verb[0] ? verb : denied[0] ? denied : "this statement");
}

/* "line L, column C" of byte offset off in sql, and that line with a caret under the place. */
static void show_position(const char *sql, int off)
{
	const char *line = sql, *p;
	int lineno = 1;
	char *esc, *before;

	if (off < 0 || (size_t)off > strlen(sql))
		return;
	for (p = sql; p < sql + off; p++)
		if (*p == '\n') {
			lineno++;
			line = p + 1;
		}
	esc = table_escape(line, strcspn(line, "\n"));
	before = table_escape(line, (size_t)(sql + off - line));
	if (esc && before) {
		fprintf(stderr, "  at line %d, column %u:\n    %s\n    %*s^\n", lineno, table_text_width(before) + 1,
			esc, (int)table_text_width(before), "");
	}
	free(esc);
	free(before);
}

/* A BLOB as hex: neither JSON nor CSV has bytes. */
static void put_hex(FILE *f, const unsigned char *b, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static void print_json_row(sqlite3_stmt *st, struct jsonw *w, FILE *f, bool first)
{
	int n = sqlite3_column_count(st);

	fputs(first ? "  {" : ",\n  {", f);
	for (int c = 0; c < n; c++) {
		jw_reset(w);
		jw_str(w, sqlite3_column_name(st, c));
		fprintf(f, "%s%s: ", c ? ", " : "", w->buf);
		switch (sqlite3_column_type(st, c)) {
		case SQLITE_INTEGER:
			fprintf(f, "%lld", (long long)sqlite3_column_int64(st, c));
			break;
		case SQLITE_FLOAT:
			/* SQLite's own rendering (1.0, 2.5e+100) is a JSON number; infinities are not. */
			if (isfinite(sqlite3_column_double(st, c)))
				fputs((const char *)sqlite3_column_text(st, c), f);
			else
				fputs("null", f);
			break;
		case SQLITE_NULL:
			fputs("null", f);
			break;
		case SQLITE_BLOB:
			fputc('"', f);
			put_hex(f, sqlite3_column_blob(st, c), sqlite3_column_bytes(st, c));
			fputc('"', f);
			break;
		default:
			jw_reset(w);
			jw_strn(w, (const char *)sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c));
			fwrite(w->buf, 1, w->len, f);
		}
	}
	fputc('}', f);
}

/* RFC 4180: a field with a comma, a quote, CR or LF is quoted, its quotes doubled; lines end in CRLF. */
static void put_csv_field(FILE *f, const char *s, size_t n)
{
	bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');

	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

static void print_csv_row(sqlite3_stmt *st, FILE *f, bool header)
{
	int n = sqlite3_column_count(st);

	for (int c = 0; c < n; c++) {
		if (c)
			fputc(',', f);
		if (header) {
			const char *name = sqlite3_column_name(st, c);

			put_csv_field(f, name, strlen(name));
		} else if (sqlite3_column_type(st, c) == SQLITE_BLOB) {
			put_hex(f, sqlite3_column_blob(st, c), sqlite3_column_bytes(st, c));
		} else if (sqlite3_column_type(st, c) != SQLITE_NULL) {
			const char *s = (const char *)sqlite3_column_text(st, c);

			put_csv_field(f, s, (size_t)sqlite3_column_bytes(st, c));
		}
	}
	fputs("\r\n", f);
}

static int table_row(struct table *t, sqlite3_stmt *st, bool *text_seen)
{
	int n = sqlite3_column_count(st);
	const char **cells = calloc((size_t)n, sizeof(*cells));
	size_t *lens = calloc((size_t)n, sizeof(*lens));
	char **hex = calloc((size_t)n, sizeof(*hex));
	int ret = -1;

	if (!cells || !lens || !hex)
		goto out;
	for (int c = 0; c < n; c++) {
		int type = sqlite3_column_type(st, c);

		if (type == SQLITE_BLOB) {
			const unsigned char *b = sqlite3_column_blob(st, c);
			int bn = sqlite3_column_bytes(st, c);

			hex[c] = malloc((size_t)bn * 2 + 3);
			if (!hex[c])
				goto out;
			hex[c][0] = 0;
			for (int i = 0; i < bn; i++)
				sprintf(hex[c] + i * 2, "%02x", b[i]);
			cells[c] = hex[c];
			lens[c] = strlen(hex[c]);
		} else if (type != SQLITE_NULL) {
			cells[c] = (const char *)sqlite3_column_text(st, c);
			lens[c] = (size_t)sqlite3_column_bytes(st, c);
		}
		if (type == SQLITE_TEXT || type == SQLITE_BLOB)
			text_seen[c] = true;
	}
	ret = table_add(t, cells, lens);
out:
	if (hex)
		for (int c = 0; c < n; c++)
			free(hex[c]);
	free(hex);
	free(cells);
	free(lens);
	return ret;
}

/* Opens the store read-only with every guard of hunt on. */
static int open_guarded(struct store *s, struct hunt *h, char *err, size_t err_size)
{
	char *msg = NULL;

	if (store_open(s, g_opts.state_dir, true, err, err_size) < 0)
		return -1;
	if (sqlite3_exec(s->db, "PRAGMA query_only = ON", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, err_size, "PRAGMA query_only: %s", msg ? msg : "?");
		sqlite3_free(msg);
		store_close(s);
		return -1;
	}
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_set_authorizer(s->db, authorize, h);
	return 0;
}

static int run_query(const char *sql, enum hunt_fmt fmt, unsigned long limit, unsigned long timeout_s)
{
	struct hunt h = { 0 };
	struct store s;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL, *rest;
	char err[1024], verb[32];
	struct table t = { 0 };
	struct jsonw w;
	bool *text_seen = NULL;
	unsigned long shown = 0, more = 0;
	int rc, ncols, ret = EXIT_ERR;

	if (open_guarded(&s, &h, err, sizeof(err)) < 0) {
		pr_err("%s\n", err);
		return EXIT_ERR;
	}
	jw_init(&w);
	/* What a reading statement starts with; anything else is refused in its own words before SQLite sees it. */
	first_word(sql, verb, sizeof(verb));
	if (verb[0] && !in_list(read_verbs, verb)) {
		refuse(verb);
		goto out;
	}
	rc = sqlite3_prepare_v2(s.db, sql, -1, &st, &tail);
	if (rc != SQLITE_OK) {
		if (h.denied[0] || (rc & 0xff) == SQLITE_AUTH) {
			refuse_stmt(sql, h.denied);
		} else {
			fprintf(stderr, "iotsense: hunt: %s\n", sqlite3_errmsg(s.db));
			show_position(sql, sqlite3_error_offset(s.db));
			fprintf(stderr, "  (the tables and their columns: 'iotsense hunt --schema' or %s)\n", HUNT_DOC);
		}
		goto out;
	}
	if (!st) {
		pr_err("hunt: no statement in '%s'; give one SELECT, e.g. 'SELECT id, type FROM devices'\n", sql);
		goto out;
	}
	rest = skip_blank(tail);
	if (*rest) {
		fprintf(stderr, "iotsense: hunt runs one statement; remove what follows it:\n");
		show_position(sql, (int)(rest - sql));
		goto out;
	}
	if (!sqlite3_stmt_readonly(st)) {
		refuse_stmt(sql, h.denied);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &h.deadline);
	h.deadline.tv_sec += (time_t)timeout_s;
	if (timeout_s)
		sqlite3_progress_handler(s.db, HUNT_PROGRESS_OPS, progress, &h);

	ncols = sqlite3_column_count(st);
	if (fmt == FMT_TABLE) {
		const char **names = calloc((size_t)ncols + 1, sizeof(*names));

		text_seen = calloc((size_t)ncols + 1, sizeof(*text_seen));
		if (!names || !text_seen) {
			free(names);
			pr_err("out of memory\n");
			goto out;
		}
		for (int c = 0; c < ncols; c++)
			names[c] = sqlite3_column_name(st, c);
		rc = table_init(&t, ncols, names);
		free(names);
		if (rc < 0) {
			pr_err("out of memory\n");
			goto out;
		}
	} else if (fmt == FMT_JSON) {
		fputs("[\n", stdout);
	} else {
		print_csv_row(st, stdout, true);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit && shown >= limit) {
			more++; /* counted, so the person knows how much the limit hid */
			continue;
		}
		if (fmt == FMT_TABLE)
			table_row(&t, st, text_seen);
		else if (fmt == FMT_JSON)
			print_json_row(st, &w, stdout, shown == 0);
		else
			print_csv_row(st, stdout, false);
		shown++;
	}
	/* Close what was started, so the output parses even when the query was stopped. */
	if (fmt == FMT_TABLE) {
		for (int c = 0; c < ncols; c++)
			if (!text_seen[c])
				table_align_right(&t, c);
		table_print(&t, stdout, 0);
	} else if (fmt == FMT_JSON) {
		fputs(shown ? "\n]\n" : "]\n", stdout);
	}
	fflush(stdout);
	if (rc != SQLITE_DONE) {
		if (h.timed_out)
			fprintf(stderr,
				"iotsense: hunt: stopped after %lu s, with %lu rows: the query ran too long (a join "
				"without ON?); narrow it, or give --timeout SECONDS\n",
				timeout_s, shown);
		else
			fprintf(stderr, "iotsense: hunt: %s\n", sqlite3_errmsg(s.db));
		goto out;
	}
	if (fmt == FMT_TABLE)
		fprintf(stderr, "%lu rows\n", shown);
	if (more)
		fprintf(stderr, "%lu more rows not shown (--limit %lu; --limit 0 shows all)\n", more, limit);
	ret = EXIT_OK;
out:
	if (fmt == FMT_TABLE && t.ncols)
		table_free(&t);
	free(text_seen);
	jw_free(&w);
	sqlite3_finalize(st);
	store_close(&s);
	return ret;
}

/* What each documented table or view holds; docs/hunting.md says the same at length. */
static const struct {
	const char *name, *what;
} documented[] = {
	{ "devices", "one row per device: identity, risk, exposure, operator name/criticality/tags, the last "
		     "device record (record, JSON)" },
	{ "device_addresses", "every IP and MAC a device was seen with (kind ip|mac), first/last seen" },
	{ "device_hostnames", "every hostname a device announced" },
	{ "device_services", "services a device offers: service 'tcp/23', transport, port" },
	{ "device_protocols", "application protocols a device spoke" },
	{ "device_observations", "the evidence: key, value, protocol, first/last seen, count, confidence, flow" },
	{ "alerts", "one row per finding (uid): type, title, severity, rule, ATT&CK techniques, count" },
	{ "device_alerts", "view: alerts joined to the device they concern by id, MAC or any of its IPs" },
	{ "vulnerabilities", "current CVE matches: cve, cvss, severity, kev (1 = known exploited)" },
	{ "recommendations", "current open recommendations: rec_id (IOTS-REC-....), title, proof (JSON)" },
	{ "containment", "devices contained now: since, until, drops" },
};

/* "name (kind): what it holds", then its columns, wrapped to the width: the column names are never cut. */
static void print_schema_entry(const char *name, const char *kind, const char *what, const char *cols, unsigned width)
{
	unsigned col = 2;

	printf("%s (%s): %s\n ", name, kind, what);
	while (*cols) {
		size_t n = strcspn(cols, ",");

		if (col > 2 && col + n + 2 > width) {
			printf("\n ");
			col = 2;
		}
		printf(" %.*s%s", (int)n, cols, cols[n] ? "," : "");
		col += (unsigned)n + 2;
		cols += n;
		cols += strspn(cols, ", ");
	}
	printf("\n\n");
}

static int print_schema(bool json)
{
	struct hunt h = { 0 };
	struct store s;
	char err[1024];
	sqlite3_stmt *cols;
	json_t *out = json_object();
	unsigned width = table_term_width(stdout);

	if (open_guarded(&s, &h, err, sizeof(err)) < 0) {
		pr_err("%s\n", err);
		json_decref(out);
		return EXIT_ERR;
	}
	if (sqlite3_prepare_v2(s.db,
			       "SELECT m.type, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p"
			       " WHERE m.name = ?1 ORDER BY p.cid",
			       -1, &cols, NULL) != SQLITE_OK) {
		pr_err("reading the schema: %s\n", sqlite3_errmsg(s.db));
		store_close(&s);
		json_decref(out);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < sizeof(documented) / sizeof(documented[0]); i++) {
		char list[2048] = "";
		size_t len = 0;
		json_t *arr = json_array();
		const char *kind = "table";

		sqlite3_bind_text(cols, 1, documented[i].name, -1, SQLITE_STATIC);
		while (sqlite3_step(cols) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(cols, 1);
			const char *type = (const char *)sqlite3_column_text(cols, 2);

			kind = !strcmp((const char *)sqlite3_column_text(cols, 0), "view") ? "view" : "table";
			json_array_append_new(arr, json_pack("{s:s, s:s}", "name", name, "type", type ? type : ""));
			if (len < sizeof(list))
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", name);
		}
		sqlite3_reset(cols);
		if (!json_array_size(arr)) {
			json_decref(arr);
			continue; /* an older store without it */
		}
		json_object_set_new(out, documented[i].name,
				    json_pack("{s:s, s:s, s:o}", "kind", kind, "holds", documented[i].what, "columns", arr));
		if (!json)
			print_schema_entry(documented[i].name, kind, documented[i].what, list, width);
	}
	sqlite3_finalize(cols);
	if (json) {
		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		printf("Times are RFC 3339 UTC text; devices.record and alerts.record are JSON (json_extract). "
		       "More in %s.\n", HUNT_DOC);
	}
	json_decref(out);
	store_close(&s);
	return EXIT_OK;
}

/* The SQL of "-": standard input, whole. */
static char *read_stdin(void)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		size_t n;

		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, stdin);
		len += n;
		if (n == 0)
			break;
	}
	buf[len] = 0;
	return buf;
}

int cmd_hunt(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "limit", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "schema", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum hunt_fmt fmt = FMT_TABLE;
	unsigned long limit = HUNT_LIMIT_DEFAULT, timeout_s = HUNT_TIMEOUT_S_DEFAULT;
	bool schema = false;
	char *sql = NULL;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "jcn:t:sh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			fmt = FMT_JSON;
			break;
		case 'c':
			fmt = FMT_CSV;
			break;
		case 'n':
			if (!parse_uint("--limit", optarg, 0, 1000000000, &limit))
				return EXIT_USAGE;
			break;
		case 't':
			if (!parse_uint("--timeout", optarg, 0, 86400, &timeout_s))
				return EXIT_USAGE;
			break;
		case 's':
			schema = true;
			break;
		case 'h':
			printf("Usage: iotsense hunt 'SQL' [--json|--csv] [--limit N] [--timeout S]\n"
			       "       iotsense hunt --schema [--json]\n"
			       "  One read-only SQL statement over <state-dir>/%s ('-': the SQL from stdin).\n"
			       "  Output: a table, --json (an array of objects) or --csv (RFC 4180). --limit: rows shown\n"
			       "  (default %d, 0 for all; the rest are counted). --timeout: seconds before the query\n"
			       "  is stopped (default %d, 0 for none). --schema: the tables and their columns.\n"
			       "  The tables, what they mean and example queries: %s.\n",
			       STORE_FILE_NAME, HUNT_LIMIT_DEFAULT, HUNT_TIMEOUT_S_DEFAULT, HUNT_DOC);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (schema) {
		if (optind != argc) {
			pr_err("hunt --schema takes no SQL\n");
			return EXIT_USAGE;
		}
		return print_schema(fmt == FMT_JSON);
	}
	if (argc - optind != 1) {
		pr_err("hunt takes one SQL statement, quoted: iotsense hunt 'SELECT id, type FROM devices' "
		       "(or --schema; see --help)\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "-")) {
		sql = read_stdin();
		if (!sql) {
			pr_err("out of memory reading the SQL\n");
			return EXIT_ERR;
		}
	}
	ret = run_query(sql ? sql : argv[optind], fmt, limit, timeout_s);
	free(sql);
	return ret;
}
