"""Crafted-capture test cases for datatrail (in the spirit of tcpdump's tests/TESTLIST).

CASES is a list of (name, build) pairs.  build() returns a dict:
  files   : [(filename, bytes)]   captures written into the work directory
  args    : [arg, ...]            extra command-line options (e.g. --local CIDR)
  inputs  : [filename or "-"]     the FILE arguments in order (default: every file); "-" reads
                                  the file named by 'stdin' from standard input
  stdin   : filename              fed to standard input
  flows   : [FLOW subset]         each must match one flow of `datatrail flows --debug-streams`
                                  (matched by proto + client/server ip:port; values compared
                                  exactly, dicts recursively as subsets, lists exactly)
  nflows  : int                   exact number of flows
  summary : {key: value}          subset of the report's "summary"
  rinputs : [input subset]        subset of each report "inputs" entry, in order
  exit    : int                   expected exit code of `datatrail report` (default 0)
  check   : f(report, flows) -> [error strings]   extra checks
  twice   : True                  run the report twice and require identical output
TSHARK_MALFORMED names the cases whose captures are broken on purpose (tshark complains).
Expected counters are computed from the packets generated here, not typed in by hand.
"""

import struct

import pcapgen as g

C4, S4 = "192.168.1.20", "203.0.113.7"
C6, S6 = "fd00::20", "2001:db8::7"
DNS4 = "192.168.1.1"
STEP = 1000000  # 1 ms between frames


def ts(ns, digits=6):
    import datetime

    sec, frac = divmod(ns, 10**9)
    d = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    if digits == 6:
        return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (frac // 1000)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % frac


def side(ip, port, local, cnt):
    return {"ip": ip, "port": port, "local": local, "packets": cnt["packets"],
            "bytes": cnt["bytes"], "payload": cnt["payload"]}


LOCAL_NETS = [g.ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
    "100.64.0.0/10", "::1/128", "fe80::/10", "fc00::/7")]


def is_local(a):
    """datatrail's default local rule: RFC 1918, loopback, link-local, ULA, CGNAT."""
    x = g.addr(a)
    return any(x.version == n.version and x in n for n in LOCAL_NETS)


def tls_session(cli=C4, srv=S4, cport=51000, sport=443, sni="vehicle.example.net",
                alpn=("h2", "http/1.1"), mss=1400, split=None, **kw):
    s = g.TcpSession(cli, srv, cport, sport, mss=mss, **kw)
    s.handshake()
    s.send("c2s", g.tls_client_hello(sni, alpn, split=split))
    s.send("s2c", g.tls_server_hello())
    s.send("c2s", g.tls_app_data(300))
    s.send("s2c", g.tls_app_data(900))
    s.close()
    return s


def tcp_expect(s, app=None, name=None, source=None, tunnel=None, syn=True, fin=True, rst=False,
               gaps=0, streams=True, t_first=None, t_last=None, digits=6, extra=None, local=None):
    c = s.counters()
    lc = is_local(s.cli) if local is None else local[0]
    ls = is_local(s.srv) if local is None else local[1]
    f = {"proto": "tcp",
         "client": side(s.cli, s.cport, lc, c["c2s"]),
         "server": side(s.srv, s.sport, ls, c["s2c"]),
         "tcp": {"syn": syn, "fin": fin, "rst": rst, "gaps": gaps},
         "tunnel": tunnel}
    if app:
        f["app"] = app
    if name is not None:
        f["server"]["name"] = name
        f["server"]["name_source"] = source
    if streams:
        f["streams"] = {"c2s": s.stream("c2s").hex(), "s2c": s.stream("s2c").hex()}
    if t_first is not None:
        f["first_seen"] = ts(t_first, digits)
    if t_last is not None:
        f["last_seen"] = ts(t_last, digits)
    if extra:
        f.update(extra)
    return f


def tls_expect(s, sni="vehicle.example.net", alpn=("h2", "http/1.1"), **kw):
    ex = {"tls": {"sni": sni, "alpn": list(alpn)}}
    ex.update(kw.pop("extra", {}))
    return tcp_expect(s, "tls", sni, "tls_sni", extra=ex, **kw)


def recs(frames, t0=g.T0_NS, iface=0):
    return g.timed(frames, t0, STEP, iface)


def pcap(name, frames, linktype=g.LINKTYPE_ETHERNET, **kw):
    return (name, g.write_pcap(recs(frames), linktype, **kw))


def link_case(wrap, linktype, v6=False, tunnel=None, bad=(), extra=None):
    """A TLS session framed by wrap(ip_packet) in a capture of linktype; then the frames of
    bad, [(reason, frame)], each counted as malformed under its reason."""
    s = tls_session(C6, S6) if v6 else tls_session()
    frames = [wrap(p) for _, p in s.ip_packets()]
    n = len(frames)
    reasons = {}
    for r, _ in bad:
        reasons[r] = reasons.get(r, 0) + 1
    summary = {"packets": n + len(bad), "flows": 1, "tcp_flows": 1, "udp_flows": 0,
               "malformed": len(bad), "not_ip": 0}
    if bad:
        summary["malformed_by_reason"] = reasons
    if tunnel:
        summary["tunneled_packets"] = {tunnel: n}
    return {"files": [pcap("cap.pcap", frames + [f for _, f in bad], linktype)],
            "flows": [tls_expect(s, tunnel=tunnel, t_first=g.T0_NS,
                                 t_last=g.T0_NS + (n - 1) * STEP, extra=extra or {})],
            "nflows": 1,
            "summary": summary}


# ------------------------------------------------------------------ link layers

def c_eth():
    return link_case(g.eth_for, g.LINKTYPE_ETHERNET)


def c_eth_ipv6():
    return link_case(g.eth_for, g.LINKTYPE_ETHERNET, v6=True)


def c_vlan():
    return link_case(lambda p: g.eth_for(p, vlans=[100]), g.LINKTYPE_ETHERNET)


def c_qinq():
    return link_case(lambda p: g.eth_for(p, vlans=[100], qinq=200), g.LINKTYPE_ETHERNET)


def c_mpls():
    return link_case(lambda p: g.eth(g.mpls(p, [1000, 2000]), g.ETH_MPLS), g.LINKTYPE_ETHERNET)


def c_pppoe():
    return link_case(lambda p: g.eth(g.pppoe_session(p), g.ETH_PPPOE), g.LINKTYPE_ETHERNET)


def c_pppoe_v6():
    return link_case(lambda p: g.eth(g.pppoe_session(p), g.ETH_PPPOE), g.LINKTYPE_ETHERNET, True)


def c_sll():
    return link_case(g.sll, g.LINKTYPE_LINUX_SLL)


def c_sll2():
    return link_case(g.sll2, g.LINKTYPE_LINUX_SLL2)


def c_sll2_v6():
    return link_case(g.sll2, g.LINKTYPE_LINUX_SLL2, True)


def c_raw4():
    return link_case(lambda p: p, g.LINKTYPE_RAW)


def c_raw6():
    return link_case(lambda p: p, g.LINKTYPE_RAW, True)


def c_null_le():
    return link_case(g.null, g.LINKTYPE_NULL)


def c_null_be():
    return link_case(lambda p: g.null(p, True), g.LINKTYPE_NULL)


def c_null_v6_af24():
    return link_case(lambda p: g.null(p, af=24), g.LINKTYPE_NULL, True)


def c_loop():
    return link_case(lambda p: g.null(p, True), g.LINKTYPE_LOOP)


def c_ppp():
    return link_case(g.ppp, g.LINKTYPE_PPP)


def c_wifi():
    return link_case(g.wifi_data, g.LINKTYPE_IEEE802_11)


def c_wifi_qos():
    return link_case(lambda p: g.wifi_data(p, qos=True), g.LINKTYPE_IEEE802_11)


def c_radiotap():
    return link_case(lambda p: g.radiotap(g.wifi_data(p, qos=True)),
                     g.LINKTYPE_IEEE802_11_RADIOTAP)


# ------------------------------------------------------------------ tunnels

OUT_A, OUT_B = "198.51.100.1", "198.51.100.2"


def c_gre():
    return link_case(lambda p: g.eth_for(g.ipv4(OUT_A, OUT_B, g.GRE, g.gre(p, key=7, seq=1))),
                     g.LINKTYPE_ETHERNET, tunnel="gre")


def c_gre_plain_v6inner():
    return link_case(lambda p: g.eth_for(g.ipv4(OUT_A, OUT_B, g.GRE, g.gre(p))),
                     g.LINKTYPE_ETHERNET, True, tunnel="gre")


def c_vxlan():
    def wrap(p):
        inner = g.eth_for(p, src=g.MAC_C, dst=g.MAC_B)
        return g.eth_for(g.udp_ip(OUT_A, OUT_B, 49152, 4789, g.vxlan(inner)))
    return link_case(wrap, g.LINKTYPE_ETHERNET, tunnel="vxlan")


def c_gtpu():
    return link_case(lambda p: g.eth_for(g.udp_ip(OUT_A, OUT_B, 2152, 2152, g.gtpu(p))),
                     g.LINKTYPE_ETHERNET, tunnel="gtp-u")


def c_gtpu_noext():
    return link_case(lambda p: g.eth_for(g.udp_ip(OUT_A, OUT_B, 2152, 2152, g.gtpu(p, ext=False))),
                     g.LINKTYPE_ETHERNET, tunnel="gtp-u")


def c_ipip():
    return link_case(lambda p: g.eth_for(g.ipv4(OUT_A, OUT_B, g.IPIP, p)), g.LINKTYPE_ETHERNET,
                     tunnel="ipip")


def c_6in4():
    return link_case(lambda p: g.eth_for(g.ipv4(OUT_A, OUT_B, g.IPV6, p)), g.LINKTYPE_ETHERNET,
                     True, tunnel="6in4")


# -------------------------------------- tunnels of issue 15 (each with a malformed variant)

def c_geneve():
    def inner(p):
        return g.eth_for(p, src=g.MAC_C, dst=g.MAC_B)
    opts = g.geneve_option() + g.geneve_option(data=b"\1" * 8)
    bad = [("geneve_header_short", g.eth_for(g.udp_ip(OUT_A, OUT_B, 49152, 6081, b"\0\0\x65"))),
           ("geneve_header_short",  # options announced longer than the packet
            g.eth_for(g.udp_ip(OUT_A, OUT_B, 49152, 6081, g.geneve(b"", options=bytes(4))[:8]
                                + b"\0" * 2))),
           ("geneve_bad_version", g.eth_for(g.udp_ip(OUT_A, OUT_B, 49152, 6081,
                                                     g.geneve(b"\0" * 40, version=1))))]
    bad[1] = ("geneve_header_short", g.eth_for(g.udp_ip(OUT_A, OUT_B, 49152, 6081,
                                                        bytes([0x3F]) + g.geneve(b"")[1:])))
    return link_case(lambda p: g.eth_for(g.udp_ip(OUT_A, OUT_B, 49152, 6081,
                                                  g.geneve(inner(p), options=opts))),
                     g.LINKTYPE_ETHERNET, tunnel="geneve", bad=bad)


