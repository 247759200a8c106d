// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration parser against the corpus in tests/conf: every
 * valid/NAME.conf parses to what valid/NAME.expect describes, every
 * invalid/NAME.conf fails with the one line in invalid/NAME.err. Then the
 * value parsers `idtun set` shares, and key files.
 *
 * IDTUN_UPDATE_GOLDEN=1 rewrites the .expect files from the parser.
 */

#include "config.h"
#include "format.h"
#include "tap.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/idtun.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TESTS_DIR
#error "TESTS_DIR: the tools/tests directory"
#endif

static char *read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void describe_flags(FILE *f, uint32_t flags, const char *const *names, size_t n)
{
	const char *sep = " flags=";
	size_t i;

	for (i = 0; i < n; i++) {
		if (flags & (1u << i)) {
			fprintf(f, "%s%s", sep, names[i]);
			sep = ",";
		}
	}
}

/* The parsed model as text, every field and flag spelt out. */
static void describe(FILE *f, const struct idtun_device *dev)
{
	static const char *const dev_flags[] = { "replace-peers" };
	static const char *const peer_flags[] = {
		"remove-me", "replace-allowedips", "update-only",
	};
	char key[IDTUN_KEY_B64_LEN + 1], ip[INET6_ADDRSTRLEN], ep[256];
	const struct idtun_peer *p;
	size_t i, j;

	fputs("interface", f);
	describe_flags(f, dev->flags, dev_flags, 1);
	fputc('\n', f);
	if (dev->has & DEV_HAS_PRIVATE_KEY) {
		key_to_base64(key, dev->private_key);
		fprintf(f, "  private-key %s\n", key);
	}
	if (dev->has & DEV_HAS_LISTEN_PORT)
		fprintf(f, "  listen-port %u\n", dev->listen_port);
	if (dev->has & DEV_HAS_FWMARK)
		fprintf(f, "  fwmark 0x%x\n", dev->fwmark);
	for (i = 0; i < dev->npeers; i++) {
		p = &dev->peers[i];
		key_to_base64(key, p->public_key);
		fprintf(f, "peer %s", key);
		describe_flags(f, p->flags, peer_flags, 3);
		fputc('\n', f);
		if (p->has & PEER_HAS_PRESHARED_KEY) {
			key_to_base64(key, p->preshared_key);
			fprintf(f, "  preshared-key %s\n", key);
		}
		if (p->endpoint.addr.sa_family) {
			format_endpoint(ep, sizeof(ep), &p->endpoint);
			fprintf(f, "  endpoint %s\n", ep);
		}
		if (p->has & PEER_HAS_KEEPALIVE)
			fprintf(f, "  persistent-keepalive %u\n", p->keepalive);
		for (j = 0; j < p->nips; j++) {
			inet_ntop(p->ips[j].family, p->ips[j].addr, ip, sizeof(ip));
			fprintf(f, "  allowed-ip %s%s/%u\n", p->ips[j].remove ? "-" : "", ip,
				p->ips[j].cidr);
		}
	}
}

static int conf_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".conf");
}

/* Runs fn on each NAME.conf of dir, with the path of NAME.<ext>. */
static void each_conf(const char *dir, const char *ext,
		      void (*fn)(const char *conf, const char *name, const char *expect))
{
	char conf[512], expect[512];
	struct dirent **list;
	int n, i;

	n = scandir(dir, &list, conf_filter, alphasort);
	ok(n > 0, "%s has test files", dir);
	for (i = 0; i < n; i++) {
		snprintf(conf, sizeof(conf), "%s/%s", dir, list[i]->d_name);
		snprintf(expect, sizeof(expect), "%s/%.*s.%s", dir,
			 (int)strlen(list[i]->d_name) - 5, list[i]->d_name, ext);
		fn(conf, list[i]->d_name, expect);
		free(list[i]);
	}
	free(list);
}

static bool parse(const char *conf, const char *name, struct idtun_device *dev,
		  char err[CONFIG_ERR_LEN])
{
	FILE *f = fopen(conf, "r");
	bool ret;

	if (!f) {
		snprintf(err, CONFIG_ERR_LEN, "cannot open %s", conf);
		return false;
	}
	ret = config_parse(dev, f, name, false, err);
	fclose(f);
	return ret;
}

