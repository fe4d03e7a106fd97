"""pcapgen: build packets and write pcap / pcapng captures (Python 3 standard library only).

Everything returns bytes.  Layers are built inside out: an L4 segment is wrapped in an IP
header, which is wrapped in a link-layer frame, which is written as one record of a capture.

    seg = tcp(src, dst, 51000, 443, seq=1, ack=0, flags=SYN)
    frame = eth(ip(src, dst, TCP, seg))
    write_pcap([Rec(ts_ns, frame)], LINKTYPE_ETHERNET)
"""

import gzip
import ipaddress
import random
import struct
import zlib

# ---------------------------------------------------------------- constants

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_SLIP = 8
LINKTYPE_PPP = 9
LINKTYPE_FDDI = 10
LINKTYPE_RAW = 101
LINKTYPE_C_HDLC = 104
LINKTYPE_IEEE802_11 = 105
LINKTYPE_FRELAY = 107
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_ARCNET_LINUX = 129
LINKTYPE_USER0 = 147
LINKTYPE_PPP_WITH_DIR = 204
LINKTYPE_C_HDLC_WITH_DIR = 205
LINKTYPE_FRELAY_WITH_DIR = 206
LINKTYPE_IPNET = 226
LINKTYPE_NFLOG = 239
LINKTYPE_IPOIB = 242
LINKTYPE_PKTAP = 258
LINKTYPE_LINUX_SLL2 = 276
LINKTYPE_DSA_TAG_BRCM = 281
LINKTYPE_DSA_TAG_BRCM_PREPEND = 282
LINKTYPE_DSA_TAG_DSA = 284
LINKTYPE_DSA_TAG_EDSA = 285

ETH_IPV4 = 0x0800
ETH_ARP = 0x0806
ETH_IPV6 = 0x86DD
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8
ETH_MPLS = 0x8847
ETH_PPPOE = 0x8864
ETH_TEB = 0x6558  # transparent Ethernet bridging (Ethernet inside GRE)
ETH_ERSPAN2 = 0x88BE  # ERSPAN type I (no GRE sequence number) and II
ETH_ERSPAN3 = 0x22EB

ICMP = 1
IPIP = 4
TCP = 6
UDP = 17
IPV6 = 41
GRE = 47
L2TP = 115
ICMPV6 = 58
V6_HOPOPT = 0
V6_ROUTING = 43
V6_FRAGMENT = 44
V6_NONXT = 59
V6_DSTOPTS = 60

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
MAC_C = bytes.fromhex("020000000003")

# 2022-10-24T08:15:00Z
T0_NS = 1666599300 * 10**9

# RFC 9001 Appendix A.2: the complete protected client Initial packet (QUIC v1, DCID
# 8394c8f03e515708, SNI example.com), 1200 bytes.  Python's standard library has no AES,
# so this published packet is used as is.
RFC9001_CLIENT_INITIAL = bytes.fromhex(
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934"
)
assert len(RFC9001_CLIENT_INITIAL) == 1200

# ---------------------------------------------------------------- helpers


def addr(a):
    """'192.0.2.1' or '2001:db8::1' -> ipaddress object."""
    return ipaddress.ip_address(a)


def is_v6(a):
    return addr(a).version == 6


def checksum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _pseudo(src, dst, proto, length):
    s, d = addr(src), addr(dst)
    if s.version == 4:
        return s.packed + d.packed + struct.pack("!BBH", 0, proto, length)
    return s.packed + d.packed + struct.pack("!IxxxB", length, proto)


# ---------------------------------------------------------------- link layers


def eth(payload, ethertype=ETH_IPV4, src=MAC_A, dst=MAC_B, vlans=(), qinq=None):
    """Ethernet II.  vlans: 802.1Q tags (outermost first); qinq: outer 802.1ad S-tag VID."""
    tags = b""
    inner_type = ethertype
    # build from innermost tag outwards
    for vid in reversed(list(vlans)):
        tags = struct.pack("!HH", vid & 0xFFF, inner_type) + tags
        inner_type = ETH_VLAN
    if qinq is not None:
        tags = struct.pack("!HH", qinq & 0xFFF, inner_type) + tags
        inner_type = ETH_QINQ
    return dst + src + struct.pack("!H", inner_type) + tags + payload


def eth_for(ip_packet, **kw):
    """Ethernet frame with the right EtherType for an IPv4/IPv6 packet."""
    et = ETH_IPV6 if ip_packet[0] >> 4 == 6 else ETH_IPV4
    return eth(ip_packet, et, **kw)


def mpls(payload, labels, ttl=64):
    """MPLS label stack (outermost first); bottom-of-stack bit on the last."""
    out = b""
    for i, lab in enumerate(labels):
        bos = 1 if i == len(labels) - 1 else 0
        out += struct.pack("!I", (lab << 12) | (bos << 8) | ttl)
    return out + payload


def pppoe_session(ip_packet, session=0x1234):
    """PPPoE session stage header + PPP protocol field (for EtherType 0x8864)."""
    proto = 0x0057 if ip_packet[0] >> 4 == 6 else 0x0021
    ppp_part = struct.pack("!H", proto) + ip_packet
    return struct.pack("!BBHH", 0x11, 0x00, session, len(ppp_part)) + ppp_part


def ppp(ip_packet, hdlc=True):
    """LINKTYPE_PPP frame: optional ff 03 address/control, then the PPP protocol."""
    proto = 0x0057 if ip_packet[0] >> 4 == 6 else 0x0021
    return (b"\xff\x03" if hdlc else b"") + struct.pack("!H", proto) + ip_packet


def sll(ip_packet, pkttype=0, addr_=MAC_A, proto=None):
    """Linux cooked capture v1 (16-byte header)."""
    if proto is None:
        proto = ETH_IPV6 if ip_packet[0] >> 4 == 6 else ETH_IPV4
    a = (addr_ + b"\0" * 8)[:8]
    return struct.pack("!HHH", pkttype, 1, len(addr_)) + a + struct.pack("!H", proto) + ip_packet


def sll2(ip_packet, pkttype=4, ifindex=2, addr_=MAC_A, proto=None):
    """Linux cooked capture v2 (20-byte header)."""
    if proto is None:
        proto = ETH_IPV6 if ip_packet[0] >> 4 == 6 else ETH_IPV4
    a = (addr_ + b"\0" * 8)[:8]
    return struct.pack("!HHIHBB", proto, 0, ifindex, 1, pkttype, len(addr_)) + a + ip_packet