def c_geneve_ip_v6():
    # Geneve carrying IPv6 directly (protocol type 0x86dd), over IPv6
    return link_case(lambda p: g.eth_for(g.udp_ip("2001:db8:ff::1", "2001:db8:ff::2", 40000,
                                                  6081, g.geneve(p, proto=g.ETH_IPV6))),
                     g.LINKTYPE_ETHERNET, True, tunnel="geneve")


def _erspan_frame(inner, **kw):
    return g.eth_for(g.ipv4(OUT_A, OUT_B, g.GRE, g.erspan(inner, **kw)))


def c_erspan_type1():
    return link_case(lambda p: _erspan_frame(g.eth_for(p, src=g.MAC_C), kind=1),
                     g.LINKTYPE_ETHERNET, tunnel="erspan")


def c_erspan_type2():
    e = g.eth_for(g.udp_ip(C4, S4, 1, 2, b"x"))
    bad = [("erspan_header_short", _erspan_frame(b"", kind=2)[:-4]),
           ("erspan_bad_version", _erspan_frame(e, kind=2, version=2))]
    return link_case(lambda p: _erspan_frame(g.eth_for(p, src=g.MAC_C), kind=2),
                     g.LINKTYPE_ETHERNET, tunnel="erspan", bad=bad)


def c_erspan_type3():
    e = g.eth_for(g.udp_ip(C4, S4, 1, 2, b"x"))
    bad = [("erspan_header_short", _erspan_frame(b"", kind=3)[:-2]),
           ("erspan_header_short", _erspan_frame(b"", kind=3, subheader=True)[:-4]),
           ("erspan_bad_version", _erspan_frame(e, kind=3, version=1))]
    return link_case(lambda p: _erspan_frame(g.eth_for(p, src=g.MAC_C), kind=3, subheader=True),
                     g.LINKTYPE_ETHERNET, tunnel="erspan", bad=bad)


def c_erspan_type3_ip():
    # ERSPAN III frame type 2: the mirrored IP packet without its Ethernet header
    return link_case(lambda p: _erspan_frame(p, kind=3, ip_payload=True), g.LINKTYPE_ETHERNET,
                     True, tunnel="erspan")


def c_nvgre():
    # NVGRE: GRE with the key bit (virtual subnet id << 8 | flow id) and Ethernet inside
    bad = [("gre_header_short", g.eth_for(g.ipv4(OUT_A, OUT_B, g.GRE,
                                                  g.gre(b"", proto=g.ETH_TEB, key=1)[:6]))),
           ("eth_header_short", g.eth_for(g.ipv4(OUT_A, OUT_B, g.GRE,
                                                 g.gre(b"\2" * 9, proto=g.ETH_TEB, key=1))))]
    return link_case(lambda p: g.eth_for(g.ipv4(OUT_A, OUT_B, g.GRE, g.gre(
        g.eth_for(p, src=g.MAC_C), proto=g.ETH_TEB, key=0x123456 << 8 | 7))),
        g.LINKTYPE_ETHERNET, tunnel="gre", bad=bad)


def c_l2tpv2():
    bad = [("l2tp_header_short", g.eth_for(g.udp_ip(OUT_A, OUT_B, 1701, 1701,
                                                    g.l2tpv2(b"")[:5]))),
           ("l2tp_header_short", g.eth_for(g.udp_ip(OUT_A, OUT_B, 1701, 1701,
                                                    g.l2tpv2(b"", offset=40)[:12])))]
    return link_case(lambda p: g.eth_for(g.udp_ip(OUT_A, OUT_B, 1701, 1701,
                                                  g.l2tpv2(g.ppp(p), seq=True, offset=2))),
                     g.LINKTYPE_ETHERNET, tunnel="l2tp", bad=bad)


def c_l2tpv2_control_is_udp():
    # an L2TP control message (T bit) is the UDP flow itself, not a tunnel
    ctl = g.l2tpv2(b"\x80\x08\x00\x00\x00\x00\x00\x01", control=True)
    frames = [g.eth_for(g.udp_ip(OUT_A, OUT_B, 1701, 1701, ctl))]
    return {"files": [pcap("cap.pcap", frames)], "nflows": 1,
            "flows": [{"proto": "udp", "tunnel": None, "client": {"ip": OUT_A, "port": 1701},
                       "server": {"ip": OUT_B, "port": 1701}}],
            "summary": {"malformed": 0}}


def c_l2tpv3_ip_cookie():
    # over IP (protocol 115) with an 8-byte cookie and the default L2-specific sublayer:
    # the Ethernet frame is found at offset 12
    bad = [("l2tp_header_short", g.eth_for(g.ipv4(OUT_A, OUT_B, g.L2TP, b"\0\0")))]
    return link_case(lambda p: g.eth_for(g.ipv4(OUT_A, OUT_B, g.L2TP, g.l2tpv3(
        g.eth_for(p, src=g.MAC_C), cookie=b"\xc0\x0c\x1e\x00\xba\xbe\x00\x01",
        sublayer=True))), g.LINKTYPE_ETHERNET, tunnel="l2tp", bad=bad)


def c_l2tpv3_udp():
    bad = [("l2tp_header_short", g.eth_for(g.udp_ip(OUT_A, OUT_B, 1701, 1701,
                                                    b"\0\x03\0\0\0\0")))]
    return link_case(lambda p: g.eth_for(g.udp_ip(OUT_A, OUT_B, 1701, 1701, g.l2tpv3(
        g.eth_for(p, src=g.MAC_C), cookie=b"\x01\x02\x03\x04", udp=True))),
        g.LINKTYPE_ETHERNET, tunnel="l2tp", bad=bad)


def c_l2tpv3_ip_raw_ip():
    # an IP pseudowire: the IP packet right after the session id
    return link_case(lambda p: g.eth_for(g.ipv4(OUT_A, OUT_B, g.L2TP, g.l2tpv3(p))),
                     g.LINKTYPE_ETHERNET, True, tunnel="l2tp")


def c_teredo():
    bad = [("teredo_header_short", g.eth_for(g.udp_ip(OUT_A, OUT_B, 3544, 40000,
                                                      g.teredo(b"", auth=True)[:10]))),
           ("teredo_header_short", g.eth_for(g.udp_ip(OUT_A, OUT_B, 3544, 40000,
                                                      g.teredo(b"", origin=True)[:6])))]
    return link_case(lambda p: g.eth_for(g.udp_ip(OUT_A, OUT_B, 40000, 3544,
                                                  g.teredo(p, origin=True))),
                     g.LINKTYPE_ETHERNET, True, tunnel="teredo", bad=bad)


def c_teredo_bubble_is_udp():
    # a bubble (IPv6, no next header) and an ICMPv6 router solicitation with the
    # authentication indicator: Teredo's own signalling, the UDP flow to the Teredo server
    bubble = g.ipv6("2001:0:c000:201::1", "2001:0:c000:201::2", 59, b"")
    rs = g.ipv6("fe80::8000:ffff:ffff:fffe", "ff02::2", g.ICMPV6, b"\x85\0\0\0\0\0\0\0")
    frames = [g.eth_for(g.udp_ip(C4, OUT_B, 40000, 3544, g.teredo(bubble))),
              g.eth_for(g.udp_ip(C4, OUT_B, 40000, 3544, g.teredo(rs, auth=True)))]
    return {"files": [pcap("cap.pcap", frames)], "nflows": 1,
            "flows": [{"proto": "udp", "tunnel": None, "client": {"ip": C4, "port": 40000,
                                                                  "packets": 2},
                       "server": {"ip": OUT_B, "port": 3544}}],
            "summary": {"malformed": 0, "tunneled_packets": {}}}


def c_teredo_auth():
    return link_case(lambda p: g.eth_for(g.udp_ip(OUT_A, OUT_B, 3544, 40000,
                                                  g.teredo(p, auth=True, origin=True))),
                     g.LINKTYPE_ETHERNET, True, tunnel="teredo")


# -------------------------------------------- link types of issue 15 (with malformed frames)

def _v4():
    return g.ipv4(C4, S4, g.UDP, g.udp(C4, S4, 1, 2, b"x" * 20))


def c_link_slip():
    return link_case(g.slip, g.LINKTYPE_SLIP, bad=[("slip_header_short", g.slip(b"")[:9])])


def c_link_fddi():
    return link_case(g.fddi, g.LINKTYPE_FDDI, bad=[("fddi_header_short", g.fddi(b"")[:9]),
                                                   ("llc_header_short", g.fddi(b"")[:15])])


def c_link_chdlc_v6():
    return link_case(g.c_hdlc, g.LINKTYPE_C_HDLC, True,
                     bad=[("chdlc_header_short", g.c_hdlc(b"")[:3])])


def c_link_frelay_nlpid():
    return link_case(g.frelay, g.LINKTYPE_FRELAY,
                     bad=[("frelay_header_short", g.frelay(b"")[:3]),
                          ("frelay_bad_address", b"\x18\x40\x40\x40\x40\x03\xcc" + _v4())])


def c_link_frelay_snap_v6():
    return link_case(lambda p: g.frelay(p, "snap"), g.LINKTYPE_FRELAY, True,
                     bad=[("frelay_header_short", g.frelay(b"", "snap")[:7])])


def c_link_frelay_cisco():
    return link_case(lambda p: g.frelay(p, "cisco"), g.LINKTYPE_FRELAY)


def c_link_with_dir():
    # PPP, Cisco HDLC and Frame Relay after a direction byte: three inputs
    s = tls_session()
    pk = [p for _, p in s.ip_packets()]
    files = [pcap("ppp.pcap", [g.with_dir(g.ppp(p)) for p in pk], g.LINKTYPE_PPP_WITH_DIR),
             pcap("chdlc.pcap", [g.with_dir(g.c_hdlc(p)) for p in pk],
                  g.LINKTYPE_C_HDLC_WITH_DIR),
             pcap("fr.pcap", [g.with_dir(g.frelay(p)) for p in pk], g.LINKTYPE_FRELAY_WITH_DIR)]
    return {"files": files, "nflows": 3,
            "rinputs": [{"link_types": ["PPP_WITH_DIR"]}, {"link_types": ["C_HDLC_WITH_DIR"]},
                        {"link_types": ["FRELAY_WITH_DIR"]}],
            "summary": {"packets": 3 * len(pk), "malformed": 0, "not_ip": 0, "flows": 3,
                        "unsupported_link_types": {}}}


