// SPDX-License-Identifier: GPL-2.0-only
/*
 * IOC lists: parsing (strict for the operator's lists, lenient for imported feeds), matching, and the
 * `feed import iocs` command. See ioc.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../lib/jsonw.h"
#include "ioc.h"

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void ioc_set_init(struct ioc_set *s)
{
	memset(s, 0, sizeof(*s));
}

void ioc_set_free(struct ioc_set *s)
{
	for (size_t i = 0; i < s->ndomains; i++)
		free(s->domains[i]);
	free(s->domains);
	free(s->nets);
	memset(s, 0, sizeof(*s));
}

static void mask_addr(uint8_t a[16], uint8_t plen)
{
	for (int i = 0; i < 16; i++) {
		int bits = plen - i * 8;

		if (bits >= 8)
			continue;
		a[i] &= bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

/* A label character: letters, digits, '-' and '_' (service names and some malware domains use '_'). */
static bool label_char(int c)
{
	return isalnum(c) || c == '-' || c == '_';
}

/* Lower-cased, wildcard and trailing dot removed, into out; false when it is no domain we accept. */
static bool parse_domain(const char *tok, char *out, size_t size, char *why, size_t why_size)
{
	size_t n, labels = 1, label_len = 0;
	bool all_digits = true;

	if (!strncmp(tok, "*.", 2))
		tok += 2;
	n = strlen(tok);
	if (n && tok[n - 1] == '.')
		n--;
	if (!n || n > 253 || n >= size) {
		snprintf(why, why_size, "not an IP address, network or domain name");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)tok[i];

		if (c == '.') {
			if (!label_len) {
				snprintf(why, why_size, "empty label in domain name");
				return false;
			}
			labels++;
			label_len = 0;
			all_digits = true;
		} else if (label_char(c)) {
			if (++label_len > 63) {
				snprintf(why, why_size, "a domain label is at most 63 characters");
				return false;
			}
			all_digits &= isdigit(c) != 0;
		} else {
			snprintf(why, why_size, "'%c' is not allowed in a domain name (not an IP address, network or "
				 "domain)", isprint(c) ? c : '?');
			return false;
		}
		out[i] = (char)tolower(c);
	}
	out[n] = 0;
	if (!label_len) {
		snprintf(why, why_size, "empty label in domain name");
		return false;
	}
	if (all_digits) {
		snprintf(why, why_size, "not a valid IP address, and a domain cannot end in a numeric label");
		return false;
	}
	if (labels < 2) {
		snprintf(why, why_size, "'%s' is a single label: list a domain (evil.example), not a top-level domain",
			 out);
		return false;
	}
	return true;
}

enum ioc_kind ioc_parse(const char *tok, bool strict, struct ioc_net *net, char *domain, size_t domain_size,
			char *why, size_t why_size)
{
	char buf[64];
	const char *slash = strchr(tok, '/');
	uint8_t a[16];
	long plen = -1;
	bool v4;

	memset(net, 0, sizeof(*net));
	if (slash) {
		char *end;

		if ((size_t)(slash - tok) >= sizeof(buf)) {
			snprintf(why, why_size, "not an IP network");
			return IOC_NONE;
		}
		memcpy(buf, tok, slash - tok);
		buf[slash - tok] = 0;
		errno = 0;
		plen = strtol(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || errno) {
			snprintf(why, why_size, "the prefix length after '/' must be a number");
			return IOC_NONE;
		}
	} else {
		if (strlen(tok) >= sizeof(buf))
			return parse_domain(tok, domain, domain_size, why, why_size) ? IOC_DOMAIN : IOC_NONE;
		snprintf(buf, sizeof(buf), "%s", tok);
	}
	if (inet_pton(AF_INET, buf, a + 12) == 1) {
		memcpy(a, v4mapped, 12);
		v4 = true;
	} else if (inet_pton(AF_INET6, buf, a) == 1) {
		v4 = false;
	} else if (slash) {
		snprintf(why, why_size, "'%s' is not an IPv4 or IPv6 address", buf);
		return IOC_NONE;
	} else {
		return parse_domain(tok, domain, domain_size, why, why_size) ? IOC_DOMAIN : IOC_NONE;
	}
	if (plen < 0)
		plen = v4 ? 32 : 128;
	if (plen > (v4 ? 32 : 128)) {
		snprintf(why, why_size, "prefix length /%ld is longer than an %s address", plen, v4 ? "IPv4" : "IPv6");
		return IOC_NONE;
	}
	if (v4)
		plen += 96;
	if (strict) {
		uint8_t m[16];

		memcpy(m, a, 16);
		mask_addr(m, (uint8_t)plen);
		if (memcmp(m, a, 16)) {
			snprintf(why, why_size, "host bits are set in '%s': write the network address", tok);
			return IOC_NONE;
		}
	}
	mask_addr(a, (uint8_t)plen);
	memcpy(net->addr, a, 16);
	net->plen = (uint8_t)plen;
	return IOC_NET;
}