def null(ip_packet, big_endian=False, af=None):
    """BSD NULL / LOOP header: 4-byte address family (2 = IPv4, 24/28/30 = IPv6)."""
    if af is None:
        af = 30 if ip_packet[0] >> 4 == 6 else 2
    return struct.pack(">I" if big_endian else "<I", af) + ip_packet


def llc_snap(payload, ethertype):
    return b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", ethertype) + payload


def wifi_data(ip_packet, qos=False, to_ds=True, bssid=MAC_C, src=MAC_A, dst=MAC_B, seq=0):
    """IEEE 802.11 data frame (optionally QoS data) carrying LLC/SNAP + IP; no FCS."""
    et = ETH_IPV6 if ip_packet[0] >> 4 == 6 else ETH_IPV4
    subtype = 8 if qos else 0
    fc0 = (subtype << 4) | (2 << 2)  # type 2 = data
    fc1 = 0x01 if to_ds else 0x02
    if to_ds:
        a1, a2, a3 = bssid, src, dst
    else:
        a1, a2, a3 = dst, bssid, src
    hdr = struct.pack("<BBH", fc0, fc1, 0x002C) + a1 + a2 + a3 + struct.pack("<H", seq << 4)
    if qos:
        hdr += struct.pack("<H", 0x0000)
    return hdr + llc_snap(ip_packet, et)


def radiotap(frame80211, rate=0x0C, flags=0x00):
    """Minimal radiotap header: Flags + Rate fields present."""
    present = (1 << 1) | (1 << 2)
    body = struct.pack("<BB", flags, rate)
    return struct.pack("<BBHI", 0, 0, 8 + len(body), present) + body + frame80211


# ---------------------------------------------------------------- IP


def _v6(ip_packet):
    return ip_packet[:1] != b"" and ip_packet[0] >> 4 == 6


def _eth_type_of(ip_packet):
    return ETH_IPV6 if _v6(ip_packet) else ETH_IPV4


def slip(ip_packet, direction=1):
    """LINKTYPE_SLIP: direction byte, 15 bytes of (compressed) header copy, the IP packet."""
    return bytes([direction, 0x40]) + bytes(14) + ip_packet


def fddi(ip_packet, fc=0x50, src=MAC_A, dst=MAC_B):
    """FDDI: frame control (async LLC), destination, source, LLC/SNAP with an ethertype."""
    return bytes([fc]) + dst + src + llc_snap(ip_packet, _eth_type_of(ip_packet))


def c_hdlc(ip_packet, addr=0x0F):
    """Cisco HDLC: address, control, ethertype."""
    return bytes([addr, 0]) + struct.pack("!H", _eth_type_of(ip_packet)) + ip_packet


def frelay(ip_packet, mode="nlpid", dlci=100):
    """Frame Relay: 2-byte Q.922 address, then RFC 2427 NLPID ("nlpid"), RFC 2427 SNAP
    ("snap") or Cisco's ethertype ("cisco")."""
    addr = struct.pack("!BB", (dlci >> 4) << 2, ((dlci & 15) << 4) | 1)
    if mode == "cisco":
        return addr + struct.pack("!H", _eth_type_of(ip_packet)) + ip_packet
    if mode == "snap":
        return addr + b"\x03\x00\x80\x00\x00\x00" + struct.pack("!H", _eth_type_of(ip_packet)) \
            + ip_packet
    nlpid = 0x8E if _v6(ip_packet) else 0xCC
    return addr + bytes([0x03, nlpid]) + ip_packet


def with_dir(frame, direction=1):
    """The *_WITH_DIR link types: a direction byte (0 received, 1 sent) before the frame."""
    return bytes([direction]) + frame


def arcnet_linux(ip_packet, src=1, dst=2, rfc1051=False, split_flag=0, exception=False):
    """ARCNET with the Linux header: source, destination, offset (2), protocol (212 IPv4,
    0xc4 IPv6; 240 for RFC 1051's IPv4 without split flag and sequence)."""
    if rfc1051:
        return struct.pack("!BBHB", src, dst, 0, 240) + ip_packet
    proto = 0xC4 if _v6(ip_packet) else 212
    if exception:  # RFC 1201: protocol, flag 0xff, 2 filler bytes, then the usual header
        h = struct.pack("!BBHBBH", src, dst, 0, proto, 0xFF, 0xFFFF)
        return h + struct.pack("!BBH", proto, split_flag, 7) + ip_packet
    h = struct.pack("!BBHBBH", src, dst, 0, proto, split_flag, 7)
    return h + ip_packet


def ipnet(ip_packet, version=1):
    """Solaris ipnet pseudo-header (24 bytes, big-endian): version, family (2 or 26), ..."""
    fam = 26 if _v6(ip_packet) else 2
    return struct.pack("!BBHIIIII", version, fam, 0, len(ip_packet), 2, 0, 0, 0) + ip_packet


def ipoib(ip_packet, qpn=0x48, gid=bytes.fromhex("fe800000000000000002c90300a1b2c3")):
    """IP over InfiniBand as libpcap writes it: a 40-byte pseudo-header (here: no global route
    header, the destination queue pair and GID in its second half), then RFC 4391's
    encapsulation header (ethertype, 2 reserved bytes)."""
    pseudo = bytes(20) + struct.pack("!I", qpn) + gid
    return pseudo + struct.pack("!HH", _eth_type_of(ip_packet), 0) + ip_packet


def nflog(ip_packet, big_endian=False, prefix=b"datatrail", uid=None, family=None):
    """Linux NFLOG: family, version 0, resource id (big-endian), then TLVs (length, type in
    the capturing host's byte order, values padded to 4): prefix, [uid], payload."""
    e = ">" if big_endian else "<"
    if family is None:
        family = 10 if _v6(ip_packet) else 2

    def tlv(t, v):
        return struct.pack(e + "HH", 4 + len(v), t) + v + b"\0" * ((-len(v)) % 4)
    body = tlv(1, struct.pack("!HBB", _eth_type_of(ip_packet), 3, 0))  # NFULA_PACKET_HDR
    body += tlv(10, prefix + b"\0")  # NFULA_PREFIX
    if uid is not None:
        body += tlv(11, struct.pack("!I", uid))  # NFULA_UID
    body += tlv(9, ip_packet)  # NFULA_PAYLOAD
    return struct.pack("!BBH", family, 0, 0) + body


