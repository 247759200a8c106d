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

/*
 * What only idtun has, in lines starting with '+' (wg_crosscheck.sh holds
 * the rest against what stock wg makes of the same file).
 */
static void describe_idtun_device(FILE *f, const struct idtun_device *dev)
{
	static const char *const dev_flags[] = {
		"replace-peers", "replace-bindings", "replace-rules",
	};
	const struct device_setting *s;
	size_t i;

	if (dev->flags & ~(uint32_t)IDTUN_DEVICE_FLAGS_REPLACE_PEERS) {
		fputs("+ interface", f);
		describe_flags(f, dev->flags & ~(uint32_t)IDTUN_DEVICE_FLAGS_REPLACE_PEERS,
			       dev_flags, 3);
		fputc('\n', f);
	}
	for (i = 0; i < device_nsettings; i++) {
		s = &device_settings[i];
		if (s->has == DEV_HAS_FWMARK || !(dev->has & s->has))
			continue;
		if (s->has == DEV_HAS_EGRESS_DEFAULT || s->has == DEV_HAS_INGRESS_DEFAULT)
			fprintf(f, "+   %s %s\n", s->has == DEV_HAS_EGRESS_DEFAULT ?
				"egress-default" : "ingress-default",
				policy_action_name(device_get(dev, s)));
		else if (s->has == DEV_HAS_MARK_MASK)
			fprintf(f, "+   mark-mask 0x%x\n", device_get(dev, s));
		else
			fprintf(f, "+   %s %u\n", s->has == DEV_HAS_AUDIT_RATE ? "audit-rate" :
				"default-identity", device_get(dev, s));
	}
}

static void describe_idtun_peer(FILE *f, const struct idtun_peer *p)
{
	size_t i;

	if (p->flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES)
		fputs("+   flags=replace-allowed-identities\n", f);
	if (p->has & PEER_HAS_LABELS)
		fprintf(f, "+   labels %s\n", p->labels ? "on" : "off");
	if (p->has & PEER_HAS_IDENTITY)
		fprintf(f, "+   identity %u\n", p->identity);
	for (i = 0; i < p->naids; i++)
		fprintf(f, "+   allowed-identity %s%u\n", p->aids[i].remove ? "-" : "",
			p->aids[i].identity);
}

static void describe_idtun_tables(FILE *f, const struct idtun_device *dev)
{
	char text[POLICY_RULE_LEN];
	size_t i;

	for (i = 0; i < dev->names.n; i++)
		fprintf(f, "+ name %u %s\n", dev->names.v[i].identity, dev->names.v[i].name);
	for (i = 0; i < dev->nbindings; i++) {
		const struct idtun_binding *b = &dev->bindings[i];

		if (b->cgroup) {
			fprintf(f, "+ binding %u cgroup %s\n", b->identity, b->cgroup);
		} else {
			policy_prefix_text(text, sizeof(text), &b->prefix);
			fprintf(f, "+ binding %u prefix %s\n", b->identity, text);
		}
	}
	for (i = 0; i < dev->nrules; i++)
		fprintf(f, "+ rule %s\n", policy_rule_text(text, &dev->rules[i], NULL, true));
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
	describe_flags(f, dev->flags & IDTUN_DEVICE_FLAGS_REPLACE_PEERS, dev_flags, 1);
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
		describe_flags(f, p->flags & ~(uint32_t)IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES,
			       peer_flags, 3);
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
		describe_idtun_peer(f, p);
	}
	describe_idtun_device(f, dev);
	describe_idtun_tables(f, dev);
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

#define K1 "NtZubLQhKZLkr2PNGRN0mtdjhAEQsAgKHObNRuEhl0M="
#define K2 "MrHhIAn+tEeiOhin+nmd7z2AlaNV4wPzc/mbGasp52w="
#define K3 "rOAXQYuL/imDnjRJvWKeRp+jQxo1Jb68UANeDTzaD1I="

/* Parses in-memory files; the result described, or "ERROR: ..." */
static char *parse_texts(const char *const *texts, size_t n, bool append,
			 const struct name_resolver *r)
{
	static const char *const names[] = { "wg0.conf", "wg0.idtun", "third" };
	struct config_file files[3];
	struct idtun_device dev = { 0 };
	char err[CONFIG_ERR_LEN], *out = NULL;
	size_t len, i;
	FILE *m;

	for (i = 0; i < n; i++) {
		files[i].name = names[i];
		files[i].text = (char *)texts[i];
		files[i].len = strlen(texts[i]);
	}
	m = open_memstream(&out, &len);
	if (config_parse_files(&dev, files, n, append, r, err))
		describe(m, &dev);
	else
		fprintf(m, "ERROR: %s", err);
	fclose(m);
	device_free(&dev);
	return out;
}

