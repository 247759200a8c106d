// SPDX-License-Identifier: GPL-2.0
/*
 * idtun monitor [<interface>] [--json]
 *
 * Joins the audit multicast group and prints each event as one line, text
 * or JSON, flushed at once (readers are often pipes), until interrupted.
 */

#include "format.h"
#include "idtun.h"
#include "ipc.h"

#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Room for bursts: events arrive faster than a terminal takes them. */
#define MONITOR_RCVBUF (4 << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct monitor {
	const struct nl *nl;
	const char *ifname;	/* only this device's events, or NULL */
	bool json;
};

static void print_event(const struct monitor *m, const struct nlmsghdr *nlh)
{
	struct idtun_event ev;
	struct timespec now;

	if (nlh->nlmsg_type != m->nl->family || !ipc_event_parse(nlh, &ev))
		return;
	if (m->ifname && strcmp(ev.ifname, m->ifname))
		return;
	if (m->json) {
		/* The kernel's time of the verdict; older modules send none. */
		if (ev.time_ns) {
			now.tv_sec = ev.time_ns / 1000000000;
			now.tv_nsec = ev.time_ns % 1000000000;
		} else {
			clock_gettime(CLOCK_REALTIME, &now);
		}
		format_event_json(stdout, &ev, &now);
	} else {
		format_event(stdout, &ev);
	}
	fflush(stdout);
}

static int watch(const struct monitor *m)
{
	char *buf = m->nl->buf + MNL_SOCKET_BUFFER_SIZE;
	const struct nlmsghdr *nlh;
	ssize_t n;
	int left;

	while (!stop) {
		n = mnl_socket_recvfrom(m->nl->sock, buf, 32768);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			fprintf(stderr, "%s: monitor: events lost (receive buffer full)\n", prog);
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "%s: monitor: %s\n", prog, strerror(errno));
			return 1;
		}
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left))
			print_event(m, nlh);
	}
	return 0;
}

int monitor_main(int argc, char *argv[])
{
	struct monitor m = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	int i, ret, size = MONITOR_RCVBUF;
	struct nl nl;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && !m.json) {
			m.json = true;
		} else if (argv[i][0] != '-' && !m.ifname) {
			if (!check_ifname(argv[i]))
				return 1;
			m.ifname = argv[i];
		} else {
			fprintf(stderr, "Usage: %s %s [<interface>] [--json]\n", prog, argv[0]);
			return 1;
		}
	}
	if (open_idtun(&nl))
		return 1;
	m.nl = &nl;
	ret = nl_join_audit(&nl);
	if (ret == -ENOENT)
		fprintf(stderr, "%s: the idtun module has no \"%s\" multicast group\n", prog,
			IDTUN_MCGRP_AUDIT);
	else if (ret == -EPERM || ret == -EACCES)
		fprintf(stderr, "%s: joining the audit group needs CAP_NET_ADMIN: %s\n", prog,
			strerror(-ret));
	else if (ret)
		fprintf(stderr, "%s: joining the audit group: %s\n", prog, strerror(-ret));
	if (ret) {
		nl_close(&nl);
		return 1;
	}
	/* Best effort: the default buffer only loses more under bursts. */
	setsockopt(mnl_socket_get_fd(nl.sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = watch(&m);
	nl_close(&nl);
	return ret;
}
