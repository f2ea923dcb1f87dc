//! Hexadecimal digits, written by hand: fingerprints, escapes and the key's spellings
//! write two per byte, and a formatter per byte cost more than the rest of their work.

/// The digits in lower case.
pub const LOWER: &[u8; 16] = b"0123456789abcdef";
/// The digits in upper case.
pub const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// The digits in upper or lower case.
pub fn digits(upper: bool) -> &'static [u8; 16] {
    if upper { UPPER } else { LOWER }
}

/// The two hex digits of `b`.
pub fn byte(b: u8, upper: bool) -> [u8; 2] {
    let d = digits(upper);
    [d[usize::from(b >> 4)], d[usize::from(b & 15)]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_byte_is_written_as_the_formatter_writes_it() {
        for b in 0..=u8::MAX {
            assert_eq!(byte(b, false), format!("{b:02x}").as_bytes());
            assert_eq!(byte(b, true), format!("{b:02X}").as_bytes());
        }
    }
}
