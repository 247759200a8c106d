// SPDX-License-Identifier: GPL-2.0
/*
 * show and showconf output of the fixed model (model.h) against the golden
 * files in tests/golden, which were checked byte for byte against wg(8)
 * (tests/wg_crosscheck.sh). IDTUN_UPDATE_GOLDEN=1 rewrites them.
 */

#include "config.h"
#include "format.h"
#include "ipc.h"
#include "model.h"
#include "tap.h"

#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>

#ifndef TESTS_DIR
#error "TESTS_DIR: the tools/tests directory"
#endif

enum what { PRETTY, FIELD, CONF, JSON };

/* got (len bytes, freed here) against the golden file name. */
static void check_golden(const char *name, char *got, size_t len)
{
	char path[512], *want = NULL;
	size_t wlen = 0;
	FILE *m, *f;

	snprintf(path, sizeof(path), "%s/golden/%s", TESTS_DIR, name);
	if (getenv("IDTUN_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		if (f) {
			fwrite(got, 1, len, f);
			fclose(f);
		}
	}
	f = fopen(path, "r");
	if (f) {
		m = open_memstream(&want, &wlen);
		for (int c; (c = getc(f)) != EOF;)
			putc(c, m);
		fclose(m);
		fclose(f);
	}
	ok(want && len == wlen && !memcmp(got, want, len), "%s", name);
	if (!want || len != wlen || memcmp(got, want, len))
		printf("# got:\n%s# want:\n%s", got, want ? want : "(no file)\n");
	free(got);
	free(want);
}

static void golden(const char *name, const struct idtun_device *dev, enum what what,
		   const char *field, bool with_name, const struct format_opts *o)
{
	char *got = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&got, &len);

	switch (what) {
	case PRETTY:
		format_pretty(m, dev, o);
		break;
	case FIELD:
		format_field(m, dev, field, with_name);
		break;
	case CONF:
		format_conf(m, dev);
		break;
	case JSON:
		format_json(m, dev, o, 0);
		fputc('\n', m);
		break;
	}
	fclose(m);
	check_golden(name, got, len);
}

static const char *const fields[] = {
	"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
	"endpoints", "allowed-ips", "latest-handshakes", "persistent-keepalive",
	"transfer", "dump",
};

/* Output of a formatter into a string: OUT(call with m as the stream). */
#define RENDER(name, call) do {				\
	char *got_ = NULL;				\
	size_t len_ = 0;				\
	FILE *m = open_memstream(&got_, &len_);		\
	call;						\
	fclose(m);					\
	check_golden(name, got_, len_);			\
} while (0)

/* model_idtun with what get-identities and get-policy add. */
static void model_full(struct idtun_device *dev)
{
	struct idtun_device ids;

	model_idtun(dev);
	model_identities(&ids);
	dev->identities = ids.identities;
	dev->nidentities = ids.nidentities;
	ids.identities = NULL;
	ids.nidentities = 0;
	device_free(&ids);
}

static void test_idtun_show(void)
{
	struct format_opts plain = { .hide_keys = true, .now = MODEL_NOW };
	struct format_opts color = { .color = true, .hide_keys = true, .now = MODEL_NOW };
	struct idtun_device dev, wg;
	struct idtun_names names;

	model_names(&names);
	plain.names = color.names = &names;
	model_idtun(&dev);
	model_device(&wg);
	golden("idtun-pretty", &dev, PRETTY, NULL, false, &plain);
	golden("idtun-pretty-color", &dev, PRETTY, NULL, false, &color);
	plain.names = NULL;
	golden("idtun-pretty-unnamed", &dev, PRETTY, NULL, false, &plain);
	golden("idtun-json", &dev, JSON, NULL, false, &plain);
	/* What stock wg also prints stays as wg prints it. */
	golden("field-dump", &dev, FIELD, "dump", false, &plain);
	golden("field-dump-all", &dev, FIELD, "dump", true, &plain);
	golden("showconf", &dev, CONF, NULL, false, &plain);
	RENDER("showconf", format_conf_part(m, &wg, CONF_ALL));
	RENDER("empty-showconf-idtun", format_conf_part(m, &wg, CONF_IDTUN));
	device_free(&dev);
	device_free(&wg);
	names_free(&names);
}

