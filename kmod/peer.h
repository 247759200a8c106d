/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _IDTUN_PEER_H
#define _IDTUN_PEER_H

#include <linux/list.h>

/* A WireGuard peer of one device. (Grows with the tunnel.) */
struct idtun_peer {
	/*
	 * The peer's allowed IPs (struct idtun_aip_node.peer_list), in the
	 * order they were added; protected by the device's update lock.
	 */
	struct list_head allowedips_list;
};

#endif /* _IDTUN_PEER_H */