def c_link_arcnet():
    return link_case(g.arcnet_linux, g.LINKTYPE_ARCNET_LINUX,
                     bad=[("arcnet_header_short", g.arcnet_linux(b"")[:4]),
                          ("arcnet_header_short", g.arcnet_linux(b"", exception=True)[:10])])


def c_link_arcnet_v6_exception():
    return link_case(lambda p: g.arcnet_linux(p, exception=True), g.LINKTYPE_ARCNET_LINUX, True)


def c_link_arcnet_rfc1051():
    return link_case(lambda p: g.arcnet_linux(p, rfc1051=True), g.LINKTYPE_ARCNET_LINUX)


def c_link_ipnet():
    return link_case(g.ipnet, g.LINKTYPE_IPNET, bad=[("ipnet_header_short", g.ipnet(b"")[:20]),
                                                     ("ipnet_bad_version", g.ipnet(_v4(), 2))])


def c_link_ipnet_v6():
    return link_case(g.ipnet, g.LINKTYPE_IPNET, True)


def c_link_ipoib():
    return link_case(g.ipoib, g.LINKTYPE_IPOIB, bad=[("ipoib_header_short", g.ipoib(b"")[:43])])


def c_link_ipoib_v6():
    return link_case(g.ipoib, g.LINKTYPE_IPOIB, True)


def c_link_nflog():
    bad = [("nflog_header_short", b"\x02\x00\x00"),
           ("nflog_bad_version", b"\x02\x01\x00\x00" + g.nflog(_v4())[4:]),
           ("nflog_tlv_short", g.nflog(_v4())[:10]),
           ("nflog_bad_tlv", b"\x02\x00\x00\x00\x02\x00\x09\x00" + _v4())]
    return link_case(lambda p: g.nflog(p, uid=1000), g.LINKTYPE_NFLOG, bad=bad)


def c_link_nflog_v6_big_endian():
    # TLV lengths and types written by a big-endian host (as a pcapng keeps them)
    s = tls_session(C6, S6)
    frames = [g.nflog(p, big_endian=True) for _, p in s.ip_packets()]
    rs = recs(frames)
    return {"files": [("cap.pcapng", g.write_pcapng(rs, ifaces=((g.LINKTYPE_NFLOG, 6),),
                                                    big_endian=True))],
            "nflows": 1, "flows": [tls_expect(s, streams=False)],
            "summary": {"packets": len(frames), "malformed": 0, "not_ip": 0}}


def c_link_pktap_ethernet():
    bad = [("pktap_header_short", g.pktap(b"")[:8]),
           ("pktap_header_short", g.pktap(b"")[:100]),
           ("pktap_bad_header", g.pktap(g.eth_for(_v4()), length=60))]
    return link_case(lambda p: g.pktap(g.eth_for(p)), g.LINKTYPE_PKTAP, bad=bad,
                     extra={"process": {"name": "Safari", "pid": 321}})


def c_link_pktap_null_v6():
    # utun interfaces: DLT_NULL inside PKTAP; the effective process differs from the process
    return link_case(lambda p: g.pktap(g.null(p, af=30), dlt=0, pid=88, comm=b"nsurlsessiond",
                                       epid=4242, ecomm=b"Maps"), g.LINKTYPE_PKTAP, True,
                     extra={"process": {"name": "Maps", "pid": 4242}})


def c_link_pktap_pktap_unsupported():
    # PKTAP inside PKTAP is refused (as PPI inside PPI): no flow, nothing malformed
    frames = [g.pktap(g.pktap(g.eth_for(_v4())), dlt=258)]
    return {"files": [pcap("cap.pcap", frames, g.LINKTYPE_PKTAP)], "nflows": 0,
            "summary": {"packets": 1, "malformed": 0, "not_ip": 0}}


def c_link_dsa_brcm():
    return link_case(lambda p: g.dsa_tagged(p, g.BRCM_TAG), g.LINKTYPE_DSA_TAG_BRCM,
                     bad=[("dsa_tag_short", (g.MAC_B + g.MAC_A + g.BRCM_TAG)[:14])])


def c_link_dsa_brcm_prepend():
    return link_case(lambda p: g.dsa_tagged(p, g.BRCM_TAG, prepend=True),
                     g.LINKTYPE_DSA_TAG_BRCM_PREPEND, bad=[("dsa_tag_short", b"\x20\x00")])


def c_link_dsa_marvell():
    return link_case(lambda p: g.dsa_tagged(p, g.MARVELL_DSA_TAG), g.LINKTYPE_DSA_TAG_DSA, True,
                     bad=[("dsa_tag_short", g.MAC_B + g.MAC_A + b"\xc0")])


def c_link_dsa_marvell_edsa():
    return link_case(lambda p: g.dsa_tagged(p, g.MARVELL_EDSA_TAG), g.LINKTYPE_DSA_TAG_EDSA,
                     bad=[("dsa_tag_short", g.MAC_B + g.MAC_A + g.MARVELL_EDSA_TAG[:5])])


def c_pcapdroid_trailer():
    return link_case(g.pcapdroid, g.LINKTYPE_ETHERNET,
                     extra={"process": {"name": "com.example.app", "uid": 10123}})


def c_processes_table():
    # two apps in a PCAPdroid capture and two processes in a PKTAP capture: the report's
    # processes table (by name: ids, bytes, flows, countries) and each flow's process
    a = tls_session(cport=51000, sni="a.example.net")
    b = tls_session(cport=51001, sni="b.example.net")
    c = tls_session(cport=51002, sni="c.example.net")
    d = tls_session(cport=51003, sni="d.example.net")
    droid = [g.pcapdroid(p, uid=10100, app=b"com.maps") for _, p in a.ip_packets()] + \
        [g.pcapdroid(p, uid=10200, app=b"com.weather.forecast") for _, p in b.ip_packets()]
    mac = [g.pktap(g.eth_for(p), pid=501, comm=b"Safari") for _, p in c.ip_packets()] + \
        [g.pktap(g.eth_for(p), pid=502, comm=b"Safari") for _, p in d.ip_packets()]
    up = {n: s.counters()["c2s"]["bytes"] for n, s in (("a", a), ("b", b), ("c", c), ("d", d))}
    down = {n: s.counters()["s2c"]["bytes"] for n, s in (("a", a), ("b", b), ("c", c), ("d", d))}
    want = sorted([
        {"name": "Safari", "pids": [501, 502], "uids": [], "bytes_up": up["c"] + up["d"],
         "bytes_down": down["c"] + down["d"], "flows": 2, "countries": []},
        {"name": "com.maps", "pids": [], "uids": [10100], "bytes_up": up["a"],
         "bytes_down": down["a"], "flows": 1, "countries": []},
        {"name": "com.weather.forecast", "pids": [], "uids": [10200], "bytes_up": up["b"],
         "bytes_down": down["b"], "flows": 1, "countries": []}],
        key=lambda r: (-r["bytes_up"], r["name"]))

    def check(rep, flows):
        got = rep.get("processes")
        errs = [] if got == want else ["processes %s, want %s" % (got, want)]
        procs = {f["client"]["port"]: f.get("process") for f in flows}
        if procs != {51000: {"name": "com.maps", "uid": 10100},
                     51001: {"name": "com.weather.forecast", "uid": 10200},
                     51002: {"name": "Safari", "pid": 501}, 51003: {"name": "Safari", "pid": 502}}:
            errs.append("flow processes %s" % procs)
        return errs
    return {"files": [pcap("droid.pcap", droid), pcap("mac.pcap", mac, g.LINKTYPE_PKTAP)],
            "args": ["--no-geo"], "nflows": 4, "check": check}


def c_no_process_no_table():
    # captures without process metadata have neither flow.process nor a processes table
    s = tls_session()
    def check(rep, flows):
        return (["processes table"] if "processes" in rep else []) + \
            (["flow process"] if any("process" in f for f in flows) else [])
    return {"files": [pcap("cap.pcap", [g.eth_for(p) for _, p in s.ip_packets()])],
            "nflows": 1, "check": check}


# ------------------------------------------------------------------ IP options / extensions

def c_ipv4_options():
    s = tls_session()
    kw = {"options": g.ip_opt_rr(2) + g.ip_opt_router_alert()}
    frames = [g.eth_for(p) for _, p in s.ip_packets(**kw)]
    f = tls_expect(s)
    c = s.counters(kw)
    f["client"]["bytes"], f["server"]["bytes"] = c["c2s"]["bytes"], c["s2c"]["bytes"]
    return {"files": [pcap("cap.pcap", frames)], "flows": [f], "nflows": 1,
            "summary": {"malformed": 0}}


def c_ipv6_ext_headers():
    s = tls_session(C6, S6)
    kw = {"ext": [g.ext_hbh(), g.ext_dstopts(), g.ext_routing(S6)]}
    out = []
    for seg, _ in s.ip_packets():
        src, dst = (s.cli, s.srv) if seg.dir == "c2s" else (s.srv, s.cli)
        ext = [g.ext_hbh(), g.ext_dstopts(), g.ext_routing(dst)]
        out.append(g.eth_for(g.ipv6(src, dst, g.TCP, s.l4(seg), ext=ext)))
    f = tls_expect(s)
    c = s.counters(kw)  # same header sizes in both directions
    f["client"]["bytes"], f["server"]["bytes"] = c["c2s"]["bytes"], c["s2c"]["bytes"]
    return {"files": [pcap("cap.pcap", out)], "flows": [f], "nflows": 1,
            "summary": {"malformed": 0}}


# ------------------------------------------------------------------ fragments

BIG_NAME = "frag.example.org"
# a long CNAME target makes the response big enough for three fragments
BIG_CNAME = ".".join(["x" * 60, "y" * 60, "z" * 60, "cdn.example.net"])
BIG_ADDRS = ["203.0.113.%d" % i for i in range(1, 13)]


def _big_dns(v6=False):
    t = "AAAA" if v6 else "A"
    q = g.dns_query(0x1111, BIG_NAME, t)
    addrs = ["2001:db8::%x" % i for i in range(1, 13)] if v6 else BIG_ADDRS
    r = g.dns_response(0x1111, BIG_NAME, t, g.dns_chain(BIG_NAME, [BIG_CNAME], addrs, t, 60))
    assert len(r) + 8 > 330
    return q, r, addrs


