// SPDX-License-Identifier: GPL-2.0
/*
 * Identities, bindings, rules and names over netlink without a kernel:
 * thousands of entries split across SET_DEVICE requests in the order the
 * kernel applies them, get-identities, get-policy and get-names dumps read
 * back, and syncconf's requests for a file's identities and policy, which
 * must change only what differs and never flush.
 */

#include "ipc_sim.h"
#include "model.h"
#include "sync.h"
#include "tap.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>

static void many_rules(struct idtun_device *dev, size_t n, size_t base)
{
	struct idtun_rule r;
	size_t i;

	for (i = base; i < base + n; i++) {
		memset(&r, 0, sizeof(r));
		r.has = RULE_HAS_IDENTITY | RULE_HAS_ACTION | RULE_HAS_PORTS;
		r.direction = (uint32_t)(i % 2);
		r.identity = (uint32_t)(i / 50);
		r.to.family = AF_INET;
		r.to.addr[0] = 10;
		r.to.addr[1] = (uint8_t)(i >> 8);
		r.to.addr[2] = (uint8_t)i;
		r.to.cidr = 24;
		r.protocol = i % 3 ? IPPROTO_TCP : IPPROTO_UDP;
		r.port_min = (uint16_t)(1000 + i % 50);
		r.port_max = (uint16_t)(r.port_min + i % 7);
		r.action = i % 3 == 0;
		device_add_rule(dev, &r);
	}
}

static void many_bindings(struct idtun_device *dev, size_t n, size_t base)
{
	struct idtun_binding b;
	char path[128];
	size_t i;

	for (i = base; i < base + n; i++) {
		memset(&b, 0, sizeof(b));
		b.identity = (uint32_t)(1 + i % 100);
		if (i % 2) {
			snprintf(path, sizeof(path),
				 "/kubepods.slice/kubepods-burstable.slice/pod%zu.slice/cri-%0*zu",
				 i, (int)(i % 40), i);
			b.cgroup = path;
		} else {
			b.prefix.family = AF_INET6;
			b.prefix.addr[0] = 0xfd;
			b.prefix.addr[13] = (uint8_t)(i >> 16);
			b.prefix.addr[14] = (uint8_t)(i >> 8);
			b.prefix.addr[15] = (uint8_t)i;
			b.prefix.cidr = 128;
		}
		device_add_binding(dev, &b);
	}
}

static void test_set_many_entries(void)
{
	struct idtun_device dev = { 0 };
	struct sim s;
	int error, n;

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_RULES;
	many_rules(&dev, 10000, 0);
	sim_init(&s, dev.name);
	many_rules(&s.state, 3, 20000);		/* replaced */
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 50 && !s.error, "10,000 rules in %d messages of at most %d bytes%s%s",
	   n, IPC_MSG_MAX, s.error ? ": " : "", s.error ? s.error : "");
	ok(s.rule_entries == 10000 && same_rules(&s.state, &dev),
	   "each rule sent once, none lost, in order (%zu sent)", s.rule_entries);
	device_free(&s.state);
	device_free(&dev);

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS;
	many_bindings(&dev, 10000, 0);
	sim_init(&s, dev.name);
	many_bindings(&s.state, 3, 20001);	/* replaced */
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 50 && !s.error, "10,000 bindings in %d messages%s%s", n,
	   s.error ? ": " : "", s.error ? s.error : "");
	ok(s.binding_entries == 10000 &&
	   same_bindings(s.state.bindings, s.state.nbindings, dev.bindings, dev.nbindings),
	   "each binding sent once, none lost, in order (%zu sent)", s.binding_entries);
	device_free(&s.state);
	device_free(&dev);
}

/* Which arrays a request message holds: 1 bindings, 2 rules, 4 peers. */
static unsigned int kinds(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	unsigned int k = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_BINDINGS)
			k |= 1;
		else if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_RULES)
			k |= 2;
		else if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_PEERS)
			k |= 4;
	}
	return k;
}

