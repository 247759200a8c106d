// SPDX-License-Identifier: GPL-2.0
/*
 * idtun show [--json] [<interface> | all | interfaces] [<field>]
 *
 * Devices are listed over rtnetlink (links of kind "idtun"); a device's
 * state comes from the idtun generic netlink family, and format.c prints it.
 */

#include "format.h"
#include "idtun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f, const char *cmd)
{
	fprintf(f, "Usage: %s %s [--json] { <interface> | all | interfaces } [public-key | "
		"private-key | listen-port | fwmark | peers | preshared-keys | endpoints | "
		"allowed-ips | latest-handshakes | transfer | persistent-keepalive | dump]\n",
		prog, cmd);
}

/* IDTUN_<name>, else wg's WG_<name>, so wg's settings carry over. */
static const char *env(const char *name)
{
	char var[64];
	const char *v;

	snprintf(var, sizeof(var), "IDTUN_%s", name);
	v = getenv(var);
	if (v)
		return v;
	snprintf(var, sizeof(var), "WG_%s", name);
	return getenv(var);
}

void show_opts(struct format_opts *o)
{
	const char *mode = env("COLOR_MODE"), *hide = env("HIDE_KEYS");

	memset(o, 0, sizeof(*o));
	if (mode && !strcmp(mode, "always"))
		o->color = true;
	else if (mode && !strcmp(mode, "never"))
		o->color = false;
	else
		o->color = isatty(STDOUT_FILENO);
	o->hide_keys = !hide || strcmp(hide, "never");
	o->now = time(NULL);
}

enum show_mode { SHOW_PRETTY, SHOW_FIELD, SHOW_JSON };

/* Whether the pretty format names identities: only then are names read. */
static bool uses_identities(const struct idtun_device *dev)
{
	size_t i;

	if (dev->default_identity)
		return true;
	for (i = 0; i < dev->npeers; i++) {
		if (dev->peers[i].identity || dev->peers[i].naids)
			return true;
	}
	return false;
}

static void print(const struct idtun_device *dev, enum show_mode mode, const char *field,
		  bool with_name, const struct format_opts *o, int level)
{
	struct format_opts named = *o;
	int error;

	if (mode == SHOW_PRETTY) {
		/* Names that cannot be read leave the numbers. */
		if (uses_identities(dev))
			named.names = netns_names(&error);
		format_pretty(stdout, dev, &named);
	} else if (mode == SHOW_FIELD) {
		format_field(stdout, dev, field, with_name);
	} else {
		format_json(stdout, dev, o, level);
	}
}

static int show_all(enum show_mode mode, const char *field, const struct format_opts *o)
{
	struct idtun_device dev;
	size_t n, i, shown = 0;
	char **names;
	int ret = 0;

	names = list_devices(&n);
	if (!names)
		return 1;
	if (mode == SHOW_JSON)
		fputc('[', stdout);
	for (i = 0; i < n; i++) {
		memset(&dev, 0, sizeof(dev));
		if (get_device(names[i], &dev)) {
			/* Gone since the listing, or not ours to read: the rest still count. */
			ret = 1;
			device_free(&dev);
			continue;
		}
		if (mode == SHOW_JSON)
			fputs(shown ? ",\n" : "\n", stdout);
		print(&dev, mode, field, true, o, 1);
		device_free(&dev);
		shown++;
		if (mode == SHOW_PRETTY && i + 1 < n)
			putchar('\n');
	}
	if (mode == SHOW_JSON)
		fputs(shown ? "\n]\n" : "]\n", stdout);
	free_names(names, n);
	return ret;
}

int show_main(int argc, char *argv[])
{
	const char *cmd = argv[0] ? argv[0] : "show", *args[2] = { NULL, NULL };
	enum show_mode mode = SHOW_PRETTY;
	struct idtun_device dev;
	struct format_opts o;
	char **names;
	int i, nargs = 0, ret;
	size_t n, j;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			mode = SHOW_JSON;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout, cmd);
			return 0;
		} else if (nargs < 2) {
			args[nargs++] = argv[i];
		} else {
			usage(stderr, cmd);
			return 1;
		}
	}
	if (args[1]) {
		if (mode == SHOW_JSON || !strcmp(args[0], "interfaces")) {
			usage(stderr, cmd);
			return 1;
		}
		if (!format_is_field(args[1])) {
			fprintf(stderr, "Invalid parameter: `%s'\n", args[1]);
			usage(stderr, cmd);
			return 1;
		}
		mode = SHOW_FIELD;
	}
	show_opts(&o);
	if (!args[0] || !strcmp(args[0], "all"))
		return show_all(mode, args[1], &o);
	if (!strcmp(args[0], "interfaces")) {
		names = list_devices(&n);
		if (!names)
			return 1;
		if (mode == SHOW_JSON) {
			fputc('[', stdout);
			for (j = 0; j < n; j++) {
				fputs(j ? ", " : "", stdout);
				format_json_string(stdout, names[j]);
			}
			fputs("]\n", stdout);
		} else {
			for (j = 0; j < n; j++)
				printf("%s%c", names[j], j + 1 < n ? ' ' : '\n');
		}
		free_names(names, n);
		return 0;
	}
	memset(&dev, 0, sizeof(dev));
	ret = get_device(args[0], &dev);
	if (!ret) {
		print(&dev, mode, args[1], false, &o, 0);
		if (mode == SHOW_JSON)
			putchar('\n');
	}
	device_free(&dev);
	return ret ? 1 : 0;
}
