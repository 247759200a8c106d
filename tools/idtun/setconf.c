// SPDX-License-Identifier: GPL-2.0
/*
 * idtun setconf | addconf | syncconf <interface> <configuration file>...
 *
 * The files (a wg file and its idtun companion, say) are merged in order,
 * and the whole is parsed and checked (endpoints and identity names
 * resolved) before anything is sent. setconf replaces the configuration,
 * addconf adds to it, syncconf changes only what differs (sync.c),
 * keeping the sessions of kept peers and never flushing bindings or
 * rules. The names the files' [Identity] sections give are set last.
 */

#include "config.h"
#include "idtun.h"
#include "sync.h"

#include <linux/idtun.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool read_files(struct config_file *files, int n, char *paths[])
{
	char err[CONFIG_ERR_LEN];
	bool ok;
	FILE *f;
	int i;

	for (i = 0; i < n; i++) {
		f = fopen(paths[i], "r");
		if (!f) {
			fprintf(stderr, "%s: %s: %s\n", prog, paths[i], strerror(errno));
			return false;
		}
		ok = config_read(&files[i], f, paths[i], err);
		fclose(f);
		if (!ok) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return false;
		}
	}
	return true;
}

/*
 * Applies req, then the names. Without REPLACE_PEERS (addconf, syncconf) a
 * default that opens goes last, after the rules, however many messages
 * they take; setconf removes every peer in its first message, so nothing
 * passes until its last.
 */
static int apply(struct idtun_device *req, const struct idtun_names *names)
{
	struct idtun_device late = { 0 };
	int ret;

	if (!(req->flags & IDTUN_DEVICE_FLAGS_REPLACE_PEERS))
		sync_late_defaults(req, &late);
	ret = set_device(req);
	if (!ret && late.has)
		ret = set_device(&late);
	if (!ret)
		ret = set_names(names);
	device_free(&late);
	return ret ? 1 : 0;
}

int setconf_main(int argc, char *argv[])
{
	struct idtun_device file = { 0 }, current = { 0 }, req = { 0 };
	bool sync = !strcmp(argv[0], "syncconf");
	struct config_file *files = NULL;
	char err[CONFIG_ERR_LEN];
	int ret = 1, n = argc - 2, i;

	if (argc < 3) {
		fprintf(stderr, "Usage: %s %s <interface> <configuration filename> "
			"[<configuration filename>...]\n", prog, argv[0]);
		return 1;
	}
	if (!check_ifname(argv[1]))
		return 1;
	files = calloc((size_t)n, sizeof(*files));
	if (!files) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (!read_files(files, n, argv + 2))
		goto out;
	/* syncconf decides itself what a key the files leave out means. */
	if (!config_parse_files(&file, files, (size_t)n, sync || !strcmp(argv[0], "addconf"),
				&netns_resolver, err)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out;
	}
	snprintf(file.name, sizeof(file.name), "%s", argv[1]);
	if (!sync) {
		ret = apply(&file, &file.names);
		goto out;
	}
	if (get_full_device(argv[1], &current))
		goto out;
	if (sync_request(&req, &file, &current)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto out;
	}
	ret = apply(&req, &file.names);
out:
	for (i = 0; i < n; i++)
		config_file_free(&files[i]);
	free(files);
	device_free(&file);
	device_free(&current);
	device_free(&req);
	return ret;
}