static void test_idtun_conf(void)
{
	struct idtun_device dev, back = { 0 };
	char *text = NULL, err[CONFIG_ERR_LEN];
	bool same = true;
	size_t len = 0;
	FILE *f;

	model_full(&dev);
	RENDER("idtun-showconf", format_conf_part(m, &dev, CONF_ALL));
	RENDER("idtun-showconf-wg", format_conf_part(m, &dev, CONF_WG));
	RENDER("idtun-showconf-idtun", format_conf_part(m, &dev, CONF_IDTUN));

	/* What showconf prints, setconf reads back. */
	f = open_memstream(&text, &len);
	format_conf_part(f, &dev, CONF_ALL);
	fclose(f);
	f = fmemopen(text, len, "r");
	ok(config_parse(&back, f, "showconf", false, err), "setconf reads showconf's output%s%s",
	   back.npeers ? "" : ": ", back.npeers ? "" : err);
	fclose(f);
	for (size_t i = 0; i < device_nsettings; i++)
		same &= device_get(&back, &device_settings[i]) ==
			device_get(&dev, &device_settings[i]);
	for (size_t i = 0; i < dev.npeers && i < back.npeers; i++)
		same &= back.peers[i].labels == dev.peers[i].labels &&
			back.peers[i].identity == dev.peers[i].identity &&
			back.peers[i].naids == dev.peers[i].naids;
	same &= back.nrules == dev.nrules && back.nbindings == dev.nbindings &&
		back.names.n == 4;	/* unlabelled, web, db, laptop; 4242 has none */
	for (size_t i = 0; same && i < dev.nrules; i++)
		same &= rule_key_equal(&back.rules[i], &dev.rules[i]) &&
			back.rules[i].action == dev.rules[i].action;
	ok(same && back.npeers == dev.npeers,
	   "with the same settings, labels, identities, bindings, rules and names");
	free(text);
	device_free(&back);
	device_free(&dev);
}

static void test_identities_policy(void)
{
	struct format_opts plain = { .hide_keys = true, .now = MODEL_NOW };
	struct format_opts color = { .color = true, .hide_keys = true, .now = MODEL_NOW };
	struct idtun_device dev, empty;
	struct idtun_names names, none = { 0 };

	model_names(&names);
	model_identities(&dev);
	model_empty(&empty);
	RENDER("identities", format_identities(m, &dev, &plain));
	RENDER("identities-color", format_identities(m, &dev, &color));
	RENDER("identities-json", format_identities_json(m, &dev));
	RENDER("empty-identities-json", format_identities_json(m, &empty));
	device_free(&dev);

	model_idtun(&dev);
	RENDER("policy", format_policy(m, &dev, &names));
	RENDER("policy-json", format_policy_json(m, &dev, &names));
	RENDER("empty-policy", format_policy(m, &empty, NULL));
	RENDER("empty-policy-json", format_policy_json(m, &empty, NULL));
	RENDER("names", format_names(m, &names));
	RENDER("names-json", format_names_json(m, &names));
	RENDER("empty-names-json", format_names_json(m, &none));
	device_free(&dev);
	device_free(&empty);
	names_free(&names);
}

static char evbuf[8][1024];

static struct nlmsghdr *event_header(int i, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(evbuf[i]);
	struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));

	nlh->nlmsg_type = 0x1d;
	genl->cmd = cmd;
	genl->version = IDTUN_FAMILY_VERSION;
	return nlh;
}

/* An audit message's attributes every event has. */
static struct nlmsghdr *event(int i, uint32_t ifindex, const char *ifname, uint32_t dir,
			      uint32_t action, uint32_t reason, uint32_t identity,
			      uint64_t suppressed)
{
	struct nlmsghdr *nlh = event_header(i, IDTUN_CMD_AUDIT);

	mnl_attr_put_u32(nlh, IDTUN_A_EVENT_IFINDEX, ifindex);
	mnl_attr_put_strz(nlh, IDTUN_A_EVENT_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IDTUN_A_EVENT_DIRECTION, dir);
	mnl_attr_put_u32(nlh, IDTUN_A_EVENT_ACTION, action);
	mnl_attr_put_u32(nlh, IDTUN_A_EVENT_REASON, reason);
	mnl_attr_put_u32(nlh, IDTUN_A_EVENT_IDENTITY, identity);
	mnl_attr_put_u64(nlh, IDTUN_A_EVENT_SUPPRESSED, suppressed);
	return nlh;
}