def frag_case(v6, order, drop=None, overlap=False):
    cli, srv = (C6, "2001:db8::53") if v6 else (C4, "198.51.100.53")
    q, r, addrs = _big_dns(v6)
    l4 = g.udp(srv, cli, 53, 40000, r)
    pieces = [(0, 160), (160, 160), (320, len(l4) - 320)]
    if overlap:
        pieces = [(0, 160), (120, 200), (320, len(l4) - 320)]  # same bytes overlap
    pieces = [pieces[i] for i in order if i != drop]
    fr = (g.ipv6_fragments(srv, cli, g.UDP, l4, pieces) if v6
          else g.ipv4_fragments(srv, cli, g.UDP, l4, pieces))
    frames = [g.eth_for(g.udp_ip(cli, srv, 40000, 53, q))] + [g.eth_for(f) for f in fr]
    nfr = len(fr)
    d = {"files": [pcap("cap.pcap", frames)],
         "summary": {"packets": len(frames), "fragments": nfr,
                     "fragments_reassembled": 0 if drop is not None else 1,
                     "fragments_incomplete": 1 if drop is not None else 0}}
    flow = {"proto": "udp", "app": "dns", "tcp": None,
            "client": {"ip": cli, "port": 40000, "packets": 1, "payload": len(q)},
            "server": {"ip": srv, "port": 53}}
    if drop is None:
        flow["server"].update({"packets": 1, "payload": len(r),
                               "bytes": len(l4) + (40 if v6 else 20)})
        flow["dns"] = [{"name": BIG_NAME, "type": "AAAA" if v6 else "A", "rcode": "NOERROR",
                        "answers": addrs, "cname_chain": [BIG_NAME, BIG_CNAME]}]
    else:
        flow["server"].update({"packets": 0, "payload": 0, "bytes": 0})
    d["flows"] = [flow]
    return d


def c_frag4_inorder():
    return frag_case(False, [0, 1, 2])


def c_frag4_outoforder():
    return frag_case(False, [2, 0, 1])


def c_frag4_overlap():
    return frag_case(False, [0, 1, 2], overlap=True)


def c_frag4_incomplete():
    return frag_case(False, [0, 1, 2], drop=1)


def c_frag6_inorder():
    return frag_case(True, [0, 1, 2])


def c_frag6_outoforder():
    return frag_case(True, [1, 2, 0])


def c_frag6_incomplete():
    return frag_case(True, [0, 1, 2], drop=2)


def c_frag4_overlap_different():
    # Overlapping fragments with different bytes: only survival and counting are checked.
    cli, srv = C4, "198.51.100.53"
    _, r, _ = _big_dns()
    l4 = g.udp(srv, cli, 53, 40000, r)
    pieces = [(0, 160), (120, 200), (320, len(l4) - 320)]
    fr = g.ipv4_fragments(srv, cli, g.UDP, l4, pieces, override={1: b"\xee" * 200})
    return {"files": [pcap("cap.pcap", [g.eth_for(f) for f in fr])],
            "summary": {"packets": 3, "fragments": 3}}


# ------------------------------------------------------------------ ICMP / not IP

def c_icmp():
    frames = [g.eth_for(g.ipv4(C4, S4, g.ICMP, g.icmp_echo(seq=i))) for i in range(3)]
    frames += [g.eth_for(g.ipv6(C6, S6, g.ICMPV6, g.icmp6_echo(C6, S6, seq=i))) for i in range(2)]
    return {"files": [pcap("cap.pcap", frames)], "nflows": 0,
            "summary": {"packets": 5, "icmp_packets": 3, "icmp6_packets": 2, "flows": 0,
                        "tcp_flows": 0, "udp_flows": 0}}


def c_not_ip_arp():
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + g.MAC_A + g.addr(C4).packed + bytes(6) \
        + g.addr(DNS4).packed
    frames = [g.eth(arp, g.ETH_ARP, dst=b"\xff" * 6), g.eth(arp, g.ETH_ARP, dst=b"\xff" * 6)]
    s = tls_session()
    frames += [g.eth_for(p) for _, p in s.ip_packets()]
    return {"files": [pcap("cap.pcap", frames)], "nflows": 1, "flows": [tls_expect(s)],
            "summary": {"packets": len(frames), "not_ip": 2, "malformed": 0}}


# ------------------------------------------------------------------ TCP reassembly

def one_session(s, exp, **more):
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    d = {"files": [pcap("cap.pcap", frames)], "flows": [exp], "nflows": 1}
    d.update(more)
    return d


def c_tcp_rst():
    s = g.TcpSession(C4, S4, 51001, 443).handshake()
    s.send("c2s", g.tls_client_hello("rst.example.net", ()))
    s.close(rst=True, by="s2c")
    ex = tcp_expect(s, "tls", "rst.example.net", "tls_sni", fin=False, rst=True)
    return one_session(s, ex)


def big_http(n=6000):
    body = bytes((i * 7) & 0xFF for i in range(n))
    return g.http_request("upload.example.net", "/u", "POST", body=body)


def http_session(cport=51002, **kw):
    s = g.TcpSession(C4, S4, cport, 80, mss=1000, **kw)
    return s


def http_expect(s, host="upload.example.net", method="POST", **kw):
    ex = {"http": {"host": host, "method": method, "user_agent": "datatrail-test/1.0"}}
    return tcp_expect(s, "http", host, "http_host", extra=ex, **kw)


def c_tcp_basic_http():
    s = http_session().handshake()
    s.send("c2s", big_http())
    s.send("s2c", g.http_response())
    s.close()
    return one_session(s, http_expect(s), summary={"tcp_gaps": 0})


def c_tcp_out_of_order():
    s = http_session().handshake()
    s.send("c2s", big_http(), reorder=[(1, 3), (4, 5)])
    s.send("s2c", g.http_response())
    s.close()
    return one_session(s, http_expect(s), summary={"tcp_gaps": 0})


def c_tcp_retransmission():
    s = http_session().handshake()
    s.send("c2s", big_http(), retransmit=[0, 2, 6])
    s.send("s2c", g.http_response())
    s.close()
    return one_session(s, http_expect(s), summary={"tcp_gaps": 0})


def c_tcp_overlap_first_wins():
    s = http_session().handshake()
    data = big_http()
    # segment 2 is re-sent with different bytes over the same range, and a longer segment
    # that overlaps segments 3-4 with different bytes: the first copy must win
    s.send("c2s", data, overlap={2: b"X" * 1000, 3: b"Y" * 1500})
    s.send("s2c", g.http_response())
    s.close()
    return one_session(s, http_expect(s), summary={"tcp_gaps": 0})


def c_tcp_seq_wrap():
    s = http_session(isn_c=2**32 - 2500, isn_s=2**32 - 1).handshake()
    s.send("c2s", big_http())
    s.send("s2c", g.http_response())
    s.close()
    return one_session(s, http_expect(s), summary={"tcp_gaps": 0})


def c_tcp_midstream():
    s = http_session(cport=51003)  # no handshake: capture starts mid-connection
    s.send("c2s", big_http())
    s.send("s2c", g.http_response())
    s.close()
    return one_session(s, http_expect(s, syn=False))


def c_tcp_gap():
    s = http_session().handshake()
    data = big_http()
    s.send("c2s", data, drop=[3])
    s.send("s2c", g.http_response())
    s.close()
    ex = http_expect(s, gaps=1)
    return one_session(s, ex, summary={"tcp_gaps": 1})


def c_tcp_client_by_port():
    # no SYN, and the first packet seen is the server's (port 8883 -> ephemeral port)
    s = g.TcpSession(C4, S4, 50123, 8883, mss=1400)
    s.send("s2c", b"\x20\x02\x00\x00")  # MQTT CONNACK
    s.send("c2s", g.mqtt_publish("v/1/telemetry", b"{\"speed\":42}"))
    ex = tcp_expect(s, syn=False, fin=False)
    return one_session(s, ex)


def c_tls_split_records():
    msg_len = len(g.tls_client_hello_msg("split.example.net", ("h2",)))
    s = tls_session(sni="split.example.net", alpn=("h2",), mss=120, split=[40, 90])
    assert msg_len > 130
    return one_session(s, tls_expect(s, sni="split.example.net", alpn=("h2",)))


def c_tls_grease_ech():
    s = g.TcpSession(C4, S4, 51010, 443).handshake()
    s.send("c2s", g.tls_client_hello("public.example.net", ("h3", "h2"), ech=True))
    s.send("s2c", g.tls_server_hello())
    s.close()
    return one_session(s, tls_expect(s, sni="public.example.net", alpn=("h3", "h2")))


def c_tls_no_sni():
    s = g.TcpSession(C4, S4, 51011, 443).handshake()
    s.send("c2s", g.tls_client_hello(None, ()))
    s.send("s2c", g.tls_server_hello())
    s.close()
    ex = tcp_expect(s, "tls", None, None)
    ex["server"]["name"], ex["server"]["name_source"] = None, None
    return one_session(s, ex)


# ------------------------------------------------------------------ UDP apps

def dns_pair(cli, srv, cport, ident, qname, qtype, answers, rcode="NOERROR"):
    q = g.dns_query(ident, qname, qtype)
    r = g.dns_response(ident, qname, qtype, answers, rcode)
    return q, r, [g.udp_ip(cli, srv, cport, 53, q), g.udp_ip(srv, cli, 53, cport, r)]


def udp_side(ip, port, pkts_payloads, local=None):
    return {"ip": ip, "port": port, "local": is_local(ip) if local is None else local,
            "packets": len(pkts_payloads), "bytes": sum(len(p) for p, _ in pkts_payloads),
            "payload": sum(n for _, n in pkts_payloads)}


def c_dns_cname_chain():
    name = "telemetry.carmaker.example"
    chain = ["telemetry.carmaker.example.edgekey.net", "e1234.a.akamaiedge.net"]
    ans = g.dns_chain(name, chain, ["23.45.67.89", "23.45.67.90"])
    q, r, pk = dns_pair(C4, DNS4, 40001, 0x2222, name, "A", ans)
    return {"files": [pcap("cap.pcap", [g.eth_for(p) for p in pk])], "nflows": 1,
            "flows": [{"proto": "udp", "app": "dns", "tcp": None, "tunnel": None,
                       "client": udp_side(C4, 40001, [(pk[0], len(q))]),
                       "server": udp_side(DNS4, 53, [(pk[1], len(r))]),
                       "dns": [{"name": name, "type": "A", "rcode": "NOERROR",
                                "answers": ["23.45.67.89", "23.45.67.90"],
                                "cname_chain": [name] + chain}]}]}


