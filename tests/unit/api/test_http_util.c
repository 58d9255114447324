// SPDX-License-Identifier: GPL-2.0-only
/* The API's pure helpers: decoding, numbers, levels, times, the token check, listen addresses, Host/Origin. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "api/http_util.h"

TEST(url_decode)
{
	char a[] = "mac%3Aaa%3ABB", b[] = "a+b%20c", c[] = "bad%2", d[] = "nul%00x", e[] = "%zz", f[] = "100%";
	char g[] = "a+b";

	CHECK_EQ_INT(http_url_decode(a, false), 9);
	CHECK_STR(a, "mac:aa:BB");
	CHECK_EQ_INT(http_url_decode(b, true), 5);
	CHECK_STR(b, "a b c");
	CHECK_EQ_INT(http_url_decode(g, false), 3);
	CHECK_STR(g, "a+b"); /* a path keeps its plus */
	CHECK_EQ_INT(http_url_decode(c, false), -1);
	CHECK_EQ_INT(http_url_decode(d, false), -1); /* an encoded NUL would cut the value short */
	CHECK_EQ_INT(http_url_decode(e, false), -1);
	CHECK_EQ_INT(http_url_decode(f, false), -1);
}

TEST(parse_uint)
{
	uint64_t v = 7;

	CHECK(http_parse_uint("0", 0, 10, &v) && v == 0);
	CHECK(http_parse_uint("1000", 1, 1000, &v) && v == 1000);
	CHECK(!http_parse_uint("1001", 1, 1000, &v));
	CHECK(!http_parse_uint("-1", 0, 1000, &v));
	CHECK(!http_parse_uint("+1", 0, 1000, &v));
	CHECK(!http_parse_uint(" 1", 0, 1000, &v));
	CHECK(!http_parse_uint("1 ", 0, 1000, &v));
	CHECK(!http_parse_uint("0x10", 0, 1000, &v));
	CHECK(!http_parse_uint("abc", 0, 1000, &v));
	CHECK(!http_parse_uint("", 0, 1000, &v));
	CHECK(!http_parse_uint(NULL, 0, 1000, &v));
	CHECK(!http_parse_uint("99999999999999999999999", 0, UINT64_MAX, &v)); /* no wrap-around */
	CHECK(http_parse_uint("18446744073709551", 0, UINT64_MAX, &v) && v == 18446744073709551ull);
}

TEST(levels)
{
	CHECK_EQ_INT(http_risk_rank("none"), 0);
	CHECK_EQ_INT(http_risk_rank("critical"), 4);
	CHECK_EQ_INT(http_risk_rank("High"), -1);
	CHECK_EQ_INT(http_risk_rank("high'--"), -1);
	CHECK_EQ_INT(http_risk_rank(NULL), -1);
	CHECK_EQ_INT(http_severity_id("informational"), 1);
	CHECK_EQ_INT(http_severity_id("info"), 1);
	CHECK_EQ_INT(http_severity_id("medium"), 3);
	CHECK_EQ_INT(http_severity_id("critical"), 5);
	CHECK_EQ_INT(http_severity_id("fatal"), -1);
}

