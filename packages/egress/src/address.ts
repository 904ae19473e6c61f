/**
 * Is an IP address one a tool may reach without `allowPrivate`? Only
 * globally routable unicast addresses are. Everything a server-side request
 * forgery aims for is not: loopback, private (RFC 1918, unique local),
 * link-local (including the 169.254.169.254 cloud metadata service),
 * carrier-grade NAT, unspecified, multicast, broadcast, reserved and
 * documentation ranges, and IPv6 forms that carry an IPv4 address
 * (mapped, compatible, 6to4, NAT64, Teredo) unless the embedded address is
 * itself public. Text that is not an address is not public: fail closed.
 */

/** IPv4 ranges that are not public, as [first octets as a 32-bit number, prefix length]. */
const V4_BLOCKED: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
];

const V4_RANGES = V4_BLOCKED.map(([base, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (parseIPv4(base)! & mask) >>> 0, mask };
});

/** Dotted-quad IPv4 to a 32-bit number, or undefined. Strict: four decimal parts, no leading zeros. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

/** IPv6 text (no brackets, optional %zone, optional trailing dotted IPv4) to eight 16-bit groups. */
export function parseIPv6(text: string): number[] | undefined {
  let t = text;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (!/^[0-9A-Fa-f:.]+$/.test(t)) return undefined;
  let tail: number[] = [];
  const lastColon = t.lastIndexOf(':');
  if (t.includes('.')) {
    const v4 = parseIPv4(t.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    t = `${t.slice(0, lastColon + 1)}0`; // placeholder group, dropped below
  }
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  let head = groups(halves[0]!);
  let rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  if (tail.length > 0) {
    // Replace the placeholder "0" group with the two groups of the IPv4 tail.
    if (halves.length === 2 && rest.length > 0) rest = [...rest.slice(0, -1), ...tail];
    else if (halves.length === 2) return undefined;
    else head = [...head.slice(0, -1), ...tail];
  }
  const total = head.length + rest.length;
  if (halves.length === 2) {
    if (total > 7) return undefined;
    return [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  }
  return total === 8 ? head : undefined;
}

function publicV4(n: number): boolean {
  for (const r of V4_RANGES) if ((n & r.mask) >>> 0 === r.base) return false;
  return true;
}

function embeddedV4(g: readonly number[], at: number): number {
  return ((g[at]! << 16) | g[at + 1]!) >>> 0;
}

function publicV6(g: readonly number[]): boolean {
  const [a, b] = [g[0]!, g[1]!];
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(8)) return false; // :: unspecified
  if (zeroTo(7) && g[7] === 1) return false; // ::1 loopback
  if (zeroTo(5) && g[5] === 0xffff) return false; // ::ffff:a.b.c.d IPv4-mapped: never, whatever it embeds
  if (zeroTo(6)) return false; // ::a.b.c.d IPv4-compatible (deprecated)
  if (zeroTo(4) && g[4] === 0xffff && g[5] === 0) return false; // ::ffff:0:a.b.c.d IPv4-translated
  if (a === 0x64 && b === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return publicV4(embeddedV4(g, 6)); // NAT64
  if (a === 0x64 && b === 0xff9b && g[2] === 1) return false; // local-use NAT64
  if (a === 0x100 && b === 0 && g[2] === 0 && g[3] === 0) return false; // discard-only
  if (a === 0x2001 && b === 0) return false; // Teredo (its IPv4 is obfuscated)
  if (a === 0x2001 && b === 0xdb8) return false; // documentation
  if (a === 0x2001 && b < 0x200) return false; // IETF protocol assignments (2001::/23)
  if (a === 0x2002) return publicV4(embeddedV4(g, 1)); // 6to4
  if ((a & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((a & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((a & 0xffc0) === 0xfec0) return false; // fec0::/10 site-local (deprecated)
  if ((a & 0xff00) === 0xff00) return false; // multicast
  return (a & 0xe000) === 0x2000; // only 2000::/3 is global unicast
}

/** True only for a globally routable unicast address; false for anything else, including text that is not an address. */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return publicV4(v4);
  const v6 = parseIPv6(ip);
  return v6 !== undefined && publicV6(v6);
}