static void check_valid(const char *conf, const char *name, const char *expect)
{
	struct idtun_device dev = { 0 };
	char err[CONFIG_ERR_LEN] = "", *got = NULL, *want;
	size_t len;
	FILE *m;

	if (!parse(conf, name, &dev, err)) {
		ok(0, "valid/%s parses", name);
		printf("# %s\n", err);
		device_free(&dev);
		return;
	}
	m = open_memstream(&got, &len);
	describe(m, &dev);
	fclose(m);
	if (getenv("IDTUN_UPDATE_GOLDEN")) {
		FILE *out = fopen(expect, "w");

		if (out) {
			fputs(got, out);
			fclose(out);
		}
	}
	want = read_file(expect);
	ok(want && !strcmp(got, want), "valid/%s parses as expected", name);
	if (!want || strcmp(got, want))
		printf("# got:\n%s# want:\n%s", got, want ? want : "(no file)\n");
	free(want);
	free(got);
	device_free(&dev);
}

static void check_invalid(const char *conf, const char *name, const char *expect)
{
	struct idtun_device dev = { 0 };
	char err[CONFIG_ERR_LEN] = "", *want = read_file(expect), *nl;
	bool parsed = parse(conf, name, &dev, err);

	if (want && (nl = strchr(want, '\n')))
		*nl = '\0';
	ok(!parsed && want && !strcmp(err, want), "invalid/%s: %s", name, err);
	if (parsed || !want || strcmp(err, want))
		printf("# want: %s\n", want ? want : "(no .err file)");
	free(want);
	device_free(&dev);
}

static void test_values(void)
{
	char err[CONFIG_ERR_LEN];
	union idtun_endpoint ep;
	struct idtun_peer peer;
	uint32_t mark = 7;
	uint16_t v = 7;
	char text[256];

	ok(config_parse_fwmark(&mark, "0x10", err) && mark == 16, "fwmark in hex");
	ok(config_parse_fwmark(&mark, "OFF", err) && mark == 0, "fwmark off, any case");
	ok(config_parse_fwmark(&mark, "4294967295", err) && mark == 0xffffffff,
	   "fwmark 2^32-1");
	ok(!config_parse_fwmark(&mark, "4294967296", err), "fwmark 2^32 rejected");
	ok(!config_parse_fwmark(&mark, "0x", err), "fwmark 0x rejected");
	ok(!config_parse_fwmark(&mark, " 1", err), "fwmark with a blank rejected");
	ok(!config_parse_fwmark(&mark, "010x", err), "fwmark with junk rejected");
	ok(config_parse_keepalive(&v, "off", err) && v == 0, "keepalive off");
	ok(config_parse_keepalive(&v, "25", err) && v == 25, "keepalive 25");
	ok(!config_parse_keepalive(&v, "-1", err), "keepalive -1 rejected");
	ok(!config_parse_keepalive(&v, "1.5", err), "keepalive 1.5 rejected");
	ok(config_parse_port(&v, "0", err) && v == 0, "port 0");
	ok(!config_parse_port(&v, "0x10", err), "port in hex rejected");
	ok(!config_parse_port(&v, "99999999999999999999", err), "huge port rejected");

	ok(config_parse_endpoint(&ep, "[2001:db8::1]:51820", err) &&
	   ep.addr.sa_family == AF_INET6 && ntohs(ep.addr6.sin6_port) == 51820,
	   "endpoint [v6]:port");
	format_endpoint(text, sizeof(text), &ep);
	ok(!strcmp(text, "[2001:db8::1]:51820"), "printed back: %s", text);
	ok(config_parse_endpoint(&ep, "192.0.2.1:1", err) && ep.addr.sa_family == AF_INET,
	   "endpoint v4:port");
	format_endpoint(text, sizeof(text), &ep);
	ok(!strcmp(text, "192.0.2.1:1"), "printed back: %s", text);
	ok(config_parse_endpoint(&ep, "2001:db8::1:51820", err) &&
	   ep.addr.sa_family == AF_INET6 && ntohs(ep.addr6.sin6_port) == 51820,
	   "an unbracketed v6 endpoint splits at the last colon, as in wg");

	memset(&peer, 0, sizeof(peer));
	ok(config_parse_allowedips(&peer, "+10.0.0.0/8,-fd00::/8,192.0.2.1", true, err) &&
	   peer.nips == 3 && !peer.ips[0].remove && peer.ips[1].remove &&
	   !peer.ips[2].remove && peer.ips[2].cidr == 32 &&
	   !(peer.flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS),
	   "incremental allowed-ips add and remove without replacing");
	peer_free(&peer);
	memset(&peer, 0, sizeof(peer));
	ok(config_parse_allowedips(&peer, "10.0.0.0/8", true, err) &&
	   (peer.flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS),
	   "a plain list replaces");
	peer_free(&peer);
	memset(&peer, 0, sizeof(peer));
	ok(config_parse_allowedips(&peer, "", true, err) && peer.nips == 0 &&
	   (peer.flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS),
	   "an empty list removes all");
	peer_free(&peer);
}

