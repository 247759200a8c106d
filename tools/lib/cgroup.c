// SPDX-License-Identifier: GPL-2.0
/* cgroup paths for bindings; see cgroup.h. */

#include "cgroup.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

/* mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
static void unescape(char *s)
{
	char *in = s, *out = s;

	while (*in) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' &&
		    in[2] <= '7' && in[3] >= '0' && in[3] <= '7') {
			*out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 4;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
}

/* The length of mount if it is real or a directory above it, else 0. */
static size_t covers(const char *mount, const char *real)
{
	size_t n = strlen(mount);

	if (!strcmp(mount, "/"))
		return 1;
	if (strncmp(mount, real, n) || (real[n] && real[n] != '/'))
		return 0;
	return n;
}

char *cgroup_from_mountinfo(FILE *mountinfo, const char *real)
{
	char *line = NULL, *field[10], *p, *best_root = NULL, *out;
	size_t cap = 0, best = 0, n, i;
	const char *rest;
	bool sep;

	while (getline(&line, &cap, mountinfo) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		/* id parent dev root mountpoint options [optional...] - type source opts */
		for (i = 0, p = strtok(line, " "); p && i < 5; p = strtok(NULL, " "))
			field[i++] = p;
		if (i < 5)
			continue;
		for (sep = false; p && !sep; p = strtok(NULL, " "))
			sep = !strcmp(p, "-");
		if (!sep || !p || strcmp(p, "cgroup2"))
			continue;
		unescape(field[3]);
		unescape(field[4]);
		n = covers(field[4], real);
		if (n <= best)
			continue;
		free(best_root);
		best_root = malloc(strlen(field[3]) + strlen(real) + 2);
		if (!best_root)
			break;
		rest = !strcmp(field[4], "/") ? real : real + n;
		/* root + the rest below the mount point, without a double slash */
		snprintf(best_root, strlen(field[3]) + strlen(real) + 2, "%s%s",
			 strcmp(field[3], "/") || !*rest ? field[3] : "", rest);
		best = n;
	}
	free(line);
	out = best_root;
	return out;
}

bool cgroup_path(char **out, const char *arg, char *err, size_t len)
{
	struct statfs sf;
	char *real, *path = NULL;
	size_t n;
	FILE *f;

	*out = NULL;
	if (!statfs(arg, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC) {
		real = realpath(arg, NULL);
		f = fopen("/proc/self/mountinfo", "r");
		if (real && f)
			path = cgroup_from_mountinfo(f, real);
		if (f)
			fclose(f);
		free(real);
		if (!path) {
			snprintf(err, len, "cannot find the cgroup2 mount of '%s'", arg);
			return false;
		}
	} else if (arg[0] != '/') {
		snprintf(err, len, "invalid cgroup '%s' (a path like /proc/self/cgroup shows, "
			 "or a directory of the cgroup2 mount)", arg);
		return false;
	} else {
		path = strdup(arg);
		if (!path) {
			snprintf(err, len, "%s", strerror(ENOMEM));
			return false;
		}
	}
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	if (n > CGROUP_PATH_LEN_MAX) {
		snprintf(err, len, "cgroup path longer than %d characters", CGROUP_PATH_LEN_MAX);
		free(path);
		return false;
	}
	*out = path;
	return true;
}