def pktap(frame, dlt=1, pid=321, comm=b"Safari", epid=None, ecomm=None, ifname=b"en0",
          next_type=1, length=156):
    """Apple PKTAP header (little-endian, 156 bytes) before a frame of DLT dlt: interface,
    process (pid, comm) and effective process (epid, ecomm; default: the same)."""
    epid = pid if epid is None else epid
    ecomm = comm if ecomm is None else ecomm
    h = struct.pack("<III24sIIIIi17s3xIHHi17s3xII8s16s16s", length, next_type, dlt, ifname, 0,
                    2, 0, 0, pid, comm, 0, 6, 0, epid, ecomm, 0, 6, b"", b"", b"")
    assert len(h) == 156
    return h[:length] + b"\0" * (length - len(h)) + frame


def dsa_tagged(ip_packet, tag, src=MAC_A, dst=MAC_B, prepend=False):
    """Ethernet with a switch tag between the source address and the type (Broadcom,
    Marvell DSA/EDSA), or before the whole frame (Broadcom prepend)."""
    t = struct.pack("!H", _eth_type_of(ip_packet))
    if prepend:
        return tag + dst + src + t + ip_packet
    return dst + src + tag + t + ip_packet


BRCM_TAG = bytes.fromhex("20000003")
MARVELL_DSA_TAG = bytes.fromhex("c0080000")
MARVELL_EDSA_TAG = bytes.fromhex("dada0000c0080000")


def pcapdroid(ip_packet, uid=10123, app=b"com.example.app", magic=0x01072021):
    """PCAPdroid's "PCAP with trailer" frame: a made-up Ethernet header, the IP packet,
    padding to 4 bytes, then magic, UID, app name (20 bytes), CRC-32 of the frame."""
    frame = bytes(12) + struct.pack("!H", _eth_type_of(ip_packet)) + ip_packet
    frame += b"\0" * ((-len(frame)) % 4)
    frame += struct.pack("!Ii20s", magic, uid, app)
    return frame + struct.pack("<I", zlib.crc32(frame))


