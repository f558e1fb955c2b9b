//! Resident memory of this process, read from `/proc/self/status`
//! (`VmRSS` now, `VmHWM` the peak), the same source `bench/zmq_bench.c`
//! reads.

/// A `kB` field of `/proc/self/status`, in bytes; `None` off Linux.
fn status_field_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_status_field(&status, field)
}

fn parse_status_field(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let kib: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
        kib.checked_mul(1024)
    })
}

/// Current resident set size in bytes.
pub fn resident_bytes() -> Option<u64> {
    status_field_bytes("VmRSS")
}

/// Peak resident set size in bytes.
pub fn peak_resident_bytes() -> Option<u64> {
    status_field_bytes("VmHWM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_parse() {
        let status = "Name:\tx\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\n";
        assert_eq!(parse_status_field(status, "VmRSS"), Some(1024 * 1024));
        assert_eq!(parse_status_field(status, "VmHWM"), Some(2048 * 1024));
        assert_eq!(parse_status_field(status, "VmSwap"), None);
    }
}