int ioc_add_net(struct ioc_set *s, const struct ioc_net *n)
{
	if (s->nnets + s->ndomains >= IOC_ENTRIES_MAX)
		return -1;
	if (s->nnets == s->capnets) {
		size_t cap = s->capnets ? s->capnets * 2 : 64;
		struct ioc_net *nn = realloc(s->nets, cap * sizeof(*nn));

		if (!nn)
			return -1;
		s->nets = nn;
		s->capnets = cap;
	}
	s->nets[s->nnets++] = *n;
	s->finished = false;
	return 0;
}

int ioc_add_domain(struct ioc_set *s, const char *d)
{
	char *copy;

	if (s->nnets + s->ndomains >= IOC_ENTRIES_MAX)
		return -1;
	if (s->ndomains == s->capdomains) {
		size_t cap = s->capdomains ? s->capdomains * 2 : 64;
		char **nd = realloc(s->domains, cap * sizeof(*nd));

		if (!nd)
			return -1;
		s->domains = nd;
		s->capdomains = cap;
	}
	copy = strdup(d);
	if (!copy)
		return -1;
	s->domains[s->ndomains++] = copy;
	s->finished = false;
	return 0;
}

/* Cuts a line at its comment ('#' first or after a blank) and trailing blanks; returns the first non-blank. */
static char *strip_line(char *line)
{
	char *p = line, *e;

	for (e = line; *e; e++)
		if (*e == '#' && (e == line || isspace((unsigned char)e[-1]))) {
			*e = 0;
			break;
		}
	e = line + strlen(line);
	while (e > line && isspace((unsigned char)e[-1]))
		*--e = 0;
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

int ioc_load_file(struct ioc_set *s, const char *path, char *err, size_t err_size, bool *io)
{
	char line[IOC_LINE_MAX + 2], dom[IOC_TEXT_MAX], why[160];
	unsigned long lineno = 0;
	FILE *f = fopen(path, "r");
	int rc = 0;

	*io = false;
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		*io = true;
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct ioc_net net;
		enum ioc_kind k;
		char *tok;
		size_t n = strlen(line);

		lineno++;
		if (n && line[n - 1] != '\n' && !feof(f)) {
			snprintf(err, err_size, "%s:%lu:%d: line longer than %d bytes (or holding a NUL byte)", path,
				 lineno, IOC_LINE_MAX, IOC_LINE_MAX);
			rc = -1;
			break;
		}
		tok = strip_line(line);
		if (!*tok)
			continue;
		for (char *c = tok; *c; c++)
			if (isspace((unsigned char)*c)) {
				snprintf(err, err_size, "%s:%lu:%ld: one entry per line (an address, network or "
					 "domain; comments start with '#')", path, lineno, (long)(c - line) + 1);
				rc = -1;
				goto out;
			}
		k = ioc_parse(tok, true, &net, dom, sizeof(dom), why, sizeof(why));
		if (k == IOC_NONE) {
			snprintf(err, err_size, "%s:%lu:%ld: %s", path, lineno, (long)(tok - line) + 1, why);
			rc = -1;
			break;
		}
		if ((k == IOC_NET ? ioc_add_net(s, &net) : ioc_add_domain(s, dom)) < 0) {
			snprintf(err, err_size, "%s:%lu:%ld: more than %u entries (or out of memory)", path, lineno,
				 (long)(tok - line) + 1, IOC_ENTRIES_MAX);
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, err_size, "%s: read error", path);
		*io = true;
		rc = -1;
	}
out:
	fclose(f);
	if (!rc)
		s->files++;
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ioc_load_dir(struct ioc_set *s, const char *dir, char *err, size_t err_size, bool *io)
{
	DIR *d = opendir(dir);
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;

	*io = false;
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, err_size, "%s: %s", dir, strerror(errno));
		*io = true;
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".txt"))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn) {
				rc = -1;
				snprintf(err, err_size, "%s: out of memory", dir);
				goto out;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = -1;
			snprintf(err, err_size, "%s: out of memory", dir);
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = ioc_load_file(s, path, err, err_size, io);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int cmp_net(const void *a, const void *b)
{
	const struct ioc_net *x = a, *y = b;

	if (x->plen != y->plen)
		return x->plen > y->plen ? -1 : 1; /* longest first */
	return memcmp(x->addr, y->addr, 16);
}

void ioc_set_finish(struct ioc_set *s)
{
	size_t w = 0;

	if (s->nnets) {
		qsort(s->nets, s->nnets, sizeof(*s->nets), cmp_net);
		for (size_t i = 0; i < s->nnets; i++)
			if (!w || cmp_net(&s->nets[w - 1], &s->nets[i]))
				s->nets[w++] = s->nets[i];
		s->nnets = w;
	}
	s->nranges = 0;
	for (size_t i = 0; i < s->nnets; i++) {
		if (!s->nranges || s->ranges[s->nranges - 1].plen != s->nets[i].plen) {
			s->ranges[s->nranges].plen = s->nets[i].plen;
			s->ranges[s->nranges].start = i;
			s->nranges++;
		}
		s->ranges[s->nranges - 1].end = i + 1;
	}
	if (s->ndomains) {
		qsort(s->domains, s->ndomains, sizeof(*s->domains), cmp_name);
		w = 0;
		for (size_t i = 0; i < s->ndomains; i++) {
			if (w && !strcmp(s->domains[w - 1], s->domains[i]))
				free(s->domains[i]);
			else
				s->domains[w++] = s->domains[i];
		}
		s->ndomains = w;
	}
	s->finished = true;
}

const struct ioc_net *ioc_match_ip(const struct ioc_set *s, const struct iot_addr *a)
{
	for (int r = 0; s->finished && r < s->nranges; r++) {
		struct ioc_net key;
		size_t lo = s->ranges[r].start, hi = s->ranges[r].end;

		memcpy(key.addr, a->b, 16);
		key.plen = s->ranges[r].plen;
		mask_addr(key.addr, key.plen);
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = memcmp(s->nets[mid].addr, key.addr, 16);

			if (!c)
				return &s->nets[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

static const char *find_domain(const struct ioc_set *s, const char *name)
{
	size_t lo = 0, hi = s->ndomains;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->domains[mid], name);

		if (!c)
			return s->domains[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *ioc_match_domain(const struct ioc_set *s, const char *name)
{
	char buf[IOC_TEXT_MAX];
	size_t n = 0;
	const char *p, *hit;

	if (!s->finished || !s->ndomains || !name)
		return NULL;
	if (name[0] == '[') /* "[2001:db8::1]:443": an address, not a name */
		return NULL;
	for (p = name; *p && *p != ':' && n < sizeof(buf) - 1; p++)
		buf[n++] = (char)tolower((unsigned char)*p);
	if (*p && *p != ':')
		return NULL; /* longer than any name */
	while (n && buf[n - 1] == '.')
		n--;
	buf[n] = 0;
	for (p = buf; p && *p; p = strchr(p, '.'), p = p ? p + 1 : NULL) {
		hit = find_domain(s, p);
		if (hit)
			return hit;
	}
	return NULL;
}

void ioc_net_format(const struct ioc_net *n, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	bool v4 = !memcmp(n->addr, v4mapped, 12) && n->plen >= 96;

	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? n->addr + 12 : n->addr, a, sizeof(a));
	if (n->plen == 128)
		snprintf(buf, size, "%s", a);
	else
		snprintf(buf, size, "%s/%u", a, v4 ? n->plen - 96 : n->plen);
}

size_t ioc_host_addrs(const struct ioc_set *s, struct iot_addr *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < s->nnets && k < max; i++) {
		if (s->nets[i].plen != 128)
			continue;
		memcpy(out[k].b, s->nets[i].addr, 16);
		out[k].family = memcmp(s->nets[i].addr, v4mapped, 12) ? AF_INET6 : AF_INET;
		k++;
	}
	return k;
}

const char *ioc_feed_path(const char *state_dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/feeds/%s", state_dir, IOC_FEED_FILE);
	return buf;
}

/* ---- import ---- */

/* "evil[.]example", "hxxps://", "evil(.)example": the defanged forms threat reports use. */
static void refang(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if ((r[0] == '[' || r[0] == '(') && r[1] == '.' && (r[2] == ']' || r[2] == ')')) {
			*w++ = '.';
			r += 3;
		} else if (!strncasecmp(r, "hxxp", 4)) {
			memcpy(w, "http", 4);
			w += 4;
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
}

/* One line of a feed to one entry token in tok (or "" for none): hosts files, URLs, CSV, ip:port. */
static void feed_token(char *line, char *tok, size_t size)
{
	char *fields[3] = { 0 }, *save = NULL, *f, *p;
	int n = 0;

	tok[0] = 0;
	refang(line);
	for (f = strtok_r(line, " \t,;\"", &save); f && n < 3; f = strtok_r(NULL, " \t,;\"", &save))
		fields[n++] = f;
	if (!n)
		return;
	f = fields[0];
	/* hosts-file blocklists: "0.0.0.0 evil.example" */
	if (n >= 2 && (!strcmp(f, "0.0.0.0") || !strcmp(f, "127.0.0.1") || !strcmp(f, "::") || !strcmp(f, "::1")))
		f = fields[1];
	p = strstr(f, "://");
	if (p) {
		f = p + 3;
		p = strchr(f, '@'); /* user:pass@host */
		if (p && p < f + strcspn(f, "/?#"))
			f = p + 1;
		f[strcspn(f, "/?#")] = 0;
		if (f[0] == '[') { /* [2001:db8::1]:8080 */
			f++;
			p = strchr(f, ']');
			if (p)
				*p = 0;
		}
	}
	/* a.b.c.d:port (one colon: not IPv6) */
	p = strchr(f, ':');
	if (p && !strchr(p + 1, ':'))
		*p = 0;
	snprintf(tok, size, "%s", f);
}

static int write_list(FILE *o, const struct ioc_set *s, const char *src)
{
	char buf[IOC_TEXT_MAX];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	fprintf(o, "# iotsense IOC feed, format 1: imported by `iotsense feed import iocs` from %s\n", src);
	fprintf(o, "# at %04d-%02d-%02dT%02d:%02d:%02dZ: %zu addresses and networks, %zu domains\n",
		tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, s->nnets,
		s->ndomains);
	for (size_t i = 0; i < s->nnets; i++) {
		ioc_net_format(&s->nets[i], buf, sizeof(buf));
		fprintf(o, "%s\n", buf);
	}
	for (size_t i = 0; i < s->ndomains; i++)
		fprintf(o, "%s\n", s->domains[i]);
	return ferror(o) ? -1 : 0;
}

int ioc_import(const char *file, const char *state_dir, struct ioc_import_report *rep, char *err,
	       size_t err_size)
{
	char line[IOC_LINE_MAX + 2], tok[IOC_LINE_MAX], dom[IOC_TEXT_MAX], why[160], tmp[4200], dir[4096];
	struct ioc_set s;
	size_t before;
	gzFile in;
	FILE *o;
	int fd, rc = -1;
	bool skipping = false;

	memset(rep, 0, sizeof(*rep));
	ioc_set_init(&s);
	in = gzopen(file, "rb");
	if (!in) {
		snprintf(err, err_size, "%s: %s", file, errno ? strerror(errno) : "cannot open");
		return -1;
	}
	while (gzgets(in, line, sizeof(line))) {
		struct ioc_net net;
		enum ioc_kind k;
		size_t n = strlen(line);
		bool whole = n && line[n - 1] == '\n';
		char *t;

		if (skipping) { /* the rest of an over-long line */
			skipping = !whole;
			continue;
		}
		rep->lines++;
		if (!whole && !gzeof(in)) {
			rep->skipped_too_long++;
			skipping = true;
			continue;
		}
		t = strip_line(line);
		if (!*t)
			continue;
		feed_token(t, tok, sizeof(tok));
		if (!tok[0])
			continue;
		k = ioc_parse(tok, false, &net, dom, sizeof(dom), why, sizeof(why));
		if (k == IOC_NONE) {
			if (!rep->example_invalid[0])
				snprintf(rep->example_invalid, sizeof(rep->example_invalid), "%.79s", tok);
			rep->skipped_invalid++;
			continue;
		}
		if ((k == IOC_NET ? ioc_add_net(&s, &net) : ioc_add_domain(&s, dom)) < 0) {
			rep->skipped_over_limit++;
			continue;
		}
		if (k == IOC_DOMAIN)
			rep->domains++;
		else if (net.plen == 128)
			rep->ips++;
		else
			rep->nets++;
	}
	if (!gzeof(in)) {
		int e;
		const char *m = gzerror(in, &e);

		snprintf(err, err_size, "%s: %s", file, e == Z_ERRNO ? strerror(errno) : m);
		gzclose(in);
		goto out;
	}
	gzclose(in);
	before = s.nnets + s.ndomains;
	ioc_set_finish(&s);
	rep->duplicates = before - s.nnets - s.ndomains;
	if (!s.nnets && !s.ndomains) {
		snprintf(err, err_size, "%s: no IP address, network or domain in %llu lines%s%s", file,
			 (unsigned long long)rep->lines, rep->example_invalid[0] ? " (e.g. not usable: " : "",
			 rep->example_invalid[0] ? rep->example_invalid : "");
		if (rep->example_invalid[0])
			snprintf(err + strlen(err), err_size - strlen(err), ")");
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", state_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, err_size, "%s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/feeds", state_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, err_size, "%s: %s", dir, strerror(errno));
		goto out;
	}
	ioc_feed_path(state_dir, rep->path, sizeof(rep->path));
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", rep->path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, err_size, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	o = fdopen(fd, "w");
	if (!o) {
		snprintf(err, err_size, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (write_list(o, &s, file) || fflush(o) || fsync(fileno(o)) || fchmod(fileno(o), 0600)) {
		snprintf(err, err_size, "writing %s: %s", tmp, strerror(errno ? errno : EIO));
		fclose(o);
		unlink(tmp);
		goto out;
	}
	if (fclose(o) || rename(tmp, rep->path)) {
		snprintf(err, err_size, "writing %s: %s", rep->path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	ioc_set_free(&s);
	return rc;
}

int ioc_feed_import_cmd(const char *file, const char *state_dir, bool json)
{
	struct ioc_import_report rep;
	char err[1536];
	int rc = ioc_import(file, state_dir, &rep, err, sizeof(err));

	if (json) {
		struct jsonw w;

		jw_init(&w);
		jw_obj_open(&w);
		jw_kbool(&w, "ok", rc == 0);
		jw_kstr(&w, "feed", "iocs");
		jw_kstr(&w, "file", file);
		if (rc) {
			jw_kstr(&w, "error", err);
		} else {
			jw_kstr(&w, "path", rep.path);
			jw_ku64(&w, "lines", rep.lines);
			jw_ku64(&w, "ips", rep.ips);
			jw_ku64(&w, "networks", rep.nets);
			jw_ku64(&w, "domains", rep.domains);
			jw_ku64(&w, "duplicates", rep.duplicates);
			jw_key(&w, "skipped");
			jw_obj_open(&w);
			if (rep.skipped_invalid)
				jw_ku64(&w, "invalid", rep.skipped_invalid);
			if (rep.skipped_too_long)
				jw_ku64(&w, "too_long", rep.skipped_too_long);
			if (rep.skipped_over_limit)
				jw_ku64(&w, "over_limit", rep.skipped_over_limit);
			jw_obj_close(&w);
			if (rep.example_invalid[0])
				jw_kstr(&w, "invalid_example", rep.example_invalid);
		}
		jw_obj_close(&w);
		jw_end_line(&w);
		fwrite(w.buf, 1, w.len, stdout);
		jw_free(&w);
	} else if (rc) {
		fprintf(stderr, "iotsense feed import iocs: %s; nothing was changed\n", err);
	} else {
		printf("iocs: imported %llu addresses, %llu networks and %llu domains from %s\n",
		       (unsigned long long)rep.ips, (unsigned long long)rep.nets, (unsigned long long)rep.domains,
		       file);
		if (rep.skipped_invalid)
			printf("  skipped %llu lines that hold no usable entry%s%s%s\n",
			       (unsigned long long)rep.skipped_invalid, rep.example_invalid[0] ? " (e.g. '" : "",
			       rep.example_invalid,
			       rep.example_invalid[0] ? "')" : "");
		if (rep.skipped_too_long)
			printf("  skipped %llu lines longer than %d bytes\n", (unsigned long long)rep.skipped_too_long,
			       IOC_LINE_MAX);
		if (rep.skipped_over_limit)
			printf("  skipped %llu entries past the limit of %u\n",
			       (unsigned long long)rep.skipped_over_limit, IOC_ENTRIES_MAX);
		printf("  %s now holds them (%llu duplicates merged); the daemon loads it at start\n", rep.path,
		       (unsigned long long)rep.duplicates);
	}
	return rc ? 1 : 0;
}