def c_dns_aaaa_nxdomain():
    ans = [("v6.example.net", "AAAA", 60, "2001:db8::1234")]
    q1, r1, p1 = dns_pair(C6, "fd00::1", 40002, 1, "v6.example.net", "AAAA", ans)
    q2, r2, p2 = dns_pair(C6, "fd00::1", 40002, 2, "nope.example.net", "A", [], "NXDOMAIN")
    pk = p1 + p2
    return {"files": [pcap("cap.pcap", [g.eth_for(p) for p in pk])], "nflows": 1,
            "flows": [{"proto": "udp", "app": "dns",
                       "client": udp_side(C6, 40002, [(pk[0], len(q1)), (pk[2], len(q2))]),
                       "server": udp_side("fd00::1", 53, [(pk[1], len(r1)), (pk[3], len(r2))]),
                       "dns": [{"name": "v6.example.net", "type": "AAAA", "rcode": "NOERROR",
                                "answers": ["2001:db8::1234"], "cname_chain": ["v6.example.net"]},
                               {"name": "nope.example.net", "type": "A", "rcode": "NXDOMAIN",
                                "answers": [], "cname_chain": ["nope.example.net"]}]}]}


def c_dns_names_flow():
    # DNS answer names a later TLS flow that has no SNI: name_source "dns"
    srv = "198.51.100.80"
    ans = [("nosni.example.net", "A", 300, srv)]
    _, _, pk = dns_pair(C4, DNS4, 40003, 3, "nosni.example.net", "A", ans)
    s = g.TcpSession(C4, srv, 51020, 443).handshake()
    s.send("c2s", g.tls_client_hello(None, ()))
    s.send("s2c", g.tls_server_hello())
    s.close()
    frames = [g.eth_for(p) for p in pk] + [g.eth_for(p) for _, p in s.ip_packets()]
    ex = tcp_expect(s, "tls", "nosni.example.net", "dns")
    return {"files": [pcap("cap.pcap", frames)], "nflows": 2, "flows": [ex]}


def c_quic_initial():
    p = g.udp_ip(C4, "93.184.215.14", 50500, 443, g.RFC9001_CLIENT_INITIAL)
    return {"files": [pcap("cap.pcap", [g.eth_for(p)])], "nflows": 1,
            "flows": [{"proto": "udp", "app": "quic", "tcp": None,
                       "client": udp_side(C4, 50500, [(p, 1200)]),
                       "server": {"ip": "93.184.215.14", "port": 443, "packets": 0,
                                  "name": "example.com", "name_source": "quic_sni"},
                       "quic": {"version": "1", "sni": "example.com"}}]}


def c_ntp():
    q = g.udp_ip(C4, "162.159.200.1", 123, 123, g.ntp_packet(g.T0_NS))
    r = g.udp_ip("162.159.200.1", C4, 123, 123, g.ntp_packet(g.T0_NS + STEP, client=False))
    return {"files": [pcap("cap.pcap", [g.eth_for(q), g.eth_for(r)])], "nflows": 1,
            "flows": [{"proto": "udp", "client": udp_side(C4, 123, [(q, 48)]),
                       "server": udp_side("162.159.200.1", 123, [(r, 48)])}]}


def c_local_cidr():
    """--local adds to the defaults: the private client stays local."""
    s = tls_session()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    ex = tls_expect(s, local=(True, True))
    return {"files": [pcap("cap.pcap", frames)], "args": ["--local", "203.0.113.0/24"],
            "flows": [ex], "nflows": 1}


def c_local_only():
    """--local-only replaces the defaults: the private client is no longer local."""
    s = tls_session()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    ex = tls_expect(s, local=(False, True))
    return {"files": [pcap("cap.pcap", frames)], "args": ["--local-only", "203.0.113.0/24"],
            "flows": [ex], "nflows": 1}


def c_local_cidr_two():
    s = tls_session()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    ex = tls_expect(s, local=(True, True))
    return {"files": [pcap("cap.pcap", frames)],
            "args": ["--local", "203.0.113.0/24", "--local", "192.168.0.0/16"],
            "flows": [ex], "nflows": 1}


def c_cgnat_local():
    s = tls_session(cli="100.64.12.34")
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    return {"files": [pcap("cap.pcap", frames)], "flows": [tls_expect(s, local=(True, False))]}


# ------------------------------------------------------------------ capture formats

def fmt_case(files_fn, fmt, linknames, digits=6, t0=g.T0_NS + 123456789):
    s = tls_session()
    pk = [p for _, p in s.ip_packets()]
    n = len(pk)
    rs = [g.Rec(t0 + i * 1000001, g.eth_for(p)) for i, p in enumerate(pk)]
    name, data = files_fn(rs)
    last = t0 + (n - 1) * 1000001
    if digits == 6:
        t0, last = t0 // 1000 * 1000, last // 1000 * 1000
    return {"files": [(name, data)],
            "flows": [tls_expect(s, t_first=t0, t_last=last, digits=digits)], "nflows": 1,
            "rinputs": [{"format": fmt, "link_types": linknames, "packets": n,
                         "first_seen": ts(t0, digits), "last_seen": ts(last, digits),
                         "errors": []}],
            "summary": {"packets": n}}


def c_pcap_us_le():
    return fmt_case(lambda r: ("a.pcap", g.write_pcap(r)), "pcap", ["EN10MB"])


def c_pcap_us_be():
    return fmt_case(lambda r: ("a.pcap", g.write_pcap(r, big_endian=True)), "pcap", ["EN10MB"])


def c_pcap_ns_le():
    return fmt_case(lambda r: ("a.pcap", g.write_pcap(r, nanosecond=True)), "pcap-ns",
                    ["EN10MB"], 9)


def c_pcap_ns_be():
    return fmt_case(lambda r: ("a.pcap", g.write_pcap(r, nanosecond=True, big_endian=True)),
                    "pcap-ns", ["EN10MB"], 9)


def c_pcapng_le():
    return fmt_case(lambda r: ("a.pcapng", g.write_pcapng(r, comment="le")), "pcapng",
                    ["EN10MB"])


def c_pcapng_be():
    return fmt_case(lambda r: ("a.pcapng", g.write_pcapng(r, big_endian=True, comment="be")),
                    "pcapng", ["EN10MB"])


def c_pcapng_ns():
    return fmt_case(lambda r: ("a.pcapng", g.write_pcapng(r, ifaces=((1, 9),))), "pcapng",
                    ["EN10MB"], 9)


def c_pcapng_unknown_block_comments():
    def mk(r):
        r[1].comment = "a packet comment"
        return ("a.pcapng", g.write_pcapng(r, comment="section", unknown_block_at=2))
    return fmt_case(mk, "pcapng", ["EN10MB"])


def c_pcap_gz():
    return fmt_case(lambda r: ("a.pcap.gz", g.gzipped(g.write_pcap(r))), "pcap", ["EN10MB"])


def c_pcapng_gz():
    return fmt_case(lambda r: ("a.pcapng.gz", g.gzipped(g.write_pcapng(r))), "pcapng",
                    ["EN10MB"])


def c_pcapng_two_linktypes():
    # Interface 0: Ethernet (us), interface 1: raw IP (ns); flows on both, plus an SPB.
    s1 = tls_session(cport=51100, sni="eth.example.net")
    s2 = tls_session(C6, S6, cport=51101, sni="raw.example.net")
    r1 = [g.Rec(g.T0_NS + i * STEP, g.eth_for(p), 0) for i, (_, p) in enumerate(s1.ip_packets())]
    r2 = [g.Rec(g.T0_NS + 500000 + i * STEP, p, 1) for i, (_, p) in enumerate(s2.ip_packets())]
    allr = sorted(r1 + r2, key=lambda r: r.ts_ns)
    # one extra ARP frame as a Simple Packet Block (interface 0, not IP)
    arp = g.eth(bytes(28), g.ETH_ARP, dst=b"\xff" * 6)
    allr.append(g.Rec(allr[-1].ts_ns, arp, 0))
    data = g.write_pcapng(allr, ifaces=((g.LINKTYPE_ETHERNET, 6), (g.LINKTYPE_RAW, 9)),
                          spb={len(allr) - 1}, unknown_block_at=5)
    return {"files": [("two.pcapng", data)], "nflows": 2,
            "flows": [tls_expect(s1, sni="eth.example.net"), tls_expect(s2, sni="raw.example.net")],
            "rinputs": [{"format": "pcapng", "link_types": ["EN10MB", "RAW"],
                         "packets": len(allr), "errors": []}],
            "summary": {"packets": len(allr), "not_ip": 1, "flows": 2}}


def c_snaplen_truncated_bulk():
    # caplen < wirelen: byte counters come from the IP headers, not the captured length
    s = http_session().handshake()
    s.send("c2s", big_http(20000))
    s.send("s2c", g.http_response())
    s.close()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    ex = http_expect(s, streams=False)
    del ex["tcp"]  # whether uncaptured bytes count as gaps is not asserted here
    return {"files": [("snap.pcap", g.write_pcap(recs(frames), snaplen=200))], "flows": [ex],
            "nflows": 1}


# ------------------------------------------------------------------ errors and inputs

def c_truncated_file():
    s = tls_session()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    data = g.write_pcap(recs(frames))
    # find the start of record 6 (1-based) and cut in the middle of its data
    off = 24
    for f in frames[:5]:
        off += 16 + len(f)
    cut = data[:off + 16 + 10]

    def check(rep, flows):
        errs = []
        try:
            inp = rep["inputs"][0]
            e = inp["errors"]
            if len(e) != 1 or e[0].get("packet") != 6:
                errs.append("errors: want one error at packet 6, got %r" % (e,))
            elif not (off <= e[0].get("offset", -1) <= len(cut)):
                errs.append("errors[0].offset %r not within [%d, %d]"
                            % (e[0].get("offset"), off, len(cut)))
        except (KeyError, IndexError, TypeError) as x:
            errs.append("report shape: %r" % x)
        return errs
    return {"files": [("trunc.pcap", cut)], "exit": 3, "check": check,
            "rinputs": [{"format": "pcap", "packets": 5}], "summary": {"packets": 5}, "nflows": 1}


def c_not_a_capture():
    return {"files": [("junk.pcap", b"this is not a capture file at all\n" * 4)], "exit": 2}


def c_one_good_one_bad():
    s = tls_session()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    return {"files": [pcap("good.pcap", frames), ("bad.pcap", b"\0" * 10)], "exit": 3,
            "flows": [tls_expect(s)], "nflows": 1,
            "rinputs": [{"packets": len(frames), "errors": []}, {"packets": 0}]}