static void test_set_order(void)
{
	struct idtun_device dev = { 0 }, want;
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	struct idtun_peer *p;
	unsigned int last = 0, k;
	bool ordered = true;
	struct sim s;
	int error, n = 0;

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS | IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
		    IDTUN_DEVICE_FLAGS_REPLACE_RULES;
	p = model_peer(&dev, 0);
	add_many_ips(p, 2000, 0);
	for (uint32_t i = 1; i <= 3000; i++)
		peer_add_aid(p, i, false);
	p->flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES;
	model_peer(&dev, 1)->labels = 1;
	dev.peers[1].has = PEER_HAS_LABELS;
	many_bindings(&dev, 3000, 0);
	many_rules(&dev, 3000, 0);
	ipc_set_init(&it, &dev);
	sim_init(&s, dev.name);
	while ((nlh = ipc_set_next(&it, buf, sizeof(buf), FAMILY, (uint32_t)n, &error))) {
		k = kinds(nlh);
		/* Never an earlier kind after a later one. */
		if (k && last && (k & (last - 1) & ~last))
			ordered = false;
		if (k)
			last = 1u << (31 - __builtin_clz(k));
		sim_apply(&s, nlh, !n++);
	}
	ok(!error && ordered && n > 40,
	   "bindings, then rules, then peers, as the kernel applies them (%d messages)", n);
	want = dev;
	ok(!s.error && s.state.npeers == 2 && s.state.peers[0].nips == 2000 &&
	   s.state.peers[0].naids == 3000 && s.state.peers[1].labels == 1 &&
	   same_bindings(s.state.bindings, s.state.nbindings, want.bindings, want.nbindings) &&
	   same_rules(&s.state, &want), "a peer's allowed identities continue like its prefixes");
	device_free(&s.state);
	device_free(&dev);
}

static void test_set_long_cgroup(void)
{
	struct idtun_device dev = { 0 };
	struct idtun_binding b = { .identity = 1 };
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	char *path = malloc(4100);
	int error;

	strcpy(dev.name, "idtun0");
	memset(path, 'a', 4099);
	path[0] = '/';
	path[4000] = '\0';	/* the longest the tool sends */
	b.cgroup = path;
	device_add_binding(&dev, &b);
	ipc_set_init(&it, &dev);
	nlh = ipc_set_next(&it, buf, sizeof(buf), FAMILY, 1, &error);
	ok(nlh && nlh->nlmsg_len <= IPC_MSG_MAX && kinds(nlh) == 1 &&
	   !ipc_set_next(&it, buf, sizeof(buf), FAMILY, 2, &error) && !error,
	   "a 4000-character cgroup path fits a message");
	device_free(&dev);

	strcpy(dev.name, "idtun0");
	path[4000] = 'a';
	path[4090] = '\0';
	device_add_binding(&dev, &b);
	ipc_set_init(&it, &dev);
	while (ipc_set_next(&it, buf, sizeof(buf), FAMILY, 1, &error))
		;
	ok(error == -EMSGSIZE, "a longer one: EMSGSIZE, not a loop");
	device_free(&dev);
	free(path);
}

static bool same_identities(const struct idtun_device *a, const struct idtun_device *b)
{
	if (a->nidentities != b->nidentities)
		return false;
	for (size_t i = 0; i < a->nidentities; i++) {
		const struct idtun_identity *x = &a->identities[i], *y = &b->identities[i];

		if (x->identity != y->identity || strcmp(x->name, y->name) ||
		    x->tx_packets != y->tx_packets || x->tx_bytes != y->tx_bytes ||
		    x->rx_packets != y->rx_packets || x->rx_bytes != y->rx_bytes ||
		    x->tx_dropped != y->tx_dropped || x->rx_dropped != y->rx_dropped ||
		    !same_bindings(x->bindings, x->nbindings, y->bindings, y->nbindings))
			return false;
	}
	return true;
}

static void test_get_idtun(void)
{
	struct idtun_device dev, got;
	struct ipc_get_ctx ctx;
	int n;

	model_idtun(&dev);
	free(dev.rules);
	dev.rules = NULL;
	dev.nrules = dev.rules_cap = 0;
	for (size_t i = 0; i < dev.nbindings; i++)
		binding_free(&dev.bindings[i]);
	dev.nbindings = 0;
	n = dump(&dev, msgs, 4000, 1, 9);
	read_dump(&ctx, &got, n);
	ok(n > 5 && !ctx.malformed && same_device(&got, &dev),
	   "settings, drops, labels, identities and allowed identities read back (%d messages)",
	   n);
	device_free(&got);
	device_free(&dev);

	model_identities(&dev);
	n = dump_identities(&dev, 1);
	read_dump(&ctx, &got, n);
	ok(n > 3 && !ctx.malformed && same_identities(&got, &dev),
	   "identities with one binding a message (%d messages): bindings continued", n);
	device_free(&got);
	many_bindings(&dev, 10000, 0);
	for (size_t i = 0; i < dev.nbindings; i++) {
		struct idtun_identity *id = &dev.identities[1 + i % 4];

		dev.bindings[i].identity = id->identity;
		identity_add_binding(id, &dev.bindings[i]);
	}
	n = dump_identities(&dev, 25);
	read_dump(&ctx, &got, n);
	ok(n > 100 && !ctx.malformed && same_identities(&got, &dev),
	   "10,000 bindings over %d messages", n);

	device_free(&got);
	device_free(&dev);

	model_idtun(&dev);
	n = dump_policy(&dev, 2);
	read_dump(&ctx, &got, n);
	dev.ifindex = got.ifindex;
	ok(n == 4 && !ctx.malformed && same_rules(&got, &dev) &&
	   got.egress_default == IDTUN_ACTION_DENY && (got.has & DEV_HAS_EGRESS_DEFAULT),
	   "policy: defaults and rules with counters read back");
	device_free(&got);
	many_rules(&dev, 10000, 0);
	n = dump_policy(&dev, 35);
	read_dump(&ctx, &got, n);
	ok(n > 250 && !ctx.malformed && same_rules(&got, &dev), "10,000 rules over %d messages",
	   n);
	device_free(&got);
	device_free(&dev);

	/* Replies the tool must refuse rather than misread. */
	model_idtun(&dev);
	dev.rules[1].to.cidr = 40;
	n = dump_policy(&dev, 100);
	read_dump(&ctx, &got, n);
	ok(ctx.malformed, "a rule's IPv4 prefix longer than 32: malformed");
	device_free(&got);
	device_free(&dev);
}

