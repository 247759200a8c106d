/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WireGuard's timer state machine (§6): events from the data path arm and
 * cancel per-peer timers; their expiry retransmits handshakes, sends
 * keepalives, starts rekeys and wipes stale keys.
 */

#ifndef _IDTUN_TIMERS_H
#define _IDTUN_TIMERS_H

struct idtun_peer;

void idtun_timers_init(struct idtun_peer *peer);
void idtun_timers_stop(struct idtun_peer *peer);

void idtun_timers_data_sent(struct idtun_peer *peer);
void idtun_timers_data_received(struct idtun_peer *peer);
void idtun_timers_any_authenticated_packet_sent(struct idtun_peer *peer);
void idtun_timers_any_authenticated_packet_received(struct idtun_peer *peer);
void idtun_timers_handshake_initiated(struct idtun_peer *peer);
void idtun_timers_handshake_complete(struct idtun_peer *peer);
void idtun_timers_session_derived(struct idtun_peer *peer);
void idtun_timers_any_authenticated_packet_traversal(struct idtun_peer *peer);

#endif /* _IDTUN_TIMERS_H */
