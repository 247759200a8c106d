/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _IDTUN_RECEIVE_H
#define _IDTUN_RECEIVE_H

#include <linux/workqueue.h>

void idtun_handshake_work(struct work_struct *work);

#endif /* _IDTUN_RECEIVE_H */