static void test_names(void)
{
	struct idtun_names want, got = { 0 };
	struct ipc_names_ctx ctx = { .names = &got };
	struct nlmsghdr *nlh;
	bool same = true;

	model_names(&want);
	for (size_t i = 0; i < want.n; i++) {
		nlh = mnl_nlmsg_put_header(msgs[i]);
		nlh->nlmsg_type = FAMILY;
		nlh->nlmsg_flags = NLM_F_MULTI;
		((struct genlmsghdr *)mnl_nlmsg_put_extra_header(nlh, 4))->cmd =
			IDTUN_CMD_GET_NAMES;
		mnl_attr_put_u32(nlh, IDTUN_A_IDENTITY_IDENTITY, want.v[i].identity);
		mnl_attr_put_strz(nlh, IDTUN_A_IDENTITY_NAME, want.v[i].name);
		ipc_names_parse(nlh, &ctx);
	}
	for (size_t i = 0; i < want.n; i++)
		same &= names_by_id(&got, want.v[i].identity) &&
			!strcmp(names_by_id(&got, want.v[i].identity)->name, want.v[i].name);
	ok(!ctx.malformed && got.n == want.n && same, "get-names read back");
	nlh = mnl_nlmsg_put_header(msgs[0]);
	nlh->nlmsg_type = FAMILY;
	mnl_nlmsg_put_extra_header(nlh, 4);
	mnl_attr_put_u32(nlh, IDTUN_A_IDENTITY_IDENTITY, 7);
	mnl_attr_put_strz(nlh, IDTUN_A_IDENTITY_NAME,
			  "a-name-of-sixty-four-characters-which-is-one-more-than-the-spec!");
	ipc_names_parse(nlh, &ctx);
	ok(ctx.malformed, "a name longer than 63 characters: malformed");
	names_free(&want);
	names_free(&got);
}

/* The sim's flat bindings as get-identities lists them, under identities. */
static void as_dumped(struct idtun_device *st)
{
	struct idtun_identity *id;
	size_t i, j;

	for (i = 0; i < st->nbindings; i++) {
		for (j = 0; j < st->nidentities; j++) {
			if (st->identities[j].identity == st->bindings[i].identity)
				break;
		}
		id = j < st->nidentities ? &st->identities[j] : device_add_identity(st);
		id->identity = st->bindings[i].identity;
		identity_add_binding(id, &st->bindings[i]);
	}
	device_sort_rules(st);
}

static void forget_identities(struct idtun_device *st)
{
	for (size_t i = 0; i < st->nidentities; i++) {
		for (size_t j = 0; j < st->identities[i].nbindings; j++)
			binding_free(&st->identities[i].bindings[j]);
		free(st->identities[i].bindings);
	}
	free(st->identities);
	st->identities = NULL;
	st->nidentities = st->identities_cap = 0;
}

static int qsort_binding(const void *a, const void *b)
{
	return binding_key_cmp(a, b);
}

static void sort_state(struct idtun_device *st)
{
	qsort(st->bindings, st->nbindings, sizeof(*st->bindings), qsort_binding);
	device_sort_rules(st);
}

