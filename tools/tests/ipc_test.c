// SPDX-License-Identifier: GPL-2.0
/*
 * Devices, peers and allowed IPs over netlink without a kernel. SET_DEVICE
 * requests are built, checked attribute by attribute, and applied to a
 * model of the kernel's semantics (ipc_sim.c; WireGuard's: replace-peers,
 * remove-me, update-only, replace-allowedips, prefixes moving between
 * peers); GET_DEVICE dumps are produced the way the kernel splits them and
 * read back. syncconf's requests are applied the same way and must reach
 * the file's state without recreating the peers that stay. Identities and
 * policy are ipc_policy_test.c's.
 */

#include "ipc_sim.h"
#include "model.h"
#include "sync.h"
#include "tap.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <string.h>

/* Keepalive and the flags of a model as a request means them. */
static void as_request(struct idtun_device *dev)
{
	for (size_t i = 0; i < dev->npeers; i++) {
		dev->peers[i].has |= PEER_HAS_KEEPALIVE;
		dev->peers[i].flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS |
				      IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES;
	}
	dev->flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS | IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
		     IDTUN_DEVICE_FLAGS_REPLACE_RULES;
}

/* What the kernel keeps of a model: nothing reply-only. */
static void as_kept(struct idtun_device *want)
{
	want->has &= ~(uint32_t)(DEV_HAS_PUBLIC_KEY | DEV_HAS_DROPS);
	memset(want->public_key, 0, IDTUN_KEY_LEN);
	memset(want->drops, 0, sizeof(want->drops));
	want->ifindex = 0;
	for (size_t i = 0; i < want->npeers; i++) {
		struct idtun_peer *p = &want->peers[i];

		p->last_handshake_ns = p->tx_bytes = p->protocol_version = 0;
		p->has &= ~(uint32_t)PEER_HAS_KEEPALIVE;
		p->serial = i + 1;
	}
	for (size_t i = 0; i < want->nrules; i++)
		want->rules[i].packets = want->rules[i].bytes = 0;
}

static void set_model(void (*make)(struct idtun_device *), const char *what)
{
	struct idtun_device dev, want;
	struct sim s;
	int error, n;

	make(&dev);
	as_request(&dev);
	sim_init(&s, dev.name);
	n = sim_set(&s, &dev, &error);
	ok(n == 1 && !error, "%s fits one message", what);
	ok(!s.error, "every attribute well formed%s%s", s.error ? ": " : "",
	   s.error ? s.error : "");
	make(&want);
	as_kept(&want);
	for (size_t i = 0; i < s.state.npeers; i++)
		s.state.peers[i].has &= ~(uint32_t)PEER_HAS_KEEPALIVE;
	ok(same_device(&s.state, &want), "the kernel ends up with %s", what);
	device_free(&dev);
	device_free(&want);
	device_free(&s.state);
}

static void test_set_model(void)
{
	set_model(model_device, "the model");
	set_model(model_idtun, "the model with identities and policy");
}

static void test_set_split(void)
{
	struct idtun_device dev = { 0 };
	struct idtun_peer *p;
	struct sim s;
	int error, n;
	bool ips_ok = true;

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
	dev.has = DEV_HAS_LISTEN_PORT;
	dev.listen_port = 7;
	p = model_peer(&dev, 0);
	p->flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
	p->has = PEER_HAS_KEEPALIVE;
	p->keepalive = 9;
	add_many_ips(p, 10000, 0);
	p = model_peer(&dev, 1);
	p->flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
	model_ip(p, "192.0.2.0", 24);

	sim_init(&s, dev.name);
	/* What the device had must go: replace-peers and replace-allowedips. */
	p = model_peer(&s.state, 0);
	model_ip(p, "172.16.0.0", 12);
	p = model_peer(&s.state, 2);
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 50, "10,000 allowed IPs take %d messages", n);
	ok(!s.error, "all well formed, each at most %d bytes%s%s", IPC_MSG_MAX,
	   s.error ? ": " : "", s.error ? s.error : "");
	ok(s.state.npeers == 2 && s.state.listen_port == 7, "two peers, the port set");
	p = device_find_peer(&s.state, dev.peers[0].public_key);
	ok(p && p->nips == 10000 && p->keepalive == 9, "the first peer has all 10,000");
	for (size_t i = 0; p && i < p->nips && i < 10000; i++)
		ips_ok &= allowedip_equal(&p->ips[i], &dev.peers[0].ips[i]);
	ok(p && ips_ok, "in order");
	p = device_find_peer(&s.state, dev.peers[1].public_key);
	ok(p && p->nips == 1, "the second peer follows in the last message");
	device_free(&s.state);

	/* Continuations: key, flags minus replace-allowedips, prefixes only. */
	{
		struct ipc_set_iter it;
		struct nlmsghdr *nlh;
		const struct nlattr *a, *peers = NULL, *first;
		bool cont_ok = true;
		int m = 0;

		dev.peers[0].flags |= IDTUN_PEER_FLAGS_UPDATE_ONLY;
		ipc_set_init(&it, &dev);
		while ((nlh = ipc_set_next(&it, buf, sizeof(buf), FAMILY, 1, &error))) {
			if (!m++)
				continue;
			mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
				if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_PEERS)
					peers = a;
				else if (mnl_attr_get_type(a) != IDTUN_A_DEVICE_IFNAME)
					cont_ok = false;
			}
			first = mnl_attr_get_payload(peers);
			mnl_attr_for_each_nested(a, first) {
				uint16_t t = mnl_attr_get_type(a);

				if (t == IDTUN_A_PEER_FLAGS)
					cont_ok &= mnl_attr_get_u32(a) ==
						   IDTUN_PEER_FLAGS_UPDATE_ONLY;
				else if (t != IDTUN_A_PEER_PUBLIC_KEY &&
					 t != IDTUN_A_PEER_ALLOWED_IPS)
					cont_ok = false;
			}
		}
		ok(m == n && cont_ok, "continued peers carry only key, update-only and prefixes");
	}
	device_free(&dev);
}