def c_unsupported_linktype():
    s = tls_session()
    r = [g.Rec(g.T0_NS + i * STEP, g.eth_for(p), 0) for i, (_, p) in enumerate(s.ip_packets())]
    r.insert(2, g.Rec(g.T0_NS + 1500000, b"\x01\x02\x03\x04opaque", 1))
    r.insert(5, g.Rec(g.T0_NS + 3500000, b"\x05\x06\x07\x08opaque", 1))
    data = g.write_pcapng(r, ifaces=((g.LINKTYPE_ETHERNET, 6), (g.LINKTYPE_USER0, 6)))
    return {"files": [("u.pcapng", data)], "exit": 0, "flows": [tls_expect(s)], "nflows": 1,
            "summary": {"packets": len(r), "unsupported_link_types": {"LINKTYPE_147": 2}},
            "rinputs": [{"errors": []}]}


def c_two_inputs():
    s1 = tls_session(cport=51200, sni="one.example.net")
    s2 = tls_session(cport=51201, sni="two.example.net")
    f1 = [g.eth_for(p) for _, p in s1.ip_packets()]
    f2 = [g.eth_for(p) for _, p in s2.ip_packets()]
    e1 = tls_expect(s1, sni="one.example.net")
    e2 = tls_expect(s2, sni="two.example.net")
    e1["input"], e2["input"] = "one.pcap", "two.pcapng"
    return {"files": [pcap("one.pcap", f1),
                      ("two.pcapng", g.write_pcapng(recs(f2, g.T0_NS + 10**9)))],
            "flows": [e1, e2], "nflows": 2,
            "rinputs": [{"path": "one.pcap", "format": "pcap", "packets": len(f1)},
                        {"path": "two.pcapng", "format": "pcapng", "packets": len(f2)}],
            "summary": {"packets": len(f1) + len(f2), "flows": 2}}


def c_stdin():
    s = tls_session()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    e = tls_expect(s)
    e["input"] = "-"
    return {"files": [pcap("in.pcap", frames)], "inputs": ["-"], "stdin": "in.pcap",
            "flows": [e], "nflows": 1, "rinputs": [{"path": "-", "packets": len(frames)}]}


def c_stdin_pcapng_gz():
    s = tls_session()
    frames = [g.eth_for(p) for _, p in s.ip_packets()]
    return {"files": [("in.pcapng.gz", g.gzipped(g.write_pcapng(recs(frames))))],
            "inputs": ["-"], "stdin": "in.pcapng.gz", "flows": [tls_expect(s)], "nflows": 1,
            "rinputs": [{"path": "-", "format": "pcapng", "packets": len(frames)}]}




# ------------------------------------------------------------------ hostile input

def c_malformed_frames():
    # Frames with truncated or inconsistent headers (caplen == wirelen, so really broken),
    # between the packets of a good session: each is counted as malformed, nothing else breaks.
    s = tls_session()
    good = [g.eth_for(p) for _, p in s.ip_packets()]
    v4 = g.ipv4(C4, S4, g.UDP, g.udp(C4, S4, 1, 2, b"x" * 20))
    v6 = g.ipv6(C6, S6, g.UDP, g.udp(C6, S6, 1, 2, b"x" * 20))
    t = g.tcp(C4, S4, 1, 2)
    bad = [
        g.eth(v4[:10]),                                   # IPv4 header cut short
        g.eth(bytes([0x44]) + v4[1:]),                    # IHL 4 (< 5)
        g.eth(v4[:2] + struct.pack("!H", 12) + v4[4:]),   # total length < header length
        g.eth(v6[:20], g.ETH_IPV6),                       # IPv6 header cut short
        g.eth(g.ipv4(C4, S4, g.TCP, t[:10])),             # TCP header cut short
        g.eth(g.ipv4(C4, S4, g.TCP, t[:12] + bytes([0xF0]) + t[13:])),  # data offset 60 > 20
    ]
    frames = good[:3] + bad + good[3:]
    return {"files": [pcap("cap.pcap", frames)], "exit": 0, "nflows": 1,
            "flows": [tls_expect(s)],
            "summary": {"packets": len(frames), "malformed": len(bad),
                        "malformed_by_reason": {"ipv4_header_short": 1, "ipv4_bad_ihl": 1,
                                                "ipv4_bad_total_length": 1, "ipv6_header_short": 1,
                                                # both TCP frames: the header (or the data
                                                # offset it claims) ends past the bytes there
                                                "tcp_header_short": 2}}}


def c_ipv4_total_len_exceeds_frame():
    # IPv4 total length 1400 in a 62-byte frame whose wire length is also 62 (not a snaplen
    # cut): the length lies; what is there is used (48 IP bytes, not 1400) and counted.
    v4 = g.ipv4(C4, S4, g.UDP, g.udp(C4, S4, 1, 2, b"x" * 20))
    bad = v4[:2] + struct.pack("!H", 1400) + v4[4:10] + b"\0\0" + v4[12:]
    bad = bad[:10] + struct.pack("!H", g.checksum(bad[:20])) + bad[12:]
    return {"files": [pcap("cap.pcap", [g.eth(bad)])], "nflows": 1,
            "summary": {"packets": 1, "malformed": 0, "ip_length_clipped": 1, "flows": 1}}


def c_tunnel_too_deep():
    # 10 nested IPv4-in-IPv4 layers: deeper than the default limit (8): counted as malformed
    s = tls_session()
    pk = [p for _, p in s.ip_packets()]
    deep = pk[0]
    for _ in range(10):
        deep = g.ipv4(OUT_A, OUT_B, g.IPIP, deep)
    frames = [g.eth_for(deep)] + [g.eth_for(p) for p in pk[1:]]
    return {"files": [pcap("cap.pcap", frames)], "summary": {
        "packets": len(frames), "malformed": 1, "malformed_by_reason": {"tunnel_too_deep": 1}}}


def c_tunnel_nested_gre_vxlan():
    # GRE inside VXLAN: the flow carries the outermost tunnel kind
    def wrap(p):
        gre_pkt = g.ipv4("10.9.0.1", "10.9.0.2", g.GRE, g.gre(p, key=99))
        inner = g.eth_for(gre_pkt, src=g.MAC_C, dst=g.MAC_B)
        return g.eth_for(g.udp_ip(OUT_A, OUT_B, 49152, 4789, g.vxlan(inner)), vlans=[10])
    return link_case(wrap, g.LINKTYPE_ETHERNET, tunnel="vxlan")


def c_pcapng_truncated_block():
    s = tls_session()
    rs = recs([g.eth_for(p) for _, p in s.ip_packets()])
    whole = g.write_pcapng(rs)
    head = g.write_pcapng(rs[:4])  # SHB + IDB + 4 EPBs
    cut = whole[:len(head) + 20]   # the 5th EPB is cut after 20 bytes

    def check(rep, flows):
        e = (rep.get("inputs") or [{}])[0].get("errors")
        if not e or e[0].get("packet") != 5:
            return ["inputs[0].errors: want an error at packet 5, got %r" % (e,)]
        return []
    return {"files": [("t.pcapng", cut)], "exit": 3, "check": check,
            "rinputs": [{"format": "pcapng", "packets": 4}], "summary": {"packets": 4}}


def c_missing_file():
    return {"files": [], "inputs": ["does-not-exist.pcap"], "exit": 2}


def c_pcapng_tsresol_binary():
    s = tls_session()
    rs = recs([g.eth_for(p) for _, p in s.ip_packets()])
    data = g.write_pcapng(rs, ifaces=((g.LINKTYPE_ETHERNET, ("bin", 20)),))
    return {"files": [("b.pcapng", data)], "flows": [tls_expect(s)], "nflows": 1,
            "rinputs": [{"format": "pcapng", "packets": len(rs), "errors": []}]}


def c_frag6_tcp_raw():
    # TCP segment carried in two IPv6 fragments on a raw-IP link
    s = g.TcpSession(C6, S6, 51300, 443).handshake()
    s.send("c2s", g.tls_client_hello("frag6-tls.example.net", ("h2",)))
    s.send("s2c", g.tls_server_hello())
    s.close()
    frames, nfr = [], 0
    for seg, p in s.ip_packets():
        l4 = s.l4(seg)
        if len(seg.payload) > 200:
            nfr += 1
            src, dst = (s.cli, s.srv) if seg.dir == "c2s" else (s.srv, s.cli)
            frames += g.ipv6_fragments(src, dst, g.TCP, l4, [(0, 200), (200, len(l4) - 200)])
        else:
            frames.append(p)
    ex = tls_expect(s, sni="frag6-tls.example.net", alpn=("h2",))
    del ex["client"]["packets"], ex["server"]["packets"], ex["client"]["bytes"]
    del ex["server"]["bytes"]
    return {"files": [pcap("cap.pcap", frames, g.LINKTYPE_RAW)], "flows": [ex], "nflows": 1,
            "summary": {"fragments": 2 * nfr, "fragments_reassembled": nfr,
                        "fragments_incomplete": 0}}


def c_mqtt_plain():
    s = g.TcpSession(C4, "198.51.100.18", 51400, 1883).handshake()
    s.send("c2s", g.mqtt_connect("vin-WBA00000000000001", 30, "car"))
    s.send("s2c", b"\x20\x02\x00\x00")
    s.send("c2s", g.mqtt_publish("vehicle/telemetry", b'{"soc":81,"odo":12345}'))
    s.close()
    return one_session(s, tcp_expect(s))


def c_sample():
    # The bundled sample: regenerated here (deterministic) and compared with the committed file.
    import gen_sample

    data = gen_sample.build()
    names = [("142.250.185.99", 80, "connectivitycheck.gstatic.com", "http_host"),
             ("216.239.35.0", 123, "time.android.com", "dns"),
             ("2a00:1450:4001:80b::200a", 443, "maps.googleapis.com", "tls_sni"),
             ("1.12.36.7", 443, "android.bugly.qq.com", "tls_sni"),
             ("160.46.226.165", 443, "b2vapi.bmwgroup.com", "tls_sni"),
             ("23.55.161.88", 443, "api.tomtom.com", "tls_sni"),
             ("96.7.128.175", 443, "example.com", "quic_sni"),
             ("52.28.151.19", 443, "ota.cariad.technology", "dns"),
             ("3.123.52.214", 8883, "a3k7odshaiipe8-ats.iot.eu-central-1.amazonaws.com", "tls_sni"),
             ("52.219.170.45", 443, "vehicle-logs.s3.eu-central-1.amazonaws.com", "tls_sni")]

    def check(rep, flows):
        errs = []
        import os
        here = os.path.dirname(os.path.abspath(__file__))
        p = os.path.join(os.environ.get("DT_TESTDATA", os.path.join(here, "..", "testdata")),
                         "sample.pcapng")
        try:
            if open(p, "rb").read() != data:
                errs.append("testdata/sample.pcapng differs from tests/gen_sample.py output")
        except OSError as x:
            errs.append("cannot read %s: %s" % (p, x))
        got = {(f["server"]["ip"], f["server"]["port"]): (f["server"].get("name"),
                                                          f["server"].get("name_source"))
               for f in flows or []}
        for ip_, port, name, src in names:
            if got.get((ip_, port)) != (name, src):
                errs.append("server %s:%d: got %r, want %r" % (ip_, port, got.get((ip_, port)),
                                                                (name, src)))
        bulk = [f for f in flows or [] if f["server"]["ip"] == "52.219.170.45"]
        if bulk and bulk[0]["client"]["payload"] < 400000:
            errs.append("bulk upload payload %d < 400000" % bulk[0]["client"]["payload"])
        return errs
    return {"files": [("sample.pcapng", data)], "nflows": 24, "check": check, "twice": True,
            "summary": {"packets": 281, "flows": 24, "tcp_flows": 10, "udp_flows": 14,
                        "malformed": 0},
            "rinputs": [{"format": "pcapng", "link_types": ["EN10MB"], "packets": 281,
                         "first_seen": "2022-10-24T08:15:00.100000Z", "errors": []}]}