static void test_merge(void)
{
	static const char *const wg =
		"[Interface]\nListenPort = 1\n"
		"[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.0.0.2/32\nPersistentKeepalive = 5\n"
		"[Peer]\nPublicKey = " K2 "\nAllowedIPs = 10.0.0.3/32\n";
	static const char *const companion =
		"[Interface]\nEgressDefault = deny\n"
		"[Peer]\nPublicKey = " K1 "\nLabels = on\nAllowedIdentities = web\n"
		"[Peer]\nPublicKey = " K3 "\nIdentity = 5\n"
		"[Identity]\nIdentity = 1001\nName = web\n";
	const char *texts[3] = { wg, companion, NULL };
	char *got;

	got = parse_texts(texts, 2, false, NULL);
	ok(strstr(got, "peer " K1 " flags=replace-allowedips\n"
		  "  persistent-keepalive 5\n  allowed-ip 10.0.0.2/32\n"
		  "+   flags=replace-allowed-identities\n+   labels on\n"
		  "+   allowed-identity 1001\npeer " K2) != NULL,
	   "a companion [Peer] adds to the wg file's peer, which keeps its allowed IPs");
	ok(strstr(got, "peer " K3 " flags=replace-allowedips\n+   identity 5\n") &&
	   strstr(got, "+   egress-default deny\n") && strstr(got, "listen-port 1\n"),
	   "a companion peer of its own, and both files' [Interface]");
	free(got);

	texts[1] = "[Peer]\nPublicKey = " K1 "\nAllowedIPs = 10.9.0.0/16\n";
	got = parse_texts(texts, 2, true, NULL);
	ok(strstr(got, "  persistent-keepalive 5\n  allowed-ip 10.9.0.0/16\npeer") != NULL,
	   "allowed IPs a later file names replace the earlier file's");
	free(got);

	/* A name the second file gives, used in the first. */
	texts[0] = "[Interface]\nDefaultIdentity = db\n[Policy]\nRule = egress from db deny\n";
	texts[1] = "[Identity]\nIdentity = 1002\nName = db\n";
	got = parse_texts(texts, 2, true, NULL);
	ok(strstr(got, "+   default-identity 1002\n") && strstr(got, "+ rule egress from 1002 deny"),
	   "names resolve across files");
	free(got);

	texts[1] = "[Identity]\nIdentity = 1002\nName = db\nFoo = bar\n";
	got = parse_texts(texts, 2, true, NULL);
	ok(!strcmp(got, "ERROR: wg0.idtun:4: unknown key 'Foo'"), "errors name the file: %s",
	   got);
	free(got);

	texts[1] = "[Identity]\nIdentity = 1002\nName = db\n";
	texts[2] = "[Identity]\nIdentity = 1003\nName = db\n";
	got = parse_texts(texts, 3, true, NULL);
	ok(!strcmp(got, "ERROR: third:3: Name: 'db' is already the name of identity 1002"),
	   "a name given twice across files: %s", got);
	free(got);
}

static void test_resolver(void)
{
	struct idtun_names kernel = { 0 };
	struct name_resolver r = { policy_names_lookup, &kernel };
	const char *texts[1];
	char *got;

	names_set(&kernel, 2001, "laptop");
	names_set(&kernel, 1001, "web");
	texts[0] = "[Policy]\nRule = ingress from laptop deny\nRule = egress from web deny\n"
		   "[Identity]\nIdentity = 1005\nName = web\n";
	got = parse_texts(texts, 1, true, &r);
	ok(strstr(got, "+ rule ingress from 2001 deny\n+ rule egress from 1005 deny") != NULL,
	   "names the files do not give come from the namespace; the files' win");
	free(got);
	texts[0] = "[Peer]\nPublicKey = " K1 "\nAllowedIdentities = laptop, nosuch\n";
	got = parse_texts(texts, 1, true, &r);
	ok(!strcmp(got, "ERROR: wg0.conf:3: AllowedIdentities: unknown identity name 'nosuch'"),
	   "an unknown name is named: %s", got);
	free(got);
	names_free(&kernel);
}

static void test_idtun_values(void)
{
	char err[CONFIG_ERR_LEN];
	struct idtun_peer peer = { 0 };
	uint32_t v;
	uint8_t labels;

	ok(config_parse_mark_mask(&v, "0xff00", err) && v == 0xff00 &&
	   config_parse_mark_mask(&v, "255", err) && v == 255 &&
	   !config_parse_mark_mask(&v, "off", err), "mark mask: hexadecimal or decimal");
	ok(config_parse_audit_rate(&v, "0", err) && !v &&
	   config_parse_audit_rate(&v, "1000000", err) && v == 1000000 &&
	   !config_parse_audit_rate(&v, "0x10", err), "audit rate 0 to 1000000, decimal");
	ok(config_parse_labels(&labels, "ON", err) && labels == 1 &&
	   config_parse_labels(&labels, "off", err) && !labels, "labels on or off");
	ok(config_parse_allowed_identities(&peer, "+1,-2,3", true, NULL, err) &&
	   peer.naids == 3 && !peer.aids[0].remove && peer.aids[1].remove &&
	   !(peer.flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES),
	   "incremental allowed-identities add and remove without replacing");
	peer_free(&peer);
	memset(&peer, 0, sizeof(peer));
	ok(config_parse_allowed_identities(&peer, "", true, NULL, err) && !peer.naids &&
	   (peer.flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES),
	   "an empty list removes all");
	peer_free(&peer);
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
	test_merge();
	test_resolver();
	test_idtun_values();
	return tap_end();
}