static void put_addrs(struct nlmsghdr *nlh, const char *saddr, const char *daddr)
{
	uint16_t family = strchr(saddr, ':') ? AF_INET6 : AF_INET;
	uint8_t a[16];

	mnl_attr_put_u16(nlh, IDTUN_A_EVENT_FAMILY, family);
	inet_pton(family, saddr, a);
	mnl_attr_put(nlh, IDTUN_A_EVENT_SADDR, family == AF_INET ? 4 : 16, a);
	inet_pton(family, daddr, a);
	mnl_attr_put(nlh, IDTUN_A_EVENT_DADDR, family == AF_INET ? 4 : 16, a);
}

/* The events a kernel might send, as netlink messages; returns how many. */
static int make_events(void)
{
	uint8_t key[IDTUN_KEY_LEN];
	struct nlmsghdr *nlh;
	struct nlattr *rule;
	uint8_t prefix[4] = { 10, 2, 0, 0 };

	key_from_base64(key, model_peer_keys[2]);
	/* Denied by a rule, with ports and a name. */
	nlh = event(0, 5, "idt0", IDTUN_DIRECTION_EGRESS, IDTUN_ACTION_DENY,
		    IDTUN_REASON_POLICY, 1001, 0);
	mnl_attr_put_strz(nlh, IDTUN_A_EVENT_NAME, "web");
	mnl_attr_put(nlh, IDTUN_A_EVENT_PEER_PUBLIC_KEY, IDTUN_KEY_LEN, key);
	put_addrs(nlh, "10.0.0.1", "10.2.0.5");
	mnl_attr_put_u8(nlh, IDTUN_A_EVENT_PROTOCOL, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, IDTUN_A_EVENT_SPORT, 40000);
	mnl_attr_put_u16(nlh, IDTUN_A_EVENT_DPORT, 443);
	rule = mnl_attr_nest_start(nlh, IDTUN_A_EVENT_RULE);
	mnl_attr_put_u32(nlh, IDTUN_A_RULE_DIRECTION, IDTUN_DIRECTION_EGRESS);
	mnl_attr_put_u32(nlh, IDTUN_A_RULE_IDENTITY, 1001);
	mnl_attr_put_u16(nlh, IDTUN_A_RULE_FAMILY, AF_INET);
	mnl_attr_put(nlh, IDTUN_A_RULE_IPADDR, 4, prefix);
	mnl_attr_put_u8(nlh, IDTUN_A_RULE_CIDR_MASK, 16);
	mnl_attr_put_u8(nlh, IDTUN_A_RULE_PROTOCOL, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, IDTUN_A_RULE_PORT_MIN, 443);
	mnl_attr_put_u32(nlh, IDTUN_A_RULE_ACTION, IDTUN_ACTION_DENY);
	mnl_attr_nest_end(nlh, rule);

	/* A label the peer may not claim: IPv6, no ports, no rule, events suppressed. */
	nlh = event(1, 5, "idt0", IDTUN_DIRECTION_INGRESS, IDTUN_ACTION_DENY,
		    IDTUN_REASON_LABEL_NOT_ALLOWED, 4242, 3);
	mnl_attr_put(nlh, IDTUN_A_EVENT_PEER_PUBLIC_KEY, IDTUN_KEY_LEN, key);
	put_addrs(nlh, "fd00::2", "fd00::1");
	mnl_attr_put_u8(nlh, IDTUN_A_EVENT_PROTOCOL, IPPROTO_ICMPV6);

	/* A new flow the default allows: IPv6 with ports. */
	nlh = event(2, 6, "idt1", IDTUN_DIRECTION_EGRESS, IDTUN_ACTION_ALLOW,
		    IDTUN_REASON_NONE, 0, 0);
	mnl_attr_put_strz(nlh, IDTUN_A_EVENT_NAME, "we\"b\\");
	put_addrs(nlh, "2001:db8::1", "2001:db8::2");
	mnl_attr_put_u8(nlh, IDTUN_A_EVENT_PROTOCOL, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, IDTUN_A_EVENT_SPORT, 5353);
	mnl_attr_put_u16(nlh, IDTUN_A_EVENT_DPORT, 53);

	/* Whatever a newer kernel may add: an unknown reason, an unknown protocol. */
	nlh = event(3, 5, "idt0", IDTUN_DIRECTION_EGRESS, IDTUN_ACTION_DENY,
		    99, 7, 0);
	put_addrs(nlh, "192.0.2.1", "192.0.2.2");
	mnl_attr_put_u8(nlh, IDTUN_A_EVENT_PROTOCOL, 47);
	mnl_attr_put_u32(nlh, 200, 1);

	/* A label that could not be read: no packet to describe. */
	nlh = event(4, 5, "idt0", IDTUN_DIRECTION_INGRESS, IDTUN_ACTION_DENY,
		    IDTUN_REASON_LABEL_MALFORMED, 0, 0);
	mnl_attr_put(nlh, IDTUN_A_EVENT_PEER_PUBLIC_KEY, IDTUN_KEY_LEN, key);
	return 5;
}