def c_udp_client_by_port():
    # the query was not captured: the first packet is the answer from port 53, yet the
    # client is the ephemeral-port side
    ans = [("late.example.net", "A", 60, "198.51.100.9")]
    r = g.dns_response(9, "late.example.net", "A", ans)
    p1 = g.udp_ip(DNS4, C4, 53, 45678, r)
    q = g.dns_query(10, "late.example.net", "AAAA")
    p2 = g.udp_ip(C4, DNS4, 45678, 53, q)
    return {"files": [pcap("cap.pcap", [g.eth_for(p1), g.eth_for(p2)])], "nflows": 1,
            "flows": [{"proto": "udp", "app": "dns",
                       "client": udp_side(C4, 45678, [(p2, len(q))]),
                       "server": udp_side(DNS4, 53, [(p1, len(r))])}]}


def c_dns_uncompressed():
    name = "plain.example.net"
    ans = g.dns_chain(name, ["alias.example.net"], ["198.51.100.77"])
    q = g.dns_query(11, name)
    r = g.dns_response(11, name, "A", ans, compress=False)
    pk = [g.udp_ip(C4, DNS4, 40011, 53, q), g.udp_ip(DNS4, C4, 53, 40011, r)]
    return {"files": [pcap("cap.pcap", [g.eth_for(p) for p in pk])], "nflows": 1,
            "flows": [{"proto": "udp", "app": "dns",
                       "client": udp_side(C4, 40011, [(pk[0], len(q))]),
                       "server": udp_side(DNS4, 53, [(pk[1], len(r))]),
                       "dns": [{"name": name, "type": "A", "rcode": "NOERROR",
                                "answers": ["198.51.100.77"],
                                "cname_chain": [name, "alias.example.net"]}]}]}


def c_tcp_stream_cap():
    # 100 KB upload: the debug stream holds the first 64 KiB of each direction
    s = http_session().handshake()
    data = big_http(100000)
    s.send("c2s", data)
    s.send("s2c", g.http_response())
    s.close()
    ex = http_expect(s, streams=False)
    ex["streams"] = {"c2s": data[:65536].hex(), "s2c": g.http_response().hex()}
    return one_session(s, ex, summary={"tcp_gaps": 0})


def c_quic_initial_v6():
    srv = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
    p = g.udp_ip(C6, srv, 50501, 443, g.RFC9001_CLIENT_INITIAL)
    return {"files": [pcap("cap.pcap", [g.eth_for(p)])], "nflows": 1,
            "flows": [{"proto": "udp", "app": "quic",
                       "client": udp_side(C6, 50501, [(p, 1200)]),
                       "server": {"ip": srv, "port": 443, "name": "example.com",
                                  "name_source": "quic_sni"},
                       "quic": {"version": "1", "sni": "example.com"}}]}


def c_icmp_error_embedded():
    # ICMP port unreachable quoting the UDP datagram: counted as ICMP, creates no flow
    q = g.dns_query(12, "x.example.net")
    orig = g.udp_ip(C4, "198.51.100.53", 40012, 53, q)
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + orig[:28]
    icmp = icmp[:2] + struct.pack("!H", g.checksum(icmp)) + icmp[4:]
    frames = [g.eth_for(orig), g.eth_for(g.ipv4("198.51.100.53", C4, g.ICMP, icmp))]
    return {"files": [pcap("cap.pcap", frames)], "nflows": 1,
            "flows": [{"proto": "udp", "client": {"ip": C4, "port": 40012, "packets": 1},
                       "server": {"ip": "198.51.100.53", "port": 53, "packets": 0}}],
            "summary": {"packets": 2, "icmp_packets": 1, "flows": 1}}


# ------------------------------------------------------------------ recognised by content

def by_content_errs(flows, want):
    """want: {server port: app}; each such flow has that app and app_by_content true, every
    other flow has no app_by_content key."""
    errs = []
    for f in flows:
        port = f["server"]["port"]
        if port in want:
            if f["app"] != want[port] or f.get("app_by_content") is not True:
                errs.append("port %d: app %s, by content %s" % (port, f["app"],
                                                                f.get("app_by_content")))
        elif "app_by_content" in f:
            errs.append("port %d: app_by_content on a flow of its usual port" % port)
    return errs


def c_dns_by_content_udp():
    # DNS on UDP 8053 and a query-only flow on 5333 are DNS by content; the
    # answer names a later TLS flow; DNS on 53 has no flag
    name = "telemetry.example.net"
    ans = g.dns_chain(name, [], ["198.51.100.80"])
    q, r = g.dns_query(0x4242, name), g.dns_response(0x4242, name, "A", ans)
    q2 = g.dns_query(7, "other.example.net", "AAAA")
    pk = [g.udp_ip(C4, DNS4, 40100, 8053, q), g.udp_ip(DNS4, C4, 8053, 40100, r),
          g.udp_ip(C4, DNS4, 40101, 5333, q2)]
    _, _, std = dns_pair(C4, DNS4, 40102, 9, "plain.example.net", "A", [])
    s = tls_session(C4, "198.51.100.80", 51100, 443, sni=None)
    frames = [g.eth_for(p) for p in pk + std] + [g.eth_for(p) for _, p in s.ip_packets()]

    def check(rep, flows):
        errs = by_content_errs(flows, {8053: "dns", 5333: "dns"})
        tls = [f for f in flows if f["server"]["port"] == 443]
        if not tls or tls[0]["server"]["name"] != name:
            errs.append("TLS flow not named by the DNS answer: %s" % tls)
        return errs
    return {"files": [pcap("cap.pcap", frames)], "nflows": 4, "check": check,
            "flows": [{"proto": "udp", "app": "dns", "app_by_content": True,
                       "client": udp_side(C4, 40100, [(pk[0], len(q))]),
                       "server": udp_side(DNS4, 8053, [(pk[1], len(r))]),
                       "dns": [{"name": name, "type": "A", "rcode": "NOERROR",
                                "answers": ["198.51.100.80"], "cname_chain": [name]}]},
                      {"proto": "udp", "app": "dns", "app_by_content": True,
                       "client": {"ip": C4, "port": 40101}, "server": {"ip": DNS4, "port": 5333},
                       "dns": [{"name": "other.example.net", "type": "AAAA", "rcode": None,
                                "answers": [], "cname_chain": ["other.example.net"]}]}]}


def c_dns_by_content_tcp():
    # DNS over TCP on port 8053: length-prefixed messages, split across segments
    name = "tcp.example.net"
    q = g.dns_query(0x0101, name)
    r = g.dns_response(0x0101, name, "A", g.dns_chain(name, [], ["198.51.100.81"]))
    s = g.TcpSession(C4, DNS4, 51200, 8053, mss=20).handshake()
    s.send("c2s", struct.pack("!H", len(q)) + q)
    s.send("s2c", struct.pack("!H", len(r)) + r)
    s.close()
    ex = tcp_expect(s, "dns", name, "dns", extra={
        "app_by_content": True,
        "dns": [{"name": name, "type": "A", "rcode": "NOERROR", "answers": ["198.51.100.81"],
                 "cname_chain": [name]}]})
    del ex["server"]["name"], ex["server"]["name_source"]
    return one_session(s, ex)


def c_dns_by_content_rejects():
    # near-DNS on other ports is not DNS: a response sent by the client, a message
    # with a trailing byte (counts and length disagree), a query with an answer count, a
    # name with a control byte, random bytes; and TCP whose first message is a response
    name = "spoof.example.net"
    ans = g.dns_chain(name, [], ["198.51.100.82"])
    bad_ctl = bytearray(g.dns_query(5, "ab.example.net"))
    bad_ctl[13] = 0x01
    rnd = g.rng(7)
    pk = [g.udp_ip(C4, DNS4, 40200, 8053, g.dns_response(0x1111, name, "A", ans)),
          g.udp_ip(C4, DNS4, 40201, 8054, g.dns_query(2, "x.example.net") + b"\0"),
          g.udp_ip(C4, DNS4, 40202, 8055, g.dns_message(3, "y.example.net", answers=ans)),
          g.udp_ip(C4, DNS4, 40203, 8056, bytes(bad_ctl)),
          g.udp_ip(C4, DNS4, 40204, 8057, bytes(rnd.getrandbits(8) for _ in range(64)))]
    # ID mismatch: query 1, response 2 on one flow (the response is not recorded)
    pk += [g.udp_ip(C4, DNS4, 40205, 8058, g.dns_query(1, name)),
           g.udp_ip(DNS4, C4, 8058, 40205, g.dns_response(2, name, "A", ans))]
    s = g.TcpSession(C4, DNS4, 51201, 8059).handshake()
    r = g.dns_response(4, name, "A", ans)
    s.send("c2s", struct.pack("!H", len(r)) + r)
    s.close()
    frames = [g.eth_for(p) for p in pk] + [g.eth_for(p) for _, p in s.ip_packets()]

    def check(rep, flows):
        errs = by_content_errs(flows, {8058: "dns"})
        errs += ["%s: app %s" % (f["server"]["port"], f["app"]) for f in flows
                 if f["server"]["port"] != 8058 and f["app"] != "unknown"]
        if any(d["answers"] for d in rep.get("dns", [])):
            errs.append("answers recorded: %s" % rep["dns"])
        return errs
    return {"files": [pcap("cap.pcap", frames)], "args": ["--no-geo"], "nflows": 7,
            "check": check}


