#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for wg_crosscheck.sh, which holds the idtun tool's configuration
# parser and formatters against stock wg(8) without any kernel module, by
# standing in for a userspace WireGuard implementation's control socket
# (/var/run/wireguard/NAME.sock, the cross-platform UAPI).
#
#   wg_uapi.py serve SOCKET STATE LOG   answer gets with the text in STATE,
#                                       append set requests to LOG
#   wg_uapi.py state DUMP SHIFT         a golden `show dump` as UAPI get text,
#                                       handshakes moved SHIFT seconds
#   wg_uapi.py describe LOG             set requests in config_test's
#                                       .expect format
import base64
import os
import socket
import sys


def serve(path, state, log):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(5)
    while True:
        conn, _ = srv.accept()
        f = conn.makefile('rwb')
        first = f.readline().decode()
        lines = []
        while first:
            line = f.readline().decode()
            if line in ('\n', ''):
                break
            lines.append(line.rstrip('\n'))
        try:
            if first.startswith('set='):
                with open(log, 'a') as out:
                    out.write('\n'.join(lines) + '\n--\n')
                f.write(b'errno=0\n\n')
            elif first:
                with open(state) as s:
                    f.write(s.read().encode() + b'errno=0\n\n')
            f.flush()
        except OSError:
            pass  # wg probes the socket by connecting and hanging up
        conn.close()


def hexkey(b64):
    return base64.b64decode(b64).hex()


def state(dump, shift):
    lines = open(dump).read().splitlines()
    dev = lines[0].split('\t')
    out = ['private_key=' + hexkey(dev[1]), 'listen_port=' + dev[3],
           'fwmark=' + str(0 if dev[4] == 'off' else int(dev[4], 16))]
    for line in lines[1:]:
        pub, psk, ep, ips, hs, rx, tx, ka = line.split('\t')[1:]
        out.append('public_key=' + hexkey(pub))
        if psk != '(none)':
            out.append('preshared_key=' + hexkey(psk))
        if ep != '(none)':
            out.append('endpoint=' + ep)
        if int(hs):
            out.append('last_handshake_time_sec=%d' % (int(hs) + shift))
            out.append('last_handshake_time_nsec=0')
        out += ['rx_bytes=' + rx, 'tx_bytes=' + tx,
                'persistent_keepalive_interval=' + ('0' if ka == 'off' else ka)]
        if ips != '(none)':
            out += ['allowed_ip=' + ip for ip in ips.split(',')]
        out.append('protocol_version=1')
    print('\n'.join(out))


def describe(log):
    def key(h):
        return base64.b64encode(bytes.fromhex(h)).decode()
    dev, peers, cur = {}, [], None
    order = ['preshared-key', 'endpoint', 'persistent-keepalive', 'allowed-ip']
    names = {'preshared_key': 'preshared-key', 'endpoint': 'endpoint',
             'persistent_keepalive_interval': 'persistent-keepalive',
             'allowed_ip': 'allowed-ip'}
    for line in open(log).read().splitlines():
        if line == '--':
            continue
        k, v = line.split('=', 1)
        if k == 'public_key':
            cur = {'key': key(v), 'flags': [], 'lines': []}
            peers.append(cur)
        elif cur is None:
            dev[k] = v
        elif k == 'replace_allowed_ips':
            cur['flags'].append('replace-allowedips')
        else:
            cur['lines'].append((names[k], key(v) if k == 'preshared_key' else v))
    print('interface' + (' flags=replace-peers' if dev.get('replace_peers') else ''))
    if 'private_key' in dev:
        print('  private-key ' + key(dev['private_key']))
    if 'listen_port' in dev:
        print('  listen-port ' + dev['listen_port'])
    if 'fwmark' in dev:
        print('  fwmark 0x%x' % int(dev['fwmark']))
    for p in peers:
        print('peer ' + p['key'] + (' flags=' + ','.join(p['flags']) if p['flags'] else ''))
        for name, value in sorted(p['lines'], key=lambda x: order.index(x[0])):
            print('  %s %s' % (name, value))


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'serve':
        serve(*sys.argv[2:5])
    elif cmd == 'state':
        state(sys.argv[2], int(sys.argv[3]))
    elif cmd == 'describe':
        describe(sys.argv[2])
    else:
        sys.exit('usage: wg_uapi.py serve|state|describe ...')
