//! Which address a request came from, looking through the reverse proxies the operator trusts.
//! Rate limits and sign-in throttling key on it: behind a load balancer the peer is always the
//! balancer, and counting everyone as one client would throttle the whole newsroom at once.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;

/// The networks whose `X-Forwarded-For` is believed. Empty: only the peer address counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDR networks: `10.0.0.0/8, 192.0.2.7, ::1`.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("'{entry}' is neither an IP address nor a CIDR network"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client: the peer itself unless it is a trusted proxy; then, walking `X-Forwarded-For`
    /// from the nearest hop outwards, the first address that is not a trusted proxy. Entries a
    /// client wrote itself sit further left and are never reached past an untrusted hop.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let mut client = peer;
        if !self.trusts(peer) {
            return client;
        }
        let hops = forwarded_for.unwrap_or_default().rsplit(',').map(str::trim);
        for hop in hops {
            let Some(address) = parse_hop(hop) else {
                // A hop no proxy would write: stop at the last proxy we trust.
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, with a port on some proxies, IPv6 maybe bracketed.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| hop.trim_matches(['[', ']']).parse::<IpAddr>().ok())
}

/// The key one client is counted under: IPv4 addresses as they are, IPv6 by their /64
/// (one subscriber usually holds a whole /64 and could otherwise rotate addresses at will).
pub fn counting_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.5"), Some("203.0.113.9")), ip("10.0.0.5"));
    }

    #[test]
    fn forwarded_for_is_read_only_through_trusted_hops() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").unwrap();
        // The balancer (trusted) appended the client's address.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("203.0.113.9")),
            ip("203.0.113.9")
        );
        // A client forging an entry on the left does not get past the real one.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("1.1.1.1, 203.0.113.9, 192.0.2.7")),
            ip("203.0.113.9")
        );
        // An untrusted peer's header is ignored.
        assert_eq!(
            proxies.client(ip("198.51.100.1"), Some("1.1.1.1")),
            ip("198.51.100.1")
        );
        // Ports and brackets, as some proxies write them.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("203.0.113.9:4711")),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("[2001:db8::1]")),
            ip("2001:db8::1")
        );
        // Garbage stops the walk at the last trusted hop; so does a missing header.
        assert_eq!(
            proxies.client(ip("10.0.0.5"), Some("junk, 192.0.2.7")),
            ip("192.0.2.7")
        );
        assert_eq!(proxies.client(ip("10.0.0.5"), None), ip("10.0.0.5"));
    }

    #[test]
    fn bad_lists_name_the_entry() {
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
        assert_eq!(
            TrustedProxies::parse("10.0.0.0/8, proxy.local").unwrap_err(),
            "'proxy.local' is neither an IP address nor a CIDR network"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        assert_eq!(counting_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(counting_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(counting_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}