static void test_set_many_peers(void)
{
	struct idtun_device dev = { 0 };
	struct idtun_peer *p;
	struct sim s;
	int error, n;
	bool all = true;

	strcpy(dev.name, "idtun0");
	for (int i = 0; i < 1000; i++) {
		p = device_add_peer(&dev);
		p->public_key[0] = (uint8_t)i;
		p->public_key[1] = (uint8_t)(i >> 8);
		p->public_key[31] = 1;
		p->has = PEER_HAS_PRESHARED_KEY;
		p->preshared_key[0] = 1;
		add_many_ips(p, 3, 3 * (size_t)i);
	}
	sim_init(&s, dev.name);
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 1 && !s.error && s.state.npeers == 1000,
	   "1000 peers in %d messages", n);
	for (size_t i = 0; i < s.state.npeers; i++)
		all &= s.state.peers[i].nips == 3 &&
		       (s.state.peers[i].has & PEER_HAS_PRESHARED_KEY);
	ok(all, "each with its key and prefixes");
	device_free(&s.state);

	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
	device_free(&dev);
	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
	sim_init(&s, dev.name);
	model_peer(&s.state, 0);
	n = sim_set(&s, &dev, &error);
	ok(n == 1 && !error && !s.state.npeers, "no peers: one message, replace-peers");
	device_free(&s.state);
}

static void test_set_too_small(void)
{
	struct idtun_device dev;
	struct ipc_set_iter it;
	int error;

	int n = 0;

	model_device(&dev);
	ipc_set_init(&it, &dev);
	while (n < 100 && ipc_set_next(&it, buf, 96, FAMILY, 1, &error))
		n++;
	ok(n < 100 && error == -EMSGSIZE,
	   "a buffer too small for a peer: EMSGSIZE after %d messages, not a loop", n);
	ipc_set_init(&it, &dev);
	ok(!ipc_set_next(&it, buf, 60, FAMILY, 1, &error) && error == -EMSGSIZE,
	   "too small for the device's own attributes: EMSGSIZE at once");
	device_free(&dev);
}