TEST(rfc3339)
{
	char out[48];

	CHECK(http_rfc3339_normalize("2024-05-01T10:00:00Z", out, sizeof(out)));
	CHECK_STR(out, "2024-05-01T10:00:00.000000Z");
	CHECK(http_rfc3339_normalize("2024-05-01t10:00:00.5z", out, sizeof(out)));
	CHECK_STR(out, "2024-05-01T10:00:00.500000Z");
	CHECK(http_rfc3339_normalize("2024-05-01T12:30:00.123456789+02:30", out, sizeof(out)));
	CHECK_STR(out, "2024-05-01T10:00:00.123456Z");
	CHECK(http_rfc3339_normalize("2024-01-01T00:30:00-01:00", out, sizeof(out)));
	CHECK_STR(out, "2024-01-01T01:30:00.000000Z");
	CHECK(!http_rfc3339_normalize("2024-05-01", out, sizeof(out)));
	CHECK(!http_rfc3339_normalize("2024-05-01T10:00:00", out, sizeof(out))); /* no zone: ambiguous */
	CHECK(!http_rfc3339_normalize("2024-13-01T10:00:00Z", out, sizeof(out)));
	CHECK(!http_rfc3339_normalize("2024-02-30T10:00:00Z", out, sizeof(out)));
	CHECK(!http_rfc3339_normalize("2024-05-01T10:00:00.Z", out, sizeof(out)));
	CHECK(!http_rfc3339_normalize("2024-05-01T10:00:00Zjunk", out, sizeof(out)));
	CHECK(!http_rfc3339_normalize("2024-05-01T10:00:00+2:00", out, sizeof(out)));
	CHECK(!http_rfc3339_normalize("' OR 1=1 --", out, sizeof(out)));
	CHECK(!http_rfc3339_normalize(NULL, out, sizeof(out)));
}

TEST(constant_time_equal)
{
	CHECK(http_ct_equal("abc", 3, "abc", 3));
	CHECK(!http_ct_equal("abc", 3, "abd", 3));
	CHECK(!http_ct_equal("abc", 3, "abcd", 4));
	CHECK(!http_ct_equal("", 0, "a", 1));
	CHECK(http_ct_equal("", 0, "", 0));
	CHECK(!http_ct_equal("a\0b", 3, "a\0c", 3)); /* bytes, not C strings */
}

TEST(bearer)
{
	const char *tok = "0123456789abcdef0123";

	CHECK(http_bearer_ok("Bearer 0123456789abcdef0123", tok));
	CHECK(http_bearer_ok("bearer  0123456789abcdef0123", tok)); /* the scheme is case-insensitive */
	CHECK(!http_bearer_ok("Bearer 0123456789abcdef012", tok));
	CHECK(!http_bearer_ok("Bearer 0123456789abcdef01234", tok));
	CHECK(!http_bearer_ok("Bearer0123456789abcdef0123", tok));
	CHECK(!http_bearer_ok("Basic 0123456789abcdef0123", tok));
	CHECK(!http_bearer_ok("Bearer ", tok));
	CHECK(!http_bearer_ok("", tok));
	CHECK(!http_bearer_ok(NULL, tok));
	CHECK(http_bearer_ok(NULL, NULL)); /* no token configured: nothing to check */
	CHECK(http_bearer_ok(NULL, ""));
}

TEST(token_valid)
{
	char why[256], ok[] = "0123456789abcdef\n", nl[] = "0123456789abcdef\r\n", shrt[] = "short",
			     sp[] = "0123456789 abcdef", ctl[] = "0123456789\tabcdef";

	CHECK(http_token_valid(ok, why, sizeof(why)));
	CHECK_STR(ok, "0123456789abcdef");
	CHECK(http_token_valid(nl, why, sizeof(why)));
	CHECK_STR(nl, "0123456789abcdef");
	CHECK(!http_token_valid(shrt, why, sizeof(why)));
	CHECK(strstr(why, "16") != NULL);
	CHECK(!http_token_valid(sp, why, sizeof(why)));
	CHECK(!http_token_valid(ctl, why, sizeof(why)));
}

