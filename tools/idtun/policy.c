// SPDX-License-Identifier: GPL-2.0
/*
 * idtun policy add <interface> <rule>
 * idtun policy del <interface> <rule>
 * idtun policy list <interface> [--json]
 * idtun policy flush <interface>
 * idtun policy default <interface> egress|ingress allow|deny
 *
 * A rule is written as policy.h describes; policy list prints rules the
 * same way, so its lines can be given back to policy add (its "default"
 * lines too).
 */

#include "format.h"
#include "idtun.h"

#include <stdio.h>
#include <string.h>

static int usage(const char *cmd)
{
	fprintf(stderr, "Usage: %s %s { add <interface> <rule> | del <interface> <rule> | "
		"list <interface> [--json] | flush <interface> | "
		"default <interface> egress|ingress allow|deny }\n"
		"<rule> := egress|ingress [from <id>|<name>|any] [to <ip>/<cidr>|any] "
		"[proto tcp|udp|icmp|ipv6-icmp|sctp|udplite|<number>|any] "
		"[port <port>[-<port>]] allow|deny\n", prog, cmd);
	return 1;
}

/* default egress|ingress allow|deny, as words. */
static bool parse_default(struct idtun_device *dev, int argc, char *argv[])
{
	char err[POLICY_ERR_LEN];
	uint32_t action;

	if (argc != 2 || (strcmp(argv[0], "egress") && strcmp(argv[0], "ingress"))) {
		fprintf(stderr, "%s: default: expected egress or ingress, then allow or deny\n",
			prog);
		return false;
	}
	if (!policy_parse_action(&action, argv[1], err)) {
		fprintf(stderr, "%s: default: %s\n", prog, err);
		return false;
	}
	if (!strcmp(argv[0], "egress")) {
		dev->egress_default = action;
		dev->has |= DEV_HAS_EGRESS_DEFAULT;
	} else {
		dev->ingress_default = action;
		dev->has |= DEV_HAS_INGRESS_DEFAULT;
	}
	return true;
}

/* The words, separated by blanks; false if too long. */
static bool join(char *out, size_t len, int argc, char *argv[])
{
	size_t n = 0;
	int i, w;

	out[0] = '\0';
	for (i = 0; i < argc; i++) {
		w = snprintf(out + n, len - n, "%s%s", i ? " " : "", argv[i]);
		if (w < 0 || (size_t)w >= len - n)
			return false;
		n += (size_t)w;
	}
	return true;
}

/* add, del, flush and default: one request. */
static int change(int argc, char *argv[])
{
	const char *verb = argv[1];
	struct idtun_device dev = { 0 };
	char err[POLICY_ERR_LEN], text[1024];
	struct idtun_rule rule;
	bool ok = true;
	int ret = 1;

	if (argc < 3 || (!strcmp(verb, "flush") && argc != 3))
		return usage(argv[0]);
	if (!check_ifname(argv[2]))
		return 1;
	snprintf(dev.name, sizeof(dev.name), "%s", argv[2]);
	argc -= 3;
	argv += 3;
	if (!strcmp(verb, "flush")) {
		dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_RULES;
	} else if (!strcmp(verb, "default") || (argc && !strcmp(verb, "add") &&
						!strcmp(argv[0], "default"))) {
		/* policy list's "default egress deny" lines go back through add. */
		if (strcmp(verb, "default")) {
			argc--;
			argv++;
		}
		ok = parse_default(&dev, argc, argv);
	} else {
		/* The rule as separate words or as one quoted argument. */
		if (!join(text, sizeof(text), argc, argv)) {
			fprintf(stderr, "%s: rule: too long\n", prog);
			ok = false;
		} else if (!policy_parse_rule_text(&rule, text, !strcmp(verb, "add"),
						   &netns_resolver, err)) {
			fprintf(stderr, "%s: rule: %s\n", prog, err);
			ok = false;
		}
		rule.remove = !strcmp(verb, "del");
		if (ok && device_add_rule(&dev, &rule)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			ok = false;
		}
	}
	if (ok)
		ret = set_device(&dev) ? 1 : 0;
	device_free(&dev);
	return ret;
}

static int list(int argc, char *argv[])
{
	struct idtun_device dev = { 0 };
	const struct idtun_names *names;
	int ret, error;

	if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "--json")))
		return usage(argv[0]);
	ret = get_policy(argv[2], &dev);
	if (!ret) {
		/* Names that cannot be read leave the numbers. */
		names = netns_names(&error);
		if (argc == 4)
			format_policy_json(stdout, &dev, names);
		else
			format_policy(stdout, &dev, names);
	}
	device_free(&dev);
	return ret ? 1 : 0;
}

int policy_main(int argc, char *argv[])
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(argv[0]) && argc < 2;
	if (!strcmp(argv[1], "list"))
		return list(argc, argv);
	if (!strcmp(argv[1], "add") || !strcmp(argv[1], "del") || !strcmp(argv[1], "flush") ||
	    !strcmp(argv[1], "default"))
		return change(argc, argv);
	fprintf(stderr, "%s: Invalid argument: %s\n", prog, argv[1]);
	return usage(argv[0]);
}