static void test_get(void)
{
	struct idtun_device dev, got;
	struct ipc_get_ctx ctx;
	int n;

	model_device(&dev);
	n = dump(&dev, msgs, 4000, 1000, 9);
	read_dump(&ctx, &got, n);
	ok(n == 1 && !ctx.restart && !ctx.malformed && same_device(&got, &dev),
	   "one message reads back as the model");
	device_free(&got);

	n = dump(&dev, msgs, 4000, 1, 9);
	read_dump(&ctx, &got, n);
	ok(n > 5 && !ctx.restart && !ctx.malformed && same_device(&got, &dev),
	   "one prefix per message (%d messages): peers continued, same model", n);
	device_free(&got);

	add_many_ips(&dev.peers[0], 10000, 0);
	n = dump(&dev, msgs, 4000, 80, 9);
	read_dump(&ctx, &got, n);
	ok(n > 100 && !ctx.malformed && same_device(&got, &dev),
	   "10,000 prefixes over %d messages", n);
	device_free(&got);

	/* The configuration changed between two messages of the dump. */
	n = dump(&dev, msgs, 4000, 80, 9);
	mnl_attr_put_u32((struct nlmsghdr *)msgs[n - 1], IDTUN_A_DEVICE_GENERATION, 10);
	read_dump(&ctx, &got, n);
	ok(ctx.restart, "a new generation mid-dump: read it again");
	device_free(&got);

	n = dump(&dev, msgs, 4000, 80, 9);
	((struct nlmsghdr *)msgs[1])->nlmsg_flags |= NLM_F_DUMP_INTR;
	read_dump(&ctx, &got, n);
	ok(ctx.restart, "NLM_F_DUMP_INTR: read it again");
	device_free(&got);
	device_free(&dev);

	/* Replies the tool must refuse rather than misread. */
	model_device(&dev);
	dev.peers[2].ips[0].cidr = 33;
	n = dump(&dev, msgs, 4000, 1000, 9);
	read_dump(&ctx, &got, n);
	ok(ctx.malformed, "an IPv4 prefix longer than 32: malformed");
	device_free(&got);
	device_free(&dev);
}

static void test_sync(void)
{
	struct idtun_device file, setconf, req = { 0 };
	struct sim s, want;
	char text[2048];
	int error;
	bool kept;

	/* The device as setconf left it. */
	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nListenPort = 51820\nFwMark = 5\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/32, 10.0.0.2/32\n"
		 "PersistentKeepalive = 25\n"
		 "[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.0.1.0/24\n"
		 "Endpoint = 192.0.2.1:1\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.2.0/24\n",
		 MODEL_PRIVATE, K(0), K(1), MODEL_PSK, K(2));
	conf(&setconf, text, false);
	sim_init(&s, "idtun0");
	sim_set(&s, &setconf, &error);
	ok(s.state.npeers == 3 && !s.error, "setconf: three peers");

	/* The file: peer 2 gone, peer 3 new, 10.0.0.2 moved from peer 0 to 1,
	 * peer 1's preshared key dropped, peer 0's keepalive off, port unnamed. */
	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nFwMark = 5\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/32\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.1.0/24, 10.0.0.2/32\n"
		 "Endpoint = 192.0.2.1:1\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.3.0/24\n",
		 MODEL_PRIVATE, K(0), K(1), K(3));
	ok(conf(&file, text, true), "syncconf parses the file");
	ok(!sync_request(&req, &file, &s.state), "computes the difference");
	ok(!(req.has & (DEV_HAS_PRIVATE_KEY | DEV_HAS_LISTEN_PORT | DEV_HAS_FWMARK)) &&
	   !req.flags, "unchanged key, port and fwmark are not sent, nor replace-peers");
	kept = true;
	for (size_t i = 0; i < req.npeers; i++) {
		const struct idtun_peer *r = &req.peers[i];
		bool old = !memcmp(r->public_key, s.state.peers[0].public_key, 32) ||
			   !memcmp(r->public_key, s.state.peers[1].public_key, 32);

		if (old && (r->flags & (IDTUN_PEER_FLAGS_REMOVE_ME |
					IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS)))
			kept = false;
	}
	ok(kept, "kept peers are neither removed nor have their prefixes replaced");
	sim_set(&s, &req, &error);
	ok(!s.error && !error, "the request is well formed");
	ok(s.state.npeers == 3 && s.state.peers[0].serial == 1 &&
	   s.state.peers[1].serial == 2, "kept peers were never recreated");

	/* Applying the file with setconf to a fresh device gives the same. */
	device_free(&setconf);
	conf(&setconf, text, false);
	setconf.has &= ~(uint32_t)DEV_HAS_LISTEN_PORT;
	sim_init(&want, "idtun0");
	want.state.listen_port = 51820;
	sim_set(&want, &setconf, &error);
	for (size_t i = 0; i < s.state.npeers; i++)
		s.state.peers[i].serial = want.state.peers[i].serial;
	ok(same_device(&s.state, &want.state), "the device now is what the file says");
	device_free(&req);
	memset(&req, 0, sizeof(req));
	ok(!sync_request(&req, &file, &s.state) && req.npeers == 0 && !req.has,
	   "a second syncconf changes nothing");

	device_free(&req);
	device_free(&file);
	device_free(&setconf);
	device_free(&s.state);
	device_free(&want.state);
}

int main(void)
{
	tap_start();
	test_set_model();
	test_set_split();
	test_set_many_peers();
	test_set_too_small();
	test_get();
	test_sync();
	return tap_end();
}
