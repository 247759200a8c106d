/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _IDTUN_VERSION_H
#define _IDTUN_VERSION_H
#define IDTUN_VERSION "0.1.0"
#endif
