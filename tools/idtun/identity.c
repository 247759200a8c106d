// SPDX-License-Identifier: GPL-2.0
/*
 * idtun identity add <id> <name>
 * idtun identity del <id|name>
 * idtun identity list [--json]
 * idtun identity bind <interface> <id|name> cgroup <path> | prefix <ip>/<cidr>
 * idtun identity unbind <interface> <id|name> cgroup <path> | prefix <ip>/<cidr>
 * idtun identity show <interface> [--json]
 *
 * Names belong to the network namespace (SET_NAME, GET_NAMES); bindings
 * and counters to a device (SET_DEVICE, GET_IDENTITIES).
 */

#include "cgroup.h"
#include "config.h"
#include "format.h"
#include "idtun.h"
#include "ipc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(const char *cmd)
{
	fprintf(stderr, "Usage: %s %s { add <id> <name> | del <id|name> | list [--json] | "
		"bind <interface> <id|name> { cgroup <path> | prefix <ip>/<cidr> } | "
		"unbind <interface> <id|name> { cgroup <path> | prefix <ip>/<cidr> } | "
		"show <interface> [--json] }\n", prog, cmd);
	return 1;
}

/* "--json" as the only optional argument: 1 if given, 0 if not, -1 if wrong. */
static int json_flag(int argc, char *argv[], int first)
{
	if (argc == first)
		return 0;
	if (argc == first + 1 && !strcmp(argv[first], "--json"))
		return 1;
	return -1;
}

static bool parse_id(uint32_t *id, const char *text, bool zero_ok)
{
	char err[POLICY_ERR_LEN];

	if (policy_parse_identity(id, text, zero_ok, &netns_resolver, err))
		return true;
	fprintf(stderr, "%s: identity: %s\n", prog, err);
	return false;
}

static int name_identity(uint32_t id, const char *name)
{
	struct nl_error err;
	char text[512];
	struct nl nl;
	int ret;

	ret = open_idtun(&nl);
	if (ret)
		return 1;
	ret = ipc_set_name(&nl, id, name, &err);
	nl_close(&nl);
	if (ret) {
		nl_format_error(text, sizeof(text), &err);
		fprintf(stderr, "%s: Unable to %s identity %u: %s\n", prog,
			*name ? "name" : "unname", id, text);
	}
	return ret ? 1 : 0;
}

static int add(int argc, char *argv[])
{
	char err[POLICY_ERR_LEN];
	uint32_t id;

	if (argc != 4)
		return usage(argv[0]);
	if (!isdigit((unsigned char)argv[2][0])) {
		fprintf(stderr, "%s: identity: invalid identity '%s' (a number)\n", prog, argv[2]);
		return 1;
	}
	if (!policy_parse_identity(&id, argv[2], true, NULL, err)) {
		fprintf(stderr, "%s: identity: %s\n", prog, err);
		return 1;
	}
	if (!policy_name_valid(argv[3], err)) {
		fprintf(stderr, "%s: name: %s\n", prog, err);
		return 1;
	}
	return name_identity(id, argv[3]);
}

static int del(int argc, char *argv[])
{
	uint32_t id;

	if (argc != 3)
		return usage(argv[0]);
	if (!parse_id(&id, argv[2], true))
		return 1;
	return name_identity(id, "");
}

static int list(int argc, char *argv[])
{
	const struct idtun_names *names;
	int json = json_flag(argc, argv, 2), error;

	if (json < 0)
		return usage(argv[0]);
	names = netns_names(&error);
	if (!names) {
		fprintf(stderr, "%s: Unable to read identity names: %s\n", prog, strerror(-error));
		return 1;
	}
	if (json)
		format_names_json(stdout, names);
	else
		format_names(stdout, names);
	return 0;
}

/* bind and unbind: one binding to add or remove. */
static int bind_cmd(int argc, char *argv[], bool remove)
{
	struct idtun_device dev = { 0 };
	struct idtun_binding b = { .remove = remove };
	char err[POLICY_ERR_LEN], *text;
	bool ok = false;
	int ret = 1;

	if (argc != 6)
		return usage(argv[0]);
	if (!check_ifname(argv[2]) || !parse_id(&b.identity, argv[3], false))
		return 1;
	snprintf(dev.name, sizeof(dev.name), "%s", argv[2]);
	if (!strcmp(argv[4], "cgroup")) {
		ok = cgroup_path(&b.cgroup, argv[5], err, sizeof(err));
	} else if (!strcmp(argv[4], "prefix")) {
		text = strdup(argv[5]);
		ok = text && config_parse_prefix(&b.prefix, text, err);
		free(text);
		if (ok)
			b.prefix = config_masked(&b.prefix, "prefix", argv[5]);
	} else {
		fprintf(stderr, "%s: Invalid argument: %s (expected cgroup or prefix)\n", prog,
			argv[4]);
		return 1;
	}
	if (!ok)
		fprintf(stderr, "%s: %s: %s\n", prog, argv[4], err);
	else if (device_add_binding(&dev, &b))
		fprintf(stderr, "%s: out of memory\n", prog);
	else
		ret = set_device(&dev) ? 1 : 0;
	free(b.cgroup);
	device_free(&dev);
	return ret;
}

static int show(int argc, char *argv[])
{
	struct idtun_device dev = { 0 };
	struct format_opts o;
	int json = json_flag(argc, argv, 3), ret;

	if (argc < 3 || json < 0)
		return usage(argv[0]);
	ret = get_identities(argv[2], &dev);
	if (!ret && json) {
		format_identities_json(stdout, &dev);
	} else if (!ret) {
		show_opts(&o);
		format_identities(stdout, &dev, &o);
	}
	device_free(&dev);
	return ret ? 1 : 0;
}

int identity_main(int argc, char *argv[])
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(argv[0]) && argc < 2;
	/* From here on argv[0] is still "identity", argv[1] the verb. */
	if (!strcmp(argv[1], "add"))
		return add(argc, argv);
	if (!strcmp(argv[1], "del"))
		return del(argc, argv);
	if (!strcmp(argv[1], "list"))
		return list(argc, argv);
	if (!strcmp(argv[1], "bind"))
		return bind_cmd(argc, argv, false);
	if (!strcmp(argv[1], "unbind"))
		return bind_cmd(argc, argv, true);
	if (!strcmp(argv[1], "show"))
		return show(argc, argv);
	fprintf(stderr, "%s: Invalid argument: %s\n", prog, argv[1]);
	return usage(argv[0]);
}