static void test_sync_policy(void)
{
	struct idtun_device setconf, file, req = { 0 };
	struct sim s, want;
	char text[2048];
	bool no_remove_changed = true, no_flush;
	int error;

	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nAuditRate = 10\n"
		 "[Peer]\nPublicKey = %s\nLabels = on\nAllowedIdentities = 1001, db\n"
		 "[Identity]\nIdentity = 1001\nName = web\nCgroup = /a\nPrefix = 10.1.0.0/24\n"
		 "[Identity]\nIdentity = 1002\nName = db\nCgroup = /b\n"
		 "[Policy]\nRule = egress from web to 10.2.0.0/16 proto tcp port 443 allow\n"
		 "Rule = egress deny\nRule = ingress from 1002 allow\n",
		 MODEL_PRIVATE, K(0));
	ok(conf(&setconf, text, false), "setconf: a file with identities and policy");
	sim_init(&s, "idtun0");
	sim_set(&s, &setconf, &error);
	ok(!s.error && s.state.nbindings == 3 && s.state.nrules == 3 &&
	   s.state.peers[0].naids == 2 && s.state.audit_rate == 10, "setconf applies it");

	/* /a moves to db, /b goes, a prefix comes; one rule changes its action,
	 * one goes, one comes; db is no longer allowed, 1003 is; labels off. */
	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nEgressDefault = deny\n"
		 "[Peer]\nPublicKey = %s\nAllowedIdentities = 1001, 1003\n"
		 "[Identity]\nIdentity = 1001\nName = web\nPrefix = 10.1.0.0/24, 10.3.0.0/24\n"
		 "[Identity]\nIdentity = 1002\nName = db\nCgroup = /a\n"
		 "[Policy]\nRule = egress from web to 10.2.0.0/16 proto tcp port 443 deny\n"
		 "Rule = ingress from 1002 allow\nRule = ingress from web to fd00::/8 deny\n",
		 MODEL_PRIVATE, K(0));
	ok(conf(&file, text, true), "syncconf parses the new file");
	as_dumped(&s.state);
	ok(!sync_request(&req, &file, &s.state), "computes the difference");
	forget_identities(&s.state);
	no_flush = !(req.flags & (IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
				  IDTUN_DEVICE_FLAGS_REPLACE_RULES)) &&
		   !(req.npeers && (req.peers[req.npeers - 1].flags &
				    IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES));
	ok(no_flush, "nothing is flushed");
	for (size_t i = 0; i < req.nrules; i++) {
		if (req.rules[i].remove && req.rules[i].protocol == IPPROTO_TCP)
			no_remove_changed = false;
	}
	for (size_t i = 0; i < req.nbindings; i++) {
		if (req.bindings[i].remove && req.bindings[i].cgroup &&
		    !strcmp(req.bindings[i].cgroup, "/a"))
			no_remove_changed = false;
	}
	ok(no_remove_changed && req.nrules == 3 && req.nbindings == 3,
	   "a changed rule or binding is re-added, never removed (%zu rules, %zu bindings)",
	   req.nrules, req.nbindings);
	ok(!req.nrules || !req.rules[0].remove, "additions come before removals");
	sim_set(&s, &req, &error);
	ok(!s.error && !error, "the request is well formed");

	device_free(&setconf);
	conf(&setconf, text, false);
	sim_init(&want, "idtun0");
	sim_set(&want, &setconf, &error);
	sort_state(&s.state);
	sort_state(&want.state);
	want.state.peers[0].serial = s.state.peers[0].serial;
	ok(same_device(&s.state, &want.state), "the device now is what the file says");

	device_free(&req);
	memset(&req, 0, sizeof(req));
	as_dumped(&s.state);
	ok(!sync_request(&req, &file, &s.state) && !req.npeers && !req.has &&
	   !req.nbindings && !req.nrules, "a second syncconf changes nothing");
	forget_identities(&s.state);

	device_free(&req);
	device_free(&file);
	device_free(&setconf);
	device_free(&s.state);
	device_free(&want.state);
}

static void test_late_defaults(void)
{
	struct idtun_device req = { 0 }, late = { 0 };

	/* A default that opens waits for the rules; one that closes does not. */
	strcpy(req.name, "idtun0");
	device_set(&req, device_setting_of(DEV_HAS_EGRESS_DEFAULT), IDTUN_ACTION_ALLOW);
	device_set(&req, device_setting_of(DEV_HAS_INGRESS_DEFAULT), IDTUN_ACTION_DENY);
	device_set(&req, device_setting_of(DEV_HAS_AUDIT_RATE), 5);
	many_rules(&req, 100, 0);
	sync_late_defaults(&req, &late);
	ok(!(req.has & DEV_HAS_EGRESS_DEFAULT) && (req.has & DEV_HAS_INGRESS_DEFAULT) &&
	   (req.has & DEV_HAS_AUDIT_RATE) && late.has == DEV_HAS_EGRESS_DEFAULT &&
	   late.egress_default == IDTUN_ACTION_ALLOW && !strcmp(late.name, "idtun0"),
	   "an allow default goes after the rules, a deny default before them");
	device_free(&req);
	device_free(&late);
}

int main(void)
{
	tap_start();
	test_set_many_entries();
	test_set_order();
	test_set_long_cgroup();
	test_get_idtun();
	test_names();
	test_sync_policy();
	test_late_defaults();
	return tap_end();
}