TEST(listen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[256];

	CHECK(http_parse_listen("127.0.0.1:8080", &ss, &len, why, sizeof(why)));
	CHECK_EQ_INT(ss.ss_family, AF_INET);
	CHECK_EQ_INT(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
	CHECK(http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(http_parse_listen("127.1.2.3:1", &ss, &len, why, sizeof(why)));
	CHECK(http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(http_parse_listen("localhost:9", &ss, &len, why, sizeof(why)));
	CHECK(http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(http_parse_listen("[::1]:8080", &ss, &len, why, sizeof(why)));
	CHECK_EQ_INT(ss.ss_family, AF_INET6);
	CHECK_EQ_INT(len, sizeof(struct sockaddr_in6));
	CHECK(http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(http_parse_listen("[::ffff:127.0.0.1]:80", &ss, &len, why, sizeof(why)));
	CHECK(http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(http_parse_listen("0.0.0.0:8080", &ss, &len, why, sizeof(why)));
	CHECK(!http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(http_parse_listen("[::]:8080", &ss, &len, why, sizeof(why)));
	CHECK(!http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(http_parse_listen("198.18.0.1:443", &ss, &len, why, sizeof(why)));
	CHECK(!http_addr_is_loopback((struct sockaddr *)&ss));
	CHECK(!http_parse_listen("127.0.0.1", &ss, &len, why, sizeof(why)));
	CHECK(!http_parse_listen("127.0.0.1:0", &ss, &len, why, sizeof(why)));
	CHECK(!http_parse_listen("127.0.0.1:65536", &ss, &len, why, sizeof(why)));
	CHECK(!http_parse_listen("127.0.0.1:80x", &ss, &len, why, sizeof(why)));
	CHECK(!http_parse_listen("::1:8080", &ss, &len, why, sizeof(why)));
	CHECK(!http_parse_listen("[::1]8080", &ss, &len, why, sizeof(why)));
	CHECK(!http_parse_listen("example.com:80", &ss, &len, why, sizeof(why))); /* no name resolution */
	CHECK(!http_parse_listen("", &ss, &len, why, sizeof(why)));
	CHECK(!http_parse_listen(NULL, &ss, &len, why, sizeof(why)));
	CHECK(strstr(why, "127.0.0.1:8080") != NULL);
}

TEST(host_and_origin)
{
	CHECK(http_host_is_loopback("127.0.0.1:8080"));
	CHECK(http_host_is_loopback("127.0.0.1"));
	CHECK(http_host_is_loopback("localhost:8080"));
	CHECK(http_host_is_loopback("LOCALHOST"));
	CHECK(http_host_is_loopback("[::1]:8080"));
	CHECK(http_host_is_loopback("[::1]"));
	CHECK(!http_host_is_loopback("evil.example:8080")); /* DNS rebinding sends the attacker's name */
	CHECK(!http_host_is_loopback("localhost.evil.example"));
	CHECK(!http_host_is_loopback("198.18.0.1:8080"));
	CHECK(!http_host_is_loopback("[::1"));
	CHECK(!http_host_is_loopback("::1"));
	CHECK(!http_host_is_loopback(""));
	CHECK(!http_host_is_loopback(NULL));
	CHECK(http_origin_matches_host("http://127.0.0.1:8080", "127.0.0.1:8080"));
	CHECK(http_origin_matches_host("https://Sensor.example", "sensor.example"));
	CHECK(!http_origin_matches_host("http://evil.example", "127.0.0.1:8080"));
	CHECK(!http_origin_matches_host("http://127.0.0.1:8081", "127.0.0.1:8080"));
	CHECK(!http_origin_matches_host("null", "127.0.0.1:8080"));
	CHECK(!http_origin_matches_host("http://127.0.0.1:8080", NULL));
}

TEST(error_json)
{
	char *s = http_error_json(400, "limit must be 1..1000");
	char *q = http_error_json(404, "no device 'a\"b\\c\n' here");
	char *bad = http_error_json(400, "\xff\xfe");

	CHECK_STR(s, "{\"error\":{\"status\":400,\"message\":\"limit must be 1..1000\"}}");
	CHECK_STR(q, "{\"error\":{\"status\":404,\"message\":\"no device 'a\\\"b\\\\c\\n' here\"}}");
	CHECK(bad && strstr(bad, "\"status\":400") != NULL); /* invalid UTF-8 still yields an error body */
	free(s);
	free(q);
	free(bad);
}

int main(void)
{
	RUN(url_decode);
	RUN(parse_uint);
	RUN(levels);
	RUN(rfc3339);
	RUN(constant_time_equal);
	RUN(bearer);
	RUN(token_valid);
	RUN(listen);
	RUN(host_and_origin);
	RUN(error_json);
	return testlib_summary();
}
