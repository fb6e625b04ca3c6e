//! IPv4 CIDR blocks: parsing, overlap and carving subnets out of a VPC block.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 network in CIDR notation, with no host bits set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Cidr {
    addr: u32,
    prefix: u8,
}

impl Ipv4Cidr {
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Result<Self, String> {
        if prefix > 32 {
            return Err(format!("prefix length /{prefix} is over /32"));
        }
        let addr = u32::from(addr);
        let cidr = Ipv4Cidr { addr, prefix };
        if addr & !cidr.mask() != 0 {
            let network = Ipv4Addr::from(addr & cidr.mask());
            return Err(format!("host bits are set; the network is {network}/{prefix}"));
        }
        Ok(cidr)
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.addr)
    }

    fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(&self, other: &Ipv4Cidr) -> bool {
        let shorter = self.prefix.min(other.prefix);
        let mask = if shorter == 0 { 0 } else { u32::MAX << (32 - shorter) };
        self.addr & mask == other.addr & mask
    }

    /// Whether `other` lies entirely inside this block.
    pub fn contains(&self, other: &Ipv4Cidr) -> bool {
        other.prefix >= self.prefix && self.overlaps(other)
    }

    /// The `index`-th block of length `/new_prefix` inside this one.
    pub fn subnet(&self, new_prefix: u8, index: u32) -> Option<Ipv4Cidr> {
        if new_prefix < self.prefix || new_prefix > 32 {
            return None;
        }
        let count = 1u64 << (new_prefix - self.prefix);
        if u64::from(index) >= count {
            return None;
        }
        let size = if new_prefix == 32 { 1 } else { 1u32 << (32 - new_prefix) };
        Some(Ipv4Cidr { addr: self.addr + index * size, prefix: new_prefix })
    }
}

impl FromStr for Ipv4Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = s.split_once('/').ok_or_else(|| format!("{s:?} is not in CIDR notation (a.b.c.d/n)"))?;
        let addr: Ipv4Addr = addr.parse().map_err(|_| format!("{addr:?} is not an IPv4 address"))?;
        let prefix: u8 = prefix.parse().map_err(|_| format!("{prefix:?} is not a prefix length (0-32)"))?;
        Ipv4Cidr::new(addr, prefix)
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix)
    }
}

/// `<address>/32` of an address known at deploy time (an Elastic IP, a NAT gateway's address).
pub fn host_cidr(ip: crate::core::Expr) -> crate::core::Expr {
    crate::core::Expr::sub("${Ip}/32", [("Ip", ip)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Ipv4Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(c("10.0.0.0/16").to_string(), "10.0.0.0/16");
        assert!("10.0.0.1/16".parse::<Ipv4Cidr>().unwrap_err().contains("10.0.0.0/16"));
        assert!("10.0.0.0".parse::<Ipv4Cidr>().is_err());
        assert!("10.0.0.0/33".parse::<Ipv4Cidr>().is_err());
        assert!("300.0.0.0/8".parse::<Ipv4Cidr>().is_err());
        assert_eq!(c("0.0.0.0/0").prefix(), 0);
    }

    #[test]
    fn overlap_and_containment() {
        assert!(c("10.0.0.0/16").overlaps(&c("10.0.5.0/24")));
        assert!(c("10.0.5.0/24").overlaps(&c("10.0.0.0/16")));
        assert!(!c("10.0.0.0/16").overlaps(&c("10.1.0.0/16")));
        assert!(c("10.0.0.0/8").contains(&c("10.20.0.0/16")));
        assert!(!c("10.20.0.0/16").contains(&c("10.0.0.0/8")));
        assert!(c("0.0.0.0/0").overlaps(&c("192.168.0.0/16")));
    }

    #[test]
    fn subnets() {
        let vpc = c("10.0.0.0/16");
        assert_eq!(vpc.subnet(19, 1).unwrap().to_string(), "10.0.32.0/19");
        assert_eq!(vpc.subnet(19, 7).unwrap().subnet(22, 2).unwrap().to_string(), "10.0.232.0/22");
        assert!(vpc.subnet(19, 8).is_none());
        assert!(vpc.subnet(15, 0).is_none());
    }
}
