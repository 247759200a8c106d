/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup paths as a binding names them: from the root of the caller's
 * cgroup namespace, as /proc/self/cgroup shows them
 * (/system.slice/foo.service). A directory on a cgroup2 mount
 * (/sys/fs/cgroup/system.slice/foo.service) is taken too and translated.
 */

#ifndef IDTUN_CGROUP_H
#define IDTUN_CGROUP_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Longest path the tool sends: a binding must fit in one request message
 * (the kernel itself takes IDTUN_CGROUP_PATH_MAX).
 */
#define CGROUP_PATH_LEN_MAX 4000

/*
 * The path to send for arg, in *out (malloc'd): a directory on a cgroup2
 * filesystem becomes its path from that mount's root, found in
 * /proc/self/mountinfo; anything else must already be an absolute path.
 * Trailing slashes go. False with err (len bytes) set on failure.
 */
bool cgroup_path(char **out, const char *arg, char *err, size_t len);

/*
 * The translation alone: the path of real (a canonical absolute path)
 * from the root of the cgroup2 mount holding it, read from mountinfo's
 * text; NULL if no cgroup2 mount holds it (or out of memory).
 */
char *cgroup_from_mountinfo(FILE *mountinfo, const char *real);

#endif
