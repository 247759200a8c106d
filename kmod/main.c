// SPDX-License-Identifier: GPL-2.0
/*
 * idtun: a WireGuard-compatible tunnel that labels each flow with the
 * identity of the workload that sent it. Module entry and exit.
 */

#include "device.h"
#include "keypair.h"
#include "names.h"
#include "netlink.h"
#include "noise.h"
#include "ratelimiter.h"
#include "version.h"

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <uapi/linux/idtun.h>

static int __init idtun_mod_init(void)
{
	int ret;

	idtun_noise_init();
	ret = idtun_keypair_crypto_init();
	if (ret)
		return ret;
	ret = idtun_ratelimiter_init();
	if (ret)
		goto err_uninit_crypto;
	ret = idtun_names_init();
	if (ret)
		goto err_uninit_ratelimiter;
	ret = idtun_device_init();
	if (ret)
		goto err_uninit_names;
	ret = idtun_genl_init();
	if (ret)
		goto err_uninit_device;
	pr_info("idtun " IDTUN_VERSION " loaded\n");
	return 0;

err_uninit_device:
	idtun_device_uninit();
err_uninit_names:
	idtun_names_uninit();
err_uninit_ratelimiter:
	idtun_ratelimiter_uninit();
err_uninit_crypto:
	idtun_keypair_crypto_uninit();
	return ret;
}

static void __exit idtun_mod_exit(void)
{
	idtun_genl_uninit();
	idtun_device_uninit();
	idtun_names_uninit();
	idtun_ratelimiter_uninit();
	idtun_keypair_crypto_uninit();
}

module_init(idtun_mod_init);
module_exit(idtun_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("WireGuard-compatible tunnel with workload identity labels");
MODULE_AUTHOR("The idtun authors");
MODULE_VERSION(IDTUN_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(IDTUN_FAMILY_NAME);
MODULE_SOFTDEP("pre: chacha20poly1305");