def c_tls_http_by_content():
    # TLS on 4433 and HTTP on 8888 are recognised by content; on 443 and 80 they are not
    odd_tls, std_tls = tls_session(cport=51300, sport=4433), tls_session(cport=51301)
    odd_http = g.TcpSession(C4, S4, 51302, 8888).handshake()
    odd_http.send("c2s", g.http_request("odd.example.net"))
    odd_http.close()
    std_http = g.TcpSession(C4, S4, 51303, 80).handshake()
    std_http.send("c2s", g.http_request("std.example.net"))
    std_http.close()
    frames = [g.eth_for(p) for s in (odd_tls, std_tls, odd_http, std_http)
              for _, p in s.ip_packets()]
    return {"files": [pcap("cap.pcap", frames)], "nflows": 4,
            "check": lambda rep, flows: by_content_errs(flows, {4433: "tls", 8888: "http"})}


# ------------------------------------------------------------------ DTLS

def c_dtls_client_hello_sni():
    # DTLS 1.2 on CoAPs (5684) after a datagram that is not DTLS (WebRTC: STUN first);
    # DTLS 1.3 with a cookie; a first fragment that holds the SNI; a later fragment alone
    # names nothing
    sni12, sni13, snifr = "coap.telematics.example", "lwm2m.example.org", "frag.example.net"
    h12 = g.dtls_client_hello(sni12, ("coap",))
    whole = g.dtls_client_hello(snifr)
    cut = g.dtls_client_hello(snifr, frag_len=150)
    later = bytearray(whole)
    later[13 + 6:13 + 9] = b"\x00\x00\x10"  # fragment offset 16
    pk = [g.udp_ip(C4, S4, 50000, 5684, bytes(range(20))),
          g.udp_ip(C4, S4, 50000, 5684, h12),
          g.udp_ip(S4, C4, 5684, 50000, b"\x16\xfe\xfd" + bytes(40)),
          g.udp_ip(C4, S4, 50001, 4433, g.dtls_client_hello(sni13, versions=(0xFEFC,),
                                                            cookie=b"\x42" * 16)),
          g.udp_ip(C4, S4, 50002, 4434, cut),
          g.udp_ip(C4, S4, 50003, 4435, bytes(later))]
    return {"files": [pcap("cap.pcap", [g.eth_for(p) for p in pk])], "nflows": 4,
            "flows": [{"proto": "udp", "app": "dtls", "client": {"ip": C4, "port": 50000},
                       "server": {"ip": S4, "port": 5684, "name": sni12, "name_source": "tls_sni"},
                       "tls": {"sni": sni12, "alpn": ["coap"], "version": None,
                               "offered_versions": ["DTLS1.2"]}},
                      {"proto": "udp", "app": "dtls", "client": {"ip": C4, "port": 50001},
                       "server": {"ip": S4, "port": 4433, "name": sni13},
                       "tls": {"sni": sni13, "offered_versions": ["DTLS1.3"]}},
                      {"proto": "udp", "app": "dtls", "client": {"ip": C4, "port": 50002},
                       "server": {"ip": S4, "port": 4434, "name": snifr}, "tls": {"sni": snifr}},
                      {"proto": "udp", "app": "unknown", "client": {"ip": C4, "port": 50003},
                       "server": {"ip": S4, "port": 4435, "name": None}, "tls": None}],
            "check": lambda rep, flows: ["ja4 %s" % f["tls"]["ja4"] for f in flows
                                         if f["tls"] and not f["tls"]["ja4"].startswith("dd")]}


# ------------------------------------------------------------------ DHCP

def c_dhcp_names_devices():
    # a DISCOVER from 0.0.0.0 (no local side) and a REQUEST name the device of chaddr; the
    # server's OFFER names nothing; DHCPv6 SOLICIT (DUID-LLT) names another; a device without
    # DHCP has neither names nor vendor_classes; flows without a DHCP client message have
    # no "dhcp" key
    mac1, mac2 = "0a:00:00:00:00:21", "0a:00:00:00:00:22"
    disc = g.dhcp4(mac1, "car-head-unit", "android-dhcp-13")
    req = g.dhcp4(mac1, "car-head-unit", "android-dhcp-13", msg_type=3)
    offer = g.dhcp4(mac1, op=2, msg_type=2)
    sol = g.dhcp6(mac2, "tcu.vehicle.example", "MSFT 5.0", duid_type=1)
    frames = [g.eth_for(g.udp_ip("0.0.0.0", "255.255.255.255", 68, 67, disc), src=g.MAC_A),
              g.eth_for(g.udp_ip(DNS4, "255.255.255.255", 67, 68, offer), src=g.MAC_B),
              g.eth_for(g.udp_ip("0.0.0.0", "255.255.255.255", 68, 67, req), src=g.MAC_A),
              g.eth_for(g.udp_ip("fe80::22", "ff02::1:2", 546, 547, sol), src=g.MAC_C)]
    s = tls_session()
    frames += [g.eth_for(p) for _, p in s.ip_packets()]

    def check(rep, flows):
        errs = []
        devs = {d["device"]: d for d in rep["devices"]}
        want = {mac1: (["car-head-unit"], ["android-dhcp-13"]),
                mac2: (["tcu.vehicle.example"], ["MSFT 5.0"])}
        for mac, (names, vcs) in want.items():
            d = devs.get(mac)
            if not d or d.get("names") != names or d.get("vendor_classes") != vcs:
                errs.append("device %s: %s" % (mac, d))
        errs += ["device %s has DHCP keys" % k for k, d in devs.items()
                 if k not in want and ("names" in d or "vendor_classes" in d)]
        by_port = {(f["client"]["port"], f["server"]["port"]): f for f in flows}
        if by_port[(68, 67)].get("dhcp") != {"client_mac": mac1, "host_name": "car-head-unit",
                                             "vendor_class": "android-dhcp-13"}:
            errs.append("dhcp flow: %s" % by_port[(68, 67)].get("dhcp"))
        if by_port[(68, 67)]["app"] != "dhcp" or by_port[(546, 547)]["app"] != "dhcpv6":
            errs.append("apps")
        errs += ["dhcp key on %s" % (k,) for k, f in by_port.items()
                 if k not in ((68, 67), (546, 547)) and "dhcp" in f]
        return errs
    return {"files": [pcap("cap.pcap", frames)], "args": ["--no-geo"], "nflows": 4,
            "check": check}


# ------------------------------------------------------------------ CoAP

def c_coap_uri_host():
    # a CoAP GET with Uri-Host names its server (name_source coap_host, domains seen_in
    # coap); the 2.05 response keeps it CoAP; a request without Uri-Host names nothing
    host, srv = "coap.telematics.example", "34.117.0.10"  # a public address: domains table
    req = g.coap_request(host)
    resp = bytes([0x62, 0x45]) + req[2:6] + b"\xffok"
    pk = [g.udp_ip(C4, srv, 50100, 5683, req), g.udp_ip(srv, C4, 5683, 50100, resp),
          g.udp_ip(C4, srv, 50101, 5683, g.coap_request(None, code=2))]

    def check(rep, flows):
        seen = [n.get("seen_in") for d in rep.get("domains", []) for n in d.get("names", [])
                if n.get("name") == host]
        return [] if seen == [["coap"]] else ["domains seen_in %s" % seen]
    return {"files": [pcap("cap.pcap", [g.eth_for(p) for p in pk])], "nflows": 2,
            "check": check,
            "flows": [{"proto": "udp", "app": "coap", "client": {"ip": C4, "port": 50100},
                       "server": {"ip": srv, "port": 5683, "name": host,
                                  "name_source": "coap_host"},
                       "coap": {"uri_host": host, "method": "GET"}},
                      {"proto": "udp", "app": "coap", "client": {"ip": C4, "port": 50101},
                       "server": {"ip": srv, "port": 5683, "name": None},
                       "coap": {"uri_host": None, "method": "POST"}}]}


# ------------------------------------------------------------------ STUN / TURN

def c_stun_turn_realm():
    # a TURN allocation on 3478: the response's REALM (a domain) names the server; its
    # XOR-MAPPED / XOR-RELAYED addresses and SOFTWARE are kept; STUN on another port (by
    # its magic cookie) followed by a DTLS ClientHello on the same flow is DTLS (WebRTC)
    srv = "34.117.0.11"
    req = g.stun_message(0x0003)
    resp = g.stun_message(0x0103, mapped=("198.51.100.7", 40001),
                          relayed=("2001:db8::5", 50000), realm="turn.example.com",
                          software="relay 1.0")
    hello = g.dtls_client_hello("media.example.net")
    pk = [g.udp_ip(C4, srv, 50200, 3478, req), g.udp_ip(srv, C4, 3478, 50200, resp),
          g.udp_ip(C4, srv, 50201, 19302, g.stun_message(0x0001)),
          g.udp_ip(srv, C4, 19302, 50201, g.stun_message(mapped=("198.51.100.7", 40002))),
          g.udp_ip(C4, srv, 50201, 19302, hello)]
    return {"files": [pcap("cap.pcap", [g.eth_for(p) for p in pk])], "nflows": 2,
            "flows": [{"proto": "udp", "app": "stun", "client": {"ip": C4, "port": 50200},
                       "server": {"ip": srv, "port": 3478, "name": "turn.example.com",
                                  "name_source": "stun_realm"},
                       "stun": {"software": "relay 1.0", "realm": "turn.example.com",
                                "mapped_address": "198.51.100.7:40001",
                                "relayed_address": "[2001:db8::5]:50000"}},
                      {"proto": "udp", "app": "dtls", "client": {"ip": C4, "port": 50201},
                       "server": {"ip": srv, "port": 19302, "name": "media.example.net"},
                       "stun": {"realm": None, "mapped_address": "198.51.100.7:40002"},
                       "tls": {"sni": "media.example.net"}}]}


# ------------------------------------------------------------------ HTTP/2 cleartext

def c_h2c_authority():
    # h2c with prior knowledge on port 8080: the HEADERS frame's :authority names the
    # server (the flow is http, named by http_host), its :method and user-agent kept
    s = g.TcpSession(C4, S4, 51400, 8080).handshake()
    s.send("c2s", g.h2c_request("api.vehicle.example"))
    s.send("s2c", bytes(3) + b"\x04\x00" + bytes(4))
    s.close()
    ex = tcp_expect(s, "http", "api.vehicle.example", "http_host", extra={
        "http": {"host": "api.vehicle.example", "method": "GET",
                 "user_agent": "datatrail-test/1.0", "requests": 1}})
    return one_session(s, ex)


# captures that are broken on purpose: `run_cases.py --tshark` accepts tshark's complaints
TSHARK_MALFORMED = {"frag4_overlap_different", "malformed_frames", "not_a_capture",
                    "one_good_one_bad", "pcapng_truncated_block", "tcp_overlap_first_wins",
                    "truncated_file"}

CASES = [(n[2:], f) for n, f in sorted(globals().items()) if n.startswith("c_") and callable(f)]
