// SPDX-License-Identifier: GPL-2.0
/*
 * Per-peer timers. A timer is armed only inside an RCU-bh section that saw
 * the device running and the peer alive: removing a peer marks it dead,
 * waits for a grace period and then stops the timers, so none can be
 * re-armed behind it. Callbacks run in softirq context; anything that
 * needs to sleep is handed to a work item.
 */

#include "compat.h"
#include "device.h"
#include "peer.h"
#include "send.h"
#include "timers.h"

#include <linux/random.h>

static void mod_peer_timer(struct idtun_peer *peer, struct timer_list *timer,
			   unsigned long expires)
{
	rcu_read_lock_bh();
	if (likely(netif_running(peer->device->dev) &&
		   !READ_ONCE(peer->is_dead)))
		mod_timer(timer, expires);
	rcu_read_unlock_bh();
}

/* Up to a third of a second, so peers do not fall into lockstep. */
static unsigned long jitter(void)
{
	return get_random_u32() % (HZ / 3);
}

static void expired_retransmit_handshake(struct timer_list *t)
{
	struct idtun_peer *peer = idtun_from_timer(peer, t,
						   timer_retransmit_handshake);

	if (peer->timer_handshake_attempts > IDTUN_MAX_TIMER_HANDSHAKES) {
		net_dbg_ratelimited("%s: handshake not answered after %d attempts, giving up\n",
				    peer->device->dev->name,
				    IDTUN_MAX_TIMER_HANDSHAKES + 2);
		idtun_timer_delete(&peer->timer_send_keepalive);
		/* Nothing will carry the staged packets now. */
		skb_queue_purge(&peer->staged);
		if (!timer_pending(&peer->timer_zero_key_material))
			mod_peer_timer(peer, &peer->timer_zero_key_material,
				       jiffies + IDTUN_REJECT_AFTER_TIME * 3 * HZ);
		return;
	}
	++peer->timer_handshake_attempts;
	/* The source we used may be what went wrong: look again. */
	idtun_peer_clear_src(peer);
	idtun_send_handshake_initiation(peer, true);
}

static void expired_send_keepalive(struct timer_list *t)
{
	struct idtun_peer *peer = idtun_from_timer(peer, t,
						   timer_send_keepalive);

	idtun_send_keepalive(peer);
	if (peer->timer_need_another_keepalive) {
		peer->timer_need_another_keepalive = false;
		mod_peer_timer(peer, &peer->timer_send_keepalive,
			       jiffies + IDTUN_KEEPALIVE_TIMEOUT * HZ);
	}
}

static void expired_new_handshake(struct timer_list *t)
{
	struct idtun_peer *peer = idtun_from_timer(peer, t, timer_new_handshake);

	net_dbg_ratelimited("%s: no reply to our data for %d seconds, rekeying\n",
			    peer->device->dev->name,
			    IDTUN_KEEPALIVE_TIMEOUT + IDTUN_REKEY_TIMEOUT);
	idtun_peer_clear_src(peer);
	idtun_send_handshake_initiation(peer, false);
}

static void expired_zero_key_material(struct timer_list *t)
{
	struct idtun_peer *peer = idtun_from_timer(peer, t,
						   timer_zero_key_material);

	rcu_read_lock_bh();
	if (!READ_ONCE(peer->is_dead))
		queue_work(idtun_wq, &peer->clear_peer_work);
	rcu_read_unlock_bh();
}

static void expired_persistent_keepalive(struct timer_list *t)
{
	struct idtun_peer *peer = idtun_from_timer(peer, t,
						   timer_persistent_keepalive);

	if (peer->persistent_keepalive_interval)
		idtun_send_keepalive(peer);
}

void idtun_timers_init(struct idtun_peer *peer)
{
	timer_setup(&peer->timer_retransmit_handshake,
		    expired_retransmit_handshake, 0);
	timer_setup(&peer->timer_send_keepalive, expired_send_keepalive, 0);
	timer_setup(&peer->timer_new_handshake, expired_new_handshake, 0);
	timer_setup(&peer->timer_zero_key_material,
		    expired_zero_key_material, 0);
	timer_setup(&peer->timer_persistent_keepalive,
		    expired_persistent_keepalive, 0);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	peer->timer_need_another_keepalive = false;
}

/* Also called when the device goes down; timers re-arm once it is up. */
void idtun_timers_stop(struct idtun_peer *peer)
{
	idtun_timer_delete_sync(&peer->timer_retransmit_handshake);
	idtun_timer_delete_sync(&peer->timer_send_keepalive);
	idtun_timer_delete_sync(&peer->timer_new_handshake);
	idtun_timer_delete_sync(&peer->timer_zero_key_material);
	idtun_timer_delete_sync(&peer->timer_persistent_keepalive);
}

/* We sent data: expect an answer within KEEPALIVE + REKEY_TIMEOUT. */
void idtun_timers_data_sent(struct idtun_peer *peer)
{
	if (!timer_pending(&peer->timer_new_handshake))
		mod_peer_timer(peer, &peer->timer_new_handshake,
			       jiffies + (IDTUN_KEEPALIVE_TIMEOUT +
					  IDTUN_REKEY_TIMEOUT) * HZ + jitter());
}

/* We received data: answer with a keepalive if we send nothing else. */
void idtun_timers_data_received(struct idtun_peer *peer)
{
	if (likely(netif_running(peer->device->dev))) {
		if (!timer_pending(&peer->timer_send_keepalive))
			mod_peer_timer(peer, &peer->timer_send_keepalive,
				       jiffies + IDTUN_KEEPALIVE_TIMEOUT * HZ);
		else
			peer->timer_need_another_keepalive = true;
	}
}

void idtun_timers_any_authenticated_packet_sent(struct idtun_peer *peer)
{
	idtun_timer_delete(&peer->timer_send_keepalive);
}

void idtun_timers_any_authenticated_packet_received(struct idtun_peer *peer)
{
	idtun_timer_delete(&peer->timer_new_handshake);
}

void idtun_timers_handshake_initiated(struct idtun_peer *peer)
{
	mod_peer_timer(peer, &peer->timer_retransmit_handshake,
		       jiffies + IDTUN_REKEY_TIMEOUT * HZ + jitter());
}

void idtun_timers_handshake_complete(struct idtun_peer *peer)
{
	idtun_timer_delete(&peer->timer_retransmit_handshake);
	peer->timer_handshake_attempts = 0;
	peer->sent_lastminute_handshake = false;
	atomic64_set(&peer->last_handshake_ns, ktime_get_real_ns());
}

/* A new session: its keys are wiped if nothing replaces them in 9 min. */
void idtun_timers_session_derived(struct idtun_peer *peer)
{
	mod_peer_timer(peer, &peer->timer_zero_key_material,
		       jiffies + IDTUN_REJECT_AFTER_TIME * 3 * HZ);
}

void idtun_timers_any_authenticated_packet_traversal(struct idtun_peer *peer)
{
	u16 interval = READ_ONCE(peer->persistent_keepalive_interval);

	if (interval)
		mod_peer_timer(peer, &peer->timer_persistent_keepalive,
			       jiffies + interval * HZ);
}