static void test_events(void)
{
	struct timespec when = { .tv_sec = 1700000063, .tv_nsec = 123456789 };
	struct idtun_event ev;
	struct nlmsghdr *nlh;
	char *text = NULL, *json = NULL;
	size_t tlen = 0, jlen = 0;
	FILE *t = open_memstream(&text, &tlen), *j = open_memstream(&json, &jlen);
	bool parsed = true;
	int n = make_events();

	for (int i = 0; i < n; i++) {
		parsed &= ipc_event_parse((struct nlmsghdr *)evbuf[i], &ev);
		format_event(t, &ev);
		format_event_json(j, &ev, &when);
	}
	fclose(t);
	fclose(j);
	ok(parsed, "events decoded from netlink messages");
	check_golden("events", text, tlen);
	check_golden("events-json", json, jlen);

	nlh = event_header(5, IDTUN_CMD_GET_DEVICE);
	ok(!ipc_event_parse(nlh, &ev), "a message that is no event is none");
	nlh = event_header(6, IDTUN_CMD_AUDIT);
	mnl_attr_put_u16(nlh, IDTUN_A_EVENT_FAMILY, AF_INET);
	mnl_attr_put(nlh, IDTUN_A_EVENT_SADDR, 16, evbuf[7]);
	ok(!ipc_event_parse(nlh, &ev), "an address longer than its family's: malformed");
}

int main(void)
{
	struct format_opts plain = { .hide_keys = true, .now = MODEL_NOW };
	struct format_opts color = { .color = true, .hide_keys = true, .now = MODEL_NOW };
	struct format_opts keys = { .hide_keys = false, .now = MODEL_NOW };
	struct idtun_device dev, empty;
	char name[128];
	size_t i;

	tap_start();
	model_device(&dev);
	model_empty(&empty);
	golden("pretty", &dev, PRETTY, NULL, false, &plain);
	golden("pretty-color", &dev, PRETTY, NULL, false, &color);
	golden("pretty-keys", &dev, PRETTY, NULL, false, &keys);
	golden("empty-pretty", &empty, PRETTY, NULL, false, &plain);
	golden("empty-pretty-color", &empty, PRETTY, NULL, false, &color);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		ok(format_is_field(fields[i]), "%s is a field", fields[i]);
		snprintf(name, sizeof(name), "field-%s", fields[i]);
		golden(name, &dev, FIELD, fields[i], false, &plain);
		snprintf(name, sizeof(name), "field-%s-all", fields[i]);
		golden(name, &dev, FIELD, fields[i], true, &plain);
		snprintf(name, sizeof(name), "empty-field-%s", fields[i]);
		golden(name, &empty, FIELD, fields[i], false, &plain);
	}
	ok(!format_is_field("bogus") && !format_is_field("") && !format_is_field("Dump"),
	   "other words are no fields");
	golden("showconf", &dev, CONF, NULL, false, &plain);
	golden("empty-showconf", &empty, CONF, NULL, false, &plain);
	golden("json", &dev, JSON, NULL, false, &plain);
	golden("json-keys", &dev, JSON, NULL, false, &keys);
	golden("empty-json", &empty, JSON, NULL, false, &plain);
	device_free(&dev);
	device_free(&empty);
	test_idtun_show();
	test_idtun_conf();
	test_identities_policy();
	test_events();
	return tap_end();
}