/* A key file holding text; returns the key file parser's verdict. */
static bool keyfile(const char *text, uint8_t key[IDTUN_KEY_LEN], char err[CONFIG_ERR_LEN])
{
	char path[] = "/tmp/idtun-keyfile-XXXXXX";
	int fd = mkstemp(path);
	bool ret;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	ret = config_read_keyfile(key, path, err);
	unlink(path);
	return ret;
}

static void test_keyfiles(void)
{
	static const char k[] = "yDczSIGuNrhTG17JTk3/nYmT9jLqNkfbmTfbGcQw/08=";
	char err[CONFIG_ERR_LEN], text[IDTUN_KEY_B64_LEN + 1];
	uint8_t key[IDTUN_KEY_LEN];

	ok(keyfile(k, key, err), "key file without a newline");
	key_to_base64(text, key);
	ok(!strcmp(text, k), "reads the key");
	ok(keyfile("yDczSIGuNrhTG17JTk3/nYmT9jLqNkfbmTfbGcQw/08=\n\n  \t\n", key, err),
	   "trailing whitespace is fine");
	ok(!keyfile(" yDczSIGuNrhTG17JTk3/nYmT9jLqNkfbmTfbGcQw/08=", key, err),
	   "leading whitespace is not");
	ok(!keyfile("yDczSIGuNrhTG17JTk3/nYmT9jLqNkfbmTfbGcQw/08=x", key, err),
	   "nor a trailing character");
	ok(!keyfile("yDczSIGuNrhTG17JTk3/nYmT9jLqNkfbmTfbGcQw/0", key, err),
	   "nor a short key");
	ok(strstr(err, "does not hold a key") && !strstr(err, "yDcz"),
	   "the error does not echo the secret: %s", err);
	memset(key, 1, sizeof(key));
	ok(keyfile("", key, err) && key_is_zero(key), "an empty file is the zero key");
	ok(config_read_keyfile(key, "/dev/null", err) && key_is_zero(key),
	   "/dev/null is the zero key");
	ok(!config_read_keyfile(key, "/nonexistent/key", err) &&
	   !strcmp(err, "cannot open '/nonexistent/key': No such file or directory"),
	   "a missing file: %s", err);
}

static void test_append(void)
{
	struct idtun_device dev = { 0 };
	char err[CONFIG_ERR_LEN];
	FILE *f = fmemopen((void *)"[Interface]\nListenPort = 5\n", 27, "r");

	ok(f && config_parse(&dev, f, "mem", true, err) && !dev.flags &&
	   dev.has == DEV_HAS_LISTEN_PORT, "append sets only what the file names");
	if (f)
		fclose(f);
	device_free(&dev);
}

int main(void)
{
	tap_start();
	setenv("IDTUN_ENDPOINT_RESOLUTION_RETRIES", "0", 1);
	each_conf(TESTS_DIR "/conf/valid", "expect", check_valid);
	each_conf(TESTS_DIR "/conf/invalid", "err", check_invalid);
	test_values();
	test_keyfiles();
	test_append();
	return tap_end();
}
