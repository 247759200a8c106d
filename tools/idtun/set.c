// SPDX-License-Identifier: GPL-2.0
/*
 * idtun set <interface> [listen-port <port>] [fwmark <mark>|off]
 *     [private-key <file>] [default-identity <id|name>] [mark-mask <mask>]
 *     [egress-default allow|deny] [ingress-default allow|deny]
 *     [audit-rate <n>] [peer <public key> [remove] [update-only]
 *     [preshared-key <file>] [endpoint <host>:<port>]
 *     [persistent-keepalive <seconds>|off] [allowed-ips <prefix>[,...]]
 *     [labels on|off] [identity <id|name>] [allowed-identities <id|name>[,...]]]...
 *
 * wg(8)'s set: every argument is parsed and checked, names resolved, before
 * one request (split across messages if large) goes to the kernel.
 */

#include "config.h"
#include "idtun.h"

#include <ctype.h>
#include <linux/idtun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(const char *cmd)
{
	fprintf(stderr, "Usage: %s %s <interface> [listen-port <port>] [fwmark <mark>] "
		"[private-key <file path>] [default-identity <id|name>] [mark-mask <mask>] "
		"[egress-default allow|deny] [ingress-default allow|deny] "
		"[audit-rate <events per second>] "
		"[peer <base64 public key> [remove] [update-only] "
		"[preshared-key <file path>] [endpoint <ip>:<port>] "
		"[persistent-keepalive <interval seconds>] "
		"[allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] [labels on|off] "
		"[identity <id|name>] [allowed-identities <id|name>[,<id|name>]...] ]...\n",
		prog, cmd);
}

/* wg ignores blanks in an allowed-ips list: "10.0.0.1/32, 10.0.0.2/32". */
static char *no_blanks(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (!isspace((unsigned char)*s))
			*p++ = *s;
	}
	*p = '\0';
	return out;
}

/* One option and its value, or false with the error printed. */
static bool parse_option(struct idtun_device *dev, struct idtun_peer *peer,
			 const char *opt, const char *value)
{
	char err[CONFIG_ERR_LEN], *list;
	bool ok = true;

	if (!peer && !strcmp(opt, "listen-port")) {
		ok = config_parse_port(&dev->listen_port, value, err);
		dev->has |= DEV_HAS_LISTEN_PORT;
	} else if (!peer && !strcmp(opt, "fwmark")) {
		ok = config_parse_fwmark(&dev->fwmark, value, err);
		dev->has |= DEV_HAS_FWMARK;
	} else if (!peer && !strcmp(opt, "private-key")) {
		ok = config_read_keyfile(dev->private_key, value, err);
		dev->has |= DEV_HAS_PRIVATE_KEY;
	} else if (peer && !strcmp(opt, "preshared-key")) {
		ok = config_read_keyfile(peer->preshared_key, value, err);
		peer->has |= PEER_HAS_PRESHARED_KEY;
	} else if (peer && !strcmp(opt, "endpoint")) {
		ok = config_parse_endpoint(&peer->endpoint, value, err);
	} else if (peer && !strcmp(opt, "persistent-keepalive")) {
		ok = config_parse_keepalive(&peer->keepalive, value, err);
		peer->has |= PEER_HAS_KEEPALIVE;
	} else if (peer && (!strcmp(opt, "allowed-ips") ||
			    !strcmp(opt, "allowed-identities"))) {
		list = no_blanks(value);
		if (!list) {
			snprintf(err, sizeof(err), "out of memory");
			ok = false;
		} else if (!strcmp(opt, "allowed-ips")) {
			ok = config_parse_allowedips(peer, list, true, err);
		} else {
			ok = config_parse_allowed_identities(peer, list, true, &netns_resolver,
							     err);
		}
		free(list);
	} else if (!peer && config_device_setting(dev, opt, true, value, &netns_resolver, &ok,
						  err)) {
		/* default-identity, mark-mask, egress-default, ingress-default, audit-rate */
	} else if (peer && !strcmp(opt, "labels")) {
		ok = config_parse_labels(&peer->labels, value, err);
		peer->has |= PEER_HAS_LABELS;
	} else if (peer && !strcmp(opt, "identity")) {
		ok = policy_parse_identity(&peer->identity, value, true, &netns_resolver, err);
		peer->has |= PEER_HAS_IDENTITY;
	} else {
		fprintf(stderr, "%s: Invalid argument: %s\n", prog, opt);
		return false;
	}
	if (!ok)
		fprintf(stderr, "%s: %s: %s\n", prog, opt, err);
	return ok;
}

static bool parse_args(struct idtun_device *dev, int argc, char *argv[])
{
	struct idtun_peer *peer = NULL;
	char err[CONFIG_ERR_LEN];
	int i = 0;

	while (i < argc) {
		if (!strcmp(argv[i], "peer") && i + 1 < argc) {
			peer = device_add_peer(dev);
			if (!peer) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return false;
			}
			if (!config_parse_key(peer->public_key, argv[i + 1], false, err)) {
				fprintf(stderr, "%s: peer: %s\n", prog, err);
				return false;
			}
			i += 2;
		} else if (peer && !strcmp(argv[i], "remove")) {
			peer->flags |= IDTUN_PEER_FLAGS_REMOVE_ME;
			i++;
		} else if (peer && !strcmp(argv[i], "update-only")) {
			peer->flags |= IDTUN_PEER_FLAGS_UPDATE_ONLY;
			i++;
		} else if (i + 1 < argc) {
			if (!parse_option(dev, peer, argv[i], argv[i + 1]))
				return false;
			i += 2;
		} else {
			fprintf(stderr, "%s: Invalid argument: %s\n", prog, argv[i]);
			return false;
		}
	}
	return true;
}

int set_main(int argc, char *argv[])
{
	struct idtun_device dev = { 0 };
	int ret = 1;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argv[0]);
		return argc < 2;
	}
	if (!check_ifname(argv[1]))
		return 1;
	snprintf(dev.name, sizeof(dev.name), "%s", argv[1]);
	if (parse_args(&dev, argc - 2, argv + 2) && !set_device(&dev))
		ret = 0;
	device_free(&dev);
	return ret;
}