def ipv4(src, dst, proto, payload, ttl=64, ident=0, df=False, mf=False, frag_off=0, options=b"",
         tos=0, total_len=None):
    """IPv4 header with correct checksum.  options is padded to a multiple of 4 bytes.
    frag_off is in bytes (must be a multiple of 8)."""
    if len(options) % 4:
        options += b"\0" * (4 - len(options) % 4)
    ihl = 5 + len(options) // 4
    tl = total_len if total_len is not None else ihl * 4 + len(payload)
    fl = (0x4000 if df else 0) | (0x2000 if mf else 0) | ((frag_off // 8) & 0x1FFF)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, tl, ident, fl, ttl, proto, 0,
                    addr(src).packed, addr(dst).packed) + options
    c = checksum(h)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def ip_opt_rr(slots=2):
    """IPv4 Record Route option (type 7) with empty slots, followed by NOP/EOL padding."""
    return struct.pack("!BBB", 7, 3 + 4 * slots, 4) + b"\0" * (4 * slots)


def ip_opt_router_alert():
    return b"\x94\x04\x00\x00"


def v6_ext(nh, body):
    """Hop-by-hop / destination options style extension header (padded with PadN)."""
    raw = bytes([nh, 0]) + body
    pad = (-len(raw)) % 8
    if pad == 1:
        raw += b"\0"  # Pad1
    elif pad:
        raw += bytes([1, pad - 2]) + b"\0" * (pad - 2)
    return bytes([nh, len(raw) // 8 - 1]) + raw[2:]


def v6_routing(nh, final_dst):
    """Segment Routing header (type 4) with segments left 0 and the final destination."""
    segs = addr(final_dst).packed
    return struct.pack("!BBBBBBH", nh, 2, 4, 0, 0, 0, 0) + segs


def ipv6(src, dst, nh, payload, hlim=64, ext=(), flow=0, tc=0):
    """IPv6 header.  ext: list of (type, builder) where builder(next_header) -> bytes, in order
    of appearance.  nh is the upper-layer protocol."""
    chain = b""
    next_types = [t for t, _ in ext] + [nh]
    for i, (_, build) in enumerate(ext):
        chain += build(next_types[i + 1])
    first = next_types[0]
    body = chain + payload
    return struct.pack("!IHBB16s16s", (6 << 28) | (tc << 20) | flow, len(body), first, hlim,
                       addr(src).packed, addr(dst).packed) + body


def ext_hbh(body=b"\x05\x02\x00\x00"):
    """Hop-by-hop options (router alert by default)."""
    return (V6_HOPOPT, lambda nh: v6_ext(nh, body))


def ext_dstopts(body=b""):
    return (V6_DSTOPTS, lambda nh: v6_ext(nh, body))


def ext_routing(final_dst):
    return (V6_ROUTING, lambda nh: v6_routing(nh, final_dst))


def ip(src, dst, proto, payload, **kw):
    """IPv4 or IPv6 depending on the address family."""
    if is_v6(src):
        return ipv6(src, dst, proto, payload, **kw)
    return ipv4(src, dst, proto, payload, **kw)


def ipv4_fragments(src, dst, proto, l4, pieces, ident=0x4242, ttl=64, override=None):
    """Fragments of one IPv4 datagram carrying l4 (transport header + payload).
    pieces: list of (offset, length) in bytes, in the order to emit.  override: optional
    dict index -> bytes replacing that fragment's data (overlap with different bytes)."""
    out = []
    for i, (off, n) in enumerate(pieces):
        data = l4[off:off + n]
        if override and i in override:
            data = override[i]
        mf = off + n < len(l4)
        out.append(ipv4(src, dst, proto, data, ttl=ttl, ident=ident, mf=mf, frag_off=off))
    return out


def ipv6_fragments(src, dst, nh, l4, pieces, ident=0x01020304, override=None):
    """Fragments of one IPv6 packet: each has a Fragment header after the fixed header."""
    out = []
    for i, (off, n) in enumerate(pieces):
        data = l4[off:off + n]
        if override and i in override:
            data = override[i]
        m = 1 if off + n < len(l4) else 0
        fh = struct.pack("!BBHI", nh, 0, (off // 8) << 3 | m, ident)
        body = fh + data
        out.append(struct.pack("!IHBB16s16s", 6 << 28, len(body), V6_FRAGMENT, 64,
                               addr(src).packed, addr(dst).packed) + body)
    return out


def icmp_echo(ident=1, seq=1, data=b"ping" * 8, reply=False):
    h = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident, seq) + data
    return h[:2] + struct.pack("!H", checksum(h)) + h[4:]


def icmp6_echo(src, dst, ident=1, seq=1, data=b"ping" * 8, reply=False):
    h = struct.pack("!BBHHH", 129 if reply else 128, 0, 0, ident, seq) + data
    c = checksum(_pseudo(src, dst, ICMPV6, len(h)) + h)
    return h[:2] + struct.pack("!H", c) + h[4:]


# ---------------------------------------------------------------- TCP / UDP


def tcp_opts_syn(mss=1460, wscale=7, sack=True, ts=None):
    o = struct.pack("!BBH", 2, 4, mss)
    if sack:
        o += b"\x04\x02"
    if ts is not None:
        o += struct.pack("!BBII", 8, 10, ts, 0)
    if wscale is not None:
        o += b"\x01" + struct.pack("!BBB", 3, 3, wscale)
    return o


def tcp(src, dst, sport, dport, seq=0, ack=0, flags=ACK, payload=b"", window=65535, options=b""):
    """TCP segment with correct checksum (options padded with NOP/EOL to 4 bytes)."""
    if len(options) % 4:
        options += b"\0" * (4 - len(options) % 4)
    off = (5 + len(options) // 4) << 12
    h = struct.pack("!HHIIHHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off | flags,
                    window, 0, 0) + options
    seg = h + payload
    c = checksum(_pseudo(src, dst, TCP, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(src, dst, sport, dport, payload):
    """UDP datagram with correct checksum (0 is sent as 0xffff)."""
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = checksum(_pseudo(src, dst, UDP, len(seg)) + seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def udp_ip(src, dst, sport, dport, payload, **kw):
    return ip(src, dst, UDP, udp(src, dst, sport, dport, payload), **kw)


# ---------------------------------------------------------------- tunnels


def gre(inner, proto=None, key=None, seq=None):
    """GRE (RFC 2784/2890) header with optional key and sequence number."""
    if proto is None:
        proto = ETH_IPV6 if inner[0] >> 4 == 6 else ETH_IPV4
    flags = (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    h = struct.pack("!HH", flags, proto)
    if key is not None:
        h += struct.pack("!I", key)
    if seq is not None:
        h += struct.pack("!I", seq)
    return h + inner


def vxlan(inner_eth, vni=42):
    """VXLAN header (RFC 7348); carry it in UDP to port 4789."""
    return struct.pack("!II", 0x08000000, vni << 8) + inner_eth


def gtpu(inner_ip, teid=0x11223344, ext=True):
    """GTP-U G-PDU (message type 255), optionally with a PDU Session Container extension."""
    body = inner_ip
    if ext:
        # seq(2) npdu(1) next ext type 0x85; ext: len 1 (4 bytes): 2 bytes content, next 0
        opt = struct.pack("!HBB", 0, 0, 0x85) + bytes([1, 0x10, 0x09, 0x00])
        flags = 0x34  # version 1, PT 1, E 1
        return struct.pack("!BBHI", flags, 0xFF, len(opt) + len(body), teid) + opt + body
    return struct.pack("!BBHI", 0x30, 0xFF, len(body), teid) + body


def geneve(inner, proto=ETH_TEB, vni=7, options=b"", version=0):
    """Geneve (RFC 8926) header with options (a multiple of 4 bytes); UDP to port 6081."""
    return struct.pack("!BBHI", version << 6 | len(options) // 4, 0, proto, vni << 8) + options \
        + inner


def geneve_option(cls=0x0103, typ=0x80, data=b"\0" * 4):
    return struct.pack("!HBB", cls, typ, len(data) // 4) + data


def erspan(inner_eth, kind=2, session=5, ip_payload=False, subheader=False, version=None):
    """GRE carrying ERSPAN: type I (0x88be, no GRE sequence), II (0x88be, sequence, 8-byte
    header) or III (0x22eb, 12-byte header, [8-byte subheader]); ip_payload: III's frame
    type 2 (an IP packet instead of Ethernet)."""
    if kind == 1:
        return struct.pack("!HH", 0, ETH_ERSPAN2) + inner_eth
    gre_h = struct.pack("!HHI", 0x1000, ETH_ERSPAN2 if kind == 2 else ETH_ERSPAN3, 1)
    if kind == 2:
        v = 1 if version is None else version
        return gre_h + struct.pack("!HHI", v << 12 | 10, session, 0) + inner_eth
    v = 2 if version is None else version
    flags = (2 if ip_payload else 0) << 10 | (1 if subheader else 0)
    h = struct.pack("!HHIHH", v << 12 | 10, session, 0x12345678, 0, flags)
    return gre_h + h + (bytes(8) if subheader else b"") + inner_eth


def l2tpv2(ppp_frame, tunnel=1, session=2, length=True, seq=False, offset=None, control=False):
    """L2TPv2 (RFC 2661) data message (UDP port 1701) carrying a PPP frame."""
    flags = 0x0002 | (0x8000 if control else 0) | (0x4000 if length else 0) \
        | (0x0800 if seq else 0) | (0x0200 if offset is not None else 0)
    rest = struct.pack("!HH", tunnel, session)
    if seq:
        rest += struct.pack("!HH", 0, 0)
    if offset is not None:
        rest += struct.pack("!H", offset) + bytes(offset)
    if length:
        return struct.pack("!HH", flags, 4 + len(rest) + len(ppp_frame)) + rest + ppp_frame
    return struct.pack("!H", flags) + rest + ppp_frame


def l2tpv3(payload, session=0x1234, cookie=b"", sublayer=False, udp=False):
    """L2TPv3 (RFC 3931) data message: over IP (protocol 115) or over UDP (flags, version 3,
    reserved first), session id, cookie, optional default L2-specific sublayer."""
    h = struct.pack("!HH", 0x0003, 0) if udp else b""
    h += struct.pack("!I", session) + cookie + (b"\x40\x00\x00\x01" if sublayer else b"")
    return h + payload


def teredo(ipv6_packet, auth=False, origin=False):
    """Teredo (RFC 4380): [authentication indicator] [origin indication] IPv6 packet."""
    h = b""
    if auth:
        h += struct.pack("!HBB", 1, 3, 2) + b"cid" + b"au" + bytes(8) + b"\0"
    if origin:
        h += struct.pack("!HHI", 0, 0xFFFF ^ 3544, 0xFFFFFFFF ^ 0xC0000201)
    return h + ipv6_packet


# ---------------------------------------------------------------- application payloads


def _u16len(b):
    return struct.pack("!H", len(b)) + b


def _ext(t, body):
    return struct.pack("!HH", t, len(body)) + body


def tls_client_hello_msg(sni=None, alpn=(), versions=(0x0304, 0x0303), grease=True, ech=False,
                         rnd=None, legacy_version=0x0303):
    """The ClientHello handshake message (type 1 + 3-byte length + body)."""
    rnd = rnd if rnd is not None else bytes(range(32))
    suites = ([0x0A0A] if grease else []) + [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C,
                                             0xC030, 0xCCA9, 0xCCA8, 0x009C, 0x002F]
    body = struct.pack("!H", legacy_version) + rnd + b"\x20" + bytes(range(32, 64))
    body += _u16len(b"".join(struct.pack("!H", s) for s in suites)) + b"\x01\x00"
    exts = b""
    if grease:
        exts += _ext(0x1A1A, b"")
    if sni is not None:
        n = sni.encode() if isinstance(sni, str) else sni
        exts += _ext(0, _u16len(b"\x00" + _u16len(n)))
    exts += _ext(23, b"")  # extended master secret
    exts += _ext(65281, b"\x00")  # renegotiation info
    exts += _ext(10, _u16len(b"\x0a\x0a\x00\x1d\x00\x17\x00\x18"))  # supported groups
    exts += _ext(11, b"\x01\x00")  # ec point formats
    if alpn:
        lst = b"".join(bytes([len(a)]) + a.encode() for a in alpn)
        exts += _ext(16, _u16len(lst))
    exts += _ext(13, _u16len(b"\x04\x03\x08\x04\x04\x01\x05\x03\x08\x05\x05\x01"))
    exts += _ext(51, _u16len(b"\x00\x1d" + _u16len(bytes(range(32)))))  # key share x25519
    if versions:
        vl = ([0x3A3A] if grease else []) + list(versions)
        vb = b"".join(struct.pack("!H", v) for v in vl)
        exts += _ext(43, bytes([len(vb)]) + vb)
    if ech:
        # outer ECH extension: type outer(0), kdf 1, aead 1, config id, enc, payload
        exts += _ext(0xFE0D, b"\x00\x00\x01\x00\x01\x2a" + _u16len(bytes(32)) + _u16len(bytes(64)))
    if grease:
        exts += _ext(0x2A2A, b"\x00")
    body += _u16len(exts)
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def tls_records(msg, content_type=0x16, record_version=0x0301, split=None):
    """Wrap a handshake message into TLS records; split: list of fragment sizes (the rest goes
    into a last record)."""
    out, pos = b"", 0
    for n in (split or []):
        frag = msg[pos:pos + n]
        out += struct.pack("!BHH", content_type, record_version, len(frag)) + frag
        pos += n
    if pos < len(msg):
        frag = msg[pos:]
        out += struct.pack("!BHH", content_type, record_version, len(frag)) + frag
    return out


def tls_client_hello(sni=None, alpn=(), split=None, **kw):
    """ClientHello in one or several TLS records."""
    return tls_records(tls_client_hello_msg(sni, alpn, **kw), split=split)


def dtls_client_hello(sni=None, alpn=(), cookie=b"", versions=(0xFEFD,), record_version=0xFEFF,
                      frag_len=None, epoch=0):
    """One DTLS record (RFC 6347 / 9147) with a ClientHello: the TLS body with a cookie after
    the session id, under a 12-byte handshake header (message_seq 0, fragment offset 0,
    fragment_length frag_len or whole) and a 13-byte record header."""
    msg = tls_client_hello_msg(sni, alpn, versions=versions, grease=False, legacy_version=0xFEFD)
    body = msg[4:]
    body = body[:2 + 32 + 33] + bytes([len(cookie)]) + cookie + body[2 + 32 + 33:]
    n = len(body) if frag_len is None else frag_len
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + struct.pack("!H", 0) + b"\0\0\0" + \
        struct.pack("!I", n)[1:] + body[:n]
    return struct.pack("!BHH", 0x16, record_version, epoch) + b"\0" * 6 + \
        struct.pack("!H", len(hs)) + hs


def dhcp4(mac, host=None, vendor=None, op=1, msg_type=1):
    """A DHCP message (RFC 2131): BOOTP header with chaddr, magic cookie, option 53, then
    12 (host name) and 60 (vendor class) when given, end."""
    mb = bytes.fromhex(mac.replace(":", ""))
    hdr = struct.pack("!BBBBIHH", op, 1, 6, 0, 0x3903F326, 0, 0x8000) + bytes(16)
    hdr += mb + bytes(10) + bytes(64 + 128)
    opts = b"\x35\x01" + bytes([msg_type])
    for code, val in ((12, host), (60, vendor)):
        if val is not None:
            opts += bytes([code, len(val)]) + val.encode()
    return hdr + struct.pack("!I", 0x63825363) + opts + b"\xff"


def dhcp6(mac, fqdn=None, vendor=None, msg_type=1, duid_type=3):
    """A DHCPv6 message (RFC 8415): type, transaction id, client id (DUID-LL or -LLT of
    mac), option 39 (client FQDN, DNS labels) and 16 (vendor class) when given."""
    mb = bytes.fromhex(mac.replace(":", ""))
    duid = struct.pack("!HH", duid_type, 1) + (b"\0\0\0\x01" if duid_type == 1 else b"") + mb
    out = bytes([msg_type]) + b"\x12\x34\x56" + struct.pack("!HH", 1, len(duid)) + duid
    if fqdn is not None:
        name = b"".join(bytes([len(l)]) + l.encode() for l in fqdn.split(".")) + b"\0"
        out += struct.pack("!HH", 39, 1 + len(name)) + b"\x01" + name
    if vendor is not None:
        v = struct.pack("!I", 311) + struct.pack("!H", len(vendor)) + vendor.encode()
        out += struct.pack("!HH", 16, len(v)) + v
    return out


def coap_request(host=None, code=1, mid=0x1234, token=b"\xaa\xbb", path="rd"):
    """A confirmable CoAP request (RFC 7252): Uri-Host (3) when given, Uri-Path (11)."""
    out = bytes([0x40 | len(token), code]) + struct.pack("!H", mid) + token
    last = 0
    for num, val in ((3, host), (11, path)):
        if val is None:
            continue
        v, d = val.encode(), num - last
        last = num
        ln = len(v)
        out += bytes([(d << 4) | (ln if ln < 13 else 13)]) + (bytes([ln - 13]) if ln >= 13 else b"")
        out += v
    return out


def stun_message(mtype=0x0101, txid=bytes(range(1, 13)), mapped=None, relayed=None,
                 realm=None, software=None):
    """A STUN message (RFC 8489): XOR-MAPPED-ADDRESS / XOR-RELAYED-ADDRESS (ip, port),
    REALM and SOFTWARE when given; attributes padded to 4 bytes."""
    cookie = struct.pack("!I", 0x2112A442)

    def attr(t, v):
        return struct.pack("!HH", t, len(v)) + v + bytes((4 - len(v) % 4) % 4)

    def xaddr(ip, port):
        a = addr(ip).packed
        key = cookie + txid
        fam = 1 if len(a) == 4 else 2
        return struct.pack("!BBH", 0, fam, port ^ 0x2112) + bytes(x ^ key[i] for i, x in enumerate(a))
    body = b""
    for t, v in ((0x0020, mapped), (0x0016, relayed)):
        if v:
            body += attr(t, xaddr(*v))
    for t, v in ((0x0014, realm), (0x8022, software)):
        if v is not None:
            body += attr(t, v.encode())
    return struct.pack("!HH", mtype, len(body)) + cookie + txid + body


def h2c_request(authority, method_index=2, user_agent="datatrail-test/1.0"):
    """HTTP/2 prior-knowledge preface, an empty SETTINGS frame and a HEADERS frame whose
    HPACK block has :method (indexed), :scheme http (indexed 6), :path / (indexed 4),
    :authority and user-agent as literals without Huffman coding."""
    def lit(index, value):  # literal with incremental indexing, indexed name (< 63)
        v = value.encode()
        return bytes([0x40 | index, len(v)]) + v
    block = bytes([0x80 | method_index, 0x86, 0x84]) + lit(1, authority) + \
        bytes([0x0f, 58 - 15, len(user_agent)]) + user_agent.encode()
    frame = struct.pack("!I", len(block))[1:] + bytes([1, 0x05]) + struct.pack("!I", 1) + block
    return b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes(3) + b"\x04\x00" + bytes(4) + frame


def tls_server_hello(tls13=True, cipher=0x1301, rnd=None):
    rnd = rnd if rnd is not None else bytes(range(100, 132))
    body = b"\x03\x03" + rnd + b"\x20" + bytes(range(32, 64)) + struct.pack("!H", cipher) + b"\x00"
    exts = b""
    if tls13:
        exts += _ext(43, b"\x03\x04")
        exts += _ext(51, b"\x00\x1d" + _u16len(bytes(range(1, 33))))
    else:
        exts += _ext(65281, b"\x00") + _ext(23, b"")
    body += _u16len(exts)
    msg = b"\x02" + struct.pack("!I", len(body))[1:] + body
    out = tls_records(msg, record_version=0x0303)
    if tls13:
        out += b"\x14\x03\x03\x00\x01\x01"  # change cipher spec (middlebox compat)
    return out


def tls_app_data(n, fill=0x17):
    """One TLS application-data record with n opaque bytes."""
    return struct.pack("!BHH", 0x17, 0x0303, n) + bytes([fill]) * n


DNS_TYPES = {"A": 1, "NS": 2, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28, "HTTPS": 65}
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "REFUSED": 5}


class _NameWriter:
    """Encodes DNS names with compression pointers to earlier suffixes."""

    def __init__(self, compress=True):
        self.buf = b""
        self.seen = {}
        self.compress = compress

    def name(self, n):
        labels = [x for x in n.rstrip(".").split(".") if x]
        out = b""
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if self.compress and suffix in self.seen:
                return out + struct.pack("!H", 0xC000 | self.seen[suffix])
            pos = len(self.buf) + len(out)
            if pos < 0x3FFF:
                self.seen[suffix] = pos
            lab = labels[i].encode()
            out += bytes([len(lab)]) + lab
        return out + b"\0"

    def add(self, b):
        self.buf += b


def dns_message(ident, qname, qtype="A", answers=(), response=False, rcode="NOERROR",
                compress=True, rd=True):
    """DNS message.  answers: list of (name, type, ttl, value) where value is an address
    string for A/AAAA and a name for CNAME."""
    w = _NameWriter(compress)
    flags = (0x8000 if response else 0) | (0x0100 if rd else 0) | (0x0080 if response else 0)
    flags |= RCODES[rcode] if response else 0
    w.add(struct.pack("!HHHHHH", ident, flags, 1, len(answers), 0, 0))
    w.add(w.name(qname) + struct.pack("!HH", DNS_TYPES[qtype], 1))
    for name, t, ttl, val in answers:
        w.add(w.name(name) + struct.pack("!HHI", DNS_TYPES[t], 1, ttl))
        if t in ("A", "AAAA"):
            rd_ = addr(val).packed
            w.add(struct.pack("!H", len(rd_)) + rd_)
        else:
            # rdata name: the writer position is after the 2-byte rdlength
            w.add(b"\0\0")
            start = len(w.buf)
            rd_ = w.name(val)
            w.buf = w.buf[:start - 2] + struct.pack("!H", len(rd_))
            w.add(rd_)
    return w.buf


def dns_query(ident, qname, qtype="A"):
    return dns_message(ident, qname, qtype)


def dns_response(ident, qname, qtype="A", answers=(), rcode="NOERROR", compress=True):
    return dns_message(ident, qname, qtype, answers, True, rcode, compress)


def dns_chain(qname, chain, addrs, qtype="A", ttl=300):
    """Answers for qname -> CNAME chain[0] -> ... -> chain[-1] -> addrs."""
    ans, cur = [], qname
    for c in chain:
        ans.append((cur, "CNAME", ttl, c))
        cur = c
    for a in addrs:
        ans.append((cur, qtype, ttl, a))
    return ans


def http_request(host, path="/", method="GET", user_agent="datatrail-test/1.0", body=b"",
                 extra=()):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host]
    if user_agent is not None:
        lines.append("User-Agent: %s" % user_agent)
    lines += list(extra)
    if body:
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def http_response(status=204, body=b"", reason="No Content"):
    head = "HTTP/1.1 %d %s\r\nContent-Length: %d\r\n\r\n" % (status, reason, len(body))
    return head.encode() + body


def _mqtt_len(n):
    out = b""
    while True:
        b = n % 128
        n //= 128
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def mqtt_connect(client_id="vehicle-0001", keepalive=60, username=None):
    flags = 0x02 | (0x80 if username else 0)
    var = _u16len(b"MQTT") + bytes([4, flags]) + struct.pack("!H", keepalive)
    pl = _u16len(client_id.encode()) + (_u16len(username.encode()) if username else b"")
    body = var + pl
    return b"\x10" + _mqtt_len(len(body)) + body


def mqtt_publish(topic, payload):
    body = _u16len(topic.encode()) + payload
    return b"\x30" + _mqtt_len(len(body)) + body


def ntp_packet(ts_ns, client=True):
    """NTPv4 client (mode 3) or server (mode 4) packet with transmit timestamp."""
    secs = ts_ns // 10**9 + 2208988800
    frac = ((ts_ns % 10**9) << 32) // 10**9
    if client:
        return bytes([0x23]) + bytes(39) + struct.pack("!II", secs, frac)
    ref = struct.pack("!II", secs - 10, 0)
    return (bytes([0x24, 2, 6, 0xE9]) + bytes(8) + b"GPS\0" + ref + ref + ref
            + struct.pack("!II", secs, frac))


# ---------------------------------------------------------------- TCP sessions


class Seg:
    """One TCP segment of a session: direction 'c2s' or 's2c'."""

    __slots__ = ("dir", "seq", "ack", "flags", "payload", "options", "dt_ns")

    def __init__(self, d, seq, ack, flags, payload=b"", options=b"", dt_ns=1000000):
        self.dir, self.seq, self.ack, self.flags = d, seq, ack, flags
        self.payload, self.options, self.dt_ns = payload, options, dt_ns


class TcpSession:
    """A TCP conversation as a list of segments.  Build it step by step:

        s = TcpSession("192.168.1.20", "203.0.113.7", 51000, 443, mss=1400)
        s.handshake(); s.send("c2s", data); s.send("s2c", reply); s.close()
        frames = s.ip_packets()

    Knobs: isn_c/isn_s (use near 2**32 for wrap), midstream (skip handshake), and per-send
    options drop (indices of segments never emitted: a gap), reorder (swap pairs),
    retransmit (indices re-sent), overlap (index -> bytes re-sent over that range).
    c2s_data / s2c_data accumulate the intended byte streams."""

    def __init__(self, cli, srv, cport, sport, mss=1460, isn_c=1000, isn_s=5000, window=65535):
        self.cli, self.srv, self.cport, self.sport = cli, srv, cport, sport
        self.mss, self.window = mss, window
        self.nxt = {"c2s": isn_c & 0xFFFFFFFF, "s2c": isn_s & 0xFFFFFFFF}
        self.segs = []
        self.data = {"c2s": b"", "s2c": b""}
        self.delivered = {"c2s": None, "s2c": None}  # stream prefix before the first gap

    def _ack(self, d):
        other = "s2c" if d == "c2s" else "c2s"
        return self.nxt[other]

    def handshake(self, mss_opt=True):
        self.segs.append(Seg("c2s", self.nxt["c2s"], 0, SYN,
                             options=tcp_opts_syn(self.mss) if mss_opt else b""))
        self.nxt["c2s"] = (self.nxt["c2s"] + 1) & 0xFFFFFFFF
        self.segs.append(Seg("s2c", self.nxt["s2c"], self.nxt["c2s"], SYN | ACK,
                             options=tcp_opts_syn(self.mss) if mss_opt else b""))
        self.nxt["s2c"] = (self.nxt["s2c"] + 1) & 0xFFFFFFFF
        self.segs.append(Seg("c2s", self.nxt["c2s"], self.nxt["s2c"], ACK))
        return self

    def send(self, d, data, drop=(), reorder=(), retransmit=(), overlap=None, ack_after=True,
             dt_ns=1000000):
        """Send data in MSS-sized segments in direction d."""
        pieces = []
        pos = 0
        while pos < len(data):
            chunk = data[pos:pos + self.mss]
            pieces.append(Seg(d, (self.nxt[d] + pos) & 0xFFFFFFFF, self._ack(d), PSH | ACK, chunk,
                              dt_ns=dt_ns))
            pos += len(chunk)
        if drop and self.delivered[d] is None:
            first = min(drop)
            self.delivered[d] = self.data[d] + data[:first * self.mss]
        out = []
        for i, p in enumerate(pieces):
            if i in drop:
                continue
            out.append(p)
            if i in retransmit:
                out.append(Seg(d, p.seq, p.ack, p.flags, p.payload, dt_ns=dt_ns))
        for a, b in reorder:
            out[a], out[b] = out[b], out[a]
        # overlapping re-sends with different bytes come after every original segment, so a
        # "first copy wins" reassembler keeps the original data
        for i in sorted(overlap or {}):
            p = pieces[i]
            out.append(Seg(d, p.seq, p.ack, p.flags, overlap[i], dt_ns=dt_ns))
        self.segs.extend(out)
        self.data[d] += data
        self.nxt[d] = (self.nxt[d] + len(data)) & 0xFFFFFFFF
        if ack_after:
            o = "s2c" if d == "c2s" else "c2s"
            self.segs.append(Seg(o, self.nxt[o], self.nxt[d], ACK))
        return self

    def close(self, rst=False, by="c2s"):
        o = "s2c" if by == "c2s" else "c2s"
        if rst:
            self.segs.append(Seg(by, self.nxt[by], self.nxt[o], RST | ACK))
            return self
        self.segs.append(Seg(by, self.nxt[by], self.nxt[o], FIN | ACK))
        self.nxt[by] = (self.nxt[by] + 1) & 0xFFFFFFFF
        self.segs.append(Seg(o, self.nxt[o], self.nxt[by], FIN | ACK))
        self.nxt[o] = (self.nxt[o] + 1) & 0xFFFFFFFF
        self.segs.append(Seg(by, self.nxt[by], self.nxt[o], ACK))
        return self

    def stream(self, d):
        """The byte stream a correct reassembler delivers for direction d."""
        return self.delivered[d] if self.delivered[d] is not None else self.data[d]

    def l4(self, s):
        if s.dir == "c2s":
            return tcp(self.cli, self.srv, self.cport, self.sport, s.seq, s.ack, s.flags,
                       s.payload, self.window, s.options)
        return tcp(self.srv, self.cli, self.sport, self.cport, s.seq, s.ack, s.flags, s.payload,
                   self.window, s.options)

    def ip_packets(self, **ipkw):
        """[(seg, ip_packet)] in emission order."""
        out = []
        for s in self.segs:
            src, dst = (self.cli, self.srv) if s.dir == "c2s" else (self.srv, self.cli)
            out.append((s, ip(src, dst, TCP, self.l4(s), **ipkw)))
        return out

    def counters(self, ipkw=None):
        """Expected per-side counters: {'c2s': {packets, bytes, payload}, 's2c': {...}}."""
        res = {"c2s": {"packets": 0, "bytes": 0, "payload": 0},
               "s2c": {"packets": 0, "bytes": 0, "payload": 0}}
        for s, pkt in self.ip_packets(**(ipkw or {})):
            r = res[s.dir]
            r["packets"] += 1
            r["bytes"] += len(pkt)
            r["payload"] += len(s.payload)
        return res


# ---------------------------------------------------------------- capture records & writers


class Rec:
    """One captured frame: timestamp (ns since epoch), frame bytes, interface index (pcapng),
    original length (defaults to len(data)), optional comment (pcapng)."""

    __slots__ = ("ts_ns", "data", "iface", "wirelen", "comment")

    def __init__(self, ts_ns, data, iface=0, wirelen=None, comment=None):
        self.ts_ns, self.data, self.iface = ts_ns, data, iface
        self.wirelen = len(data) if wirelen is None else wirelen
        self.comment = comment


def timed(frames, t0=T0_NS, step_ns=1000000, iface=0):
    """[frame bytes] -> [Rec] at t0, t0+step, ..."""
    return [Rec(t0 + i * step_ns, f, iface) for i, f in enumerate(frames)]


def write_pcap(recs, linktype=LINKTYPE_ETHERNET, nanosecond=False, big_endian=False,
               snaplen=262144):
    """Classic pcap (magic a1b2c3d4 or a1b23c4d for nanoseconds).  Frames longer than snaplen
    are truncated (caplen < origlen)."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for r in recs:
        sec, frac = divmod(r.ts_ns, 10**9)
        if not nanosecond:
            frac //= 1000
        data = r.data[:snaplen]
        out.append(struct.pack(e + "IIII", sec, frac, len(data), max(r.wirelen, len(data))) + data)
    return b"".join(out)


def _opt(e, code, value):
    pad = (-len(value)) % 4
    return struct.pack(e + "HH", code, len(value)) + value + b"\0" * pad


def _opts(e, opts):
    if not opts:
        return b""
    return b"".join(_opt(e, c, v) for c, v in opts) + struct.pack(e + "HH", 0, 0)


def _block(e, btype, body):
    body += b"\0" * ((-len(body)) % 4)
    tl = 12 + len(body)
    return struct.pack(e + "II", btype, tl) + body + struct.pack(e + "I", tl)


def pcapng_shb(big_endian=False, comment=None, hardware="pcapgen",
               app="datatrail tests/pcapgen.py"):
    e = ">" if big_endian else "<"
    opts = []
    if comment:
        opts.append((1, comment.encode()))
    opts += [(2, hardware.encode()), (4, app.encode())]
    body = struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + _opts(e, opts)
    return _block(e, 0x0A0D0D0A, body)


def pcapng_idb(linktype, big_endian=False, snaplen=262144, tsresol=6, name=None, comment=None):
    """Interface Description Block; tsresol: decimal exponent (6 = us, 9 = ns) or, when given as
    ('bin', n), a power-of-two resolution 2^-n."""
    e = ">" if big_endian else "<"
    opts = []
    if name:
        opts.append((2, name.encode()))
    if comment:
        opts.append((1, comment.encode()))
    if isinstance(tsresol, tuple):
        opts.append((9, bytes([0x80 | tsresol[1]])))
    elif tsresol != 6:
        opts.append((9, bytes([tsresol])))
    body = struct.pack(e + "HHI", linktype, 0, snaplen) + _opts(e, opts)
    return _block(e, 1, body)


def _ts_units(ts_ns, tsresol):
    if isinstance(tsresol, tuple):
        return (ts_ns << tsresol[1]) // 10**9
    if tsresol >= 9:
        return ts_ns * 10**(tsresol - 9)
    return ts_ns // 10**(9 - tsresol)


def pcapng_epb(rec, big_endian=False, tsresol=6, snaplen=262144):
    e = ">" if big_endian else "<"
    t = _ts_units(rec.ts_ns, tsresol)
    data = rec.data[:snaplen]
    opts = [(1, rec.comment.encode())] if rec.comment else []
    body = struct.pack(e + "IIIII", rec.iface, t >> 32, t & 0xFFFFFFFF, len(data),
                       max(rec.wirelen, len(data)))
    body += data + b"\0" * ((-len(data)) % 4) + _opts(e, opts)
    return _block(e, 6, body)


def pcapng_spb(rec, big_endian=False):
    """Simple Packet Block: no timestamp, interface 0 implied."""
    e = ">" if big_endian else "<"
    return _block(e, 3, struct.pack(e + "I", rec.wirelen) + rec.data)


def pcapng_unknown_block(big_endian=False, btype=0x0BADCAFE, body=b"ignore me"):
    e = ">" if big_endian else "<"
    return _block(e, btype, body)


def write_pcapng(recs, ifaces=((LINKTYPE_ETHERNET, 6),), big_endian=False, comment=None,
                 unknown_block_at=None, spb=(), snaplen=262144):
    """pcapng with one SHB and the given interfaces [(linktype, tsresol)].  Each Rec goes to
    its .iface.  unknown_block_at: index of the record before which an unknown-type block is
    inserted.  spb: indices of records written as Simple Packet Blocks (interface 0)."""
    out = [pcapng_shb(big_endian, comment)]
    for i, (lt, res) in enumerate(ifaces):
        out.append(pcapng_idb(lt, big_endian, snaplen, res, name="if%d" % i))
    for i, r in enumerate(recs):
        if unknown_block_at == i:
            out.append(pcapng_unknown_block(big_endian))
        if i in spb:
            out.append(pcapng_spb(r, big_endian))
        else:
            out.append(pcapng_epb(r, big_endian, ifaces[r.iface][1], snaplen))
    return b"".join(out)


def gzipped(data):
    """Deterministic gzip (mtime 0)."""
    return gzip.compress(data, mtime=0)


def rng(seed=1):
    return random.Random(seed)
