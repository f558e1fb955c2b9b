//! Outgoing bytes of one connection, in order: small writes (greeting,
//! frame headers, commands, small bodies) are copied into a reused staging
//! buffer; large bodies are queued as shared `Bytes` without copying, so
//! the caller can hand everything to one `writev`.

use std::collections::VecDeque;
use std::io::{self, IoSlice, Write};

use bytes::{Buf, Bytes, BytesMut};

/// Bodies at least this large are queued as shared chunks, not copied.
pub const ZERO_COPY_THRESHOLD: usize = 8 * 1024;

/// The bytes a connection wants written, front first.
#[derive(Debug, Default)]
pub struct TransmitQueue {
    /// Sealed chunks, written before `staging`.
    chunks: VecDeque<Bytes>,
    /// Small writes after the last sealed chunk.
    staging: BytesMut,
    /// Total queued bytes.
    len: usize,
    /// Bytes written (dropped by [`TransmitQueue::advance`]) since the
    /// queue was made: with `len`, the stream offsets of what is queued.
    written: u64,
}

impl TransmitQueue {
    /// An empty queue.
    pub fn new() -> TransmitQueue {
        TransmitQueue::default()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Queued bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Stream offset just past the last queued byte: once
    /// [`TransmitQueue::written`] reaches it, everything queued so far has
    /// been written.
    pub fn end_offset(&self) -> u64 {
        self.written + self.len as u64
    }

    /// Bytes written since the queue was made.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Copies `data` to the end of the queue.
    pub fn put_slice(&mut self, data: &[u8]) {
        self.staging.extend_from_slice(data);
        self.len += data.len();
    }

    /// Appends `body`, copying it when small and sharing it when large.
    pub fn put_bytes(&mut self, body: Bytes) {
        if body.len() < ZERO_COPY_THRESHOLD {
            self.put_slice(&body);
            return;
        }
        self.seal_staging();
        self.len += body.len();
        self.chunks.push_back(body);
    }

    /// The staging buffer, for encoders that write in place; call
    /// [`TransmitQueue::commit_staged`] with how much was written.
    pub(crate) fn staging(&mut self) -> &mut BytesMut {
        &mut self.staging
    }

    /// Accounts for `n` bytes written into [`TransmitQueue::staging`].
    pub(crate) fn commit_staged(&mut self, n: usize) {
        self.len += n;
    }

    fn seal_staging(&mut self) {
        if !self.staging.is_empty() {
            self.chunks.push_back(self.staging.split().freeze());
        }
    }

    /// The queued bytes as slices, in order (for `writev`).
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        self.chunks
            .iter()
            .map(|c| &c[..])
            .chain(core::iter::once(&self.staging[..]))
            .filter(|c| !c.is_empty())
    }

    /// The first queued chunk longer than `len`, looking at the first few
    /// chunks only: how many bytes lie from the front through its end, and
    /// whether it is at the front (partly written already, or queued
    /// without a header before it). A writer that should not split such a
    /// body into small writes sizes its writes with it.
    pub fn first_chunk_over(&self, len: usize) -> Option<(usize, bool)> {
        let mut through = 0;
        for (i, chunk) in self.chunks().take(4).enumerate() {
            through += chunk.len();
            if chunk.len() > len {
                return Some((through, i == 0));
            }
        }
        None
    }

    /// Fills `dst` with slices of the queued bytes; returns how many were
    /// filled.
    pub fn io_slices<'a>(&'a self, dst: &mut [IoSlice<'a>]) -> usize {
        let mut n = 0;
        for (slot, chunk) in dst.iter_mut().zip(self.chunks()) {
            *slot = IoSlice::new(chunk);
            n += 1;
        }
        n
    }

    /// Drops the first `n` bytes (after a write of `n` bytes). `n` larger
    /// than [`TransmitQueue::len`] empties the queue.
    pub fn advance(&mut self, mut n: usize) {
        n = n.min(self.len);
        self.len -= n;
        self.written += n as u64;
        while n > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            let step = n.min(front.len());
            front.advance(step);
            n -= step;
            if front.is_empty() {
                self.chunks.pop_front();
            }
        }
        if n > 0 {
            self.staging.advance(n.min(self.staging.len()));
        }
        if self.len == 0 {
            // Lets the staging buffer reuse its allocation from the start.
            self.staging.clear();
        }
    }

    /// Writes as much as `writer` takes with one vectored write and drops
    /// what was written. Returns the byte count.
    pub fn write_to(&mut self, writer: &mut impl Write) -> io::Result<usize> {
        self.write_at_most(writer, usize::MAX)
    }

    /// [`TransmitQueue::write_to`], offering the writer at most `limit`
    /// bytes.
    pub fn write_at_most(&mut self, writer: &mut impl Write, limit: usize) -> io::Result<usize> {
        const MAX_SLICES: usize = 64;
        let mut slices = [IoSlice::new(&[]); MAX_SLICES];
        let mut filled = 0;
        let mut left = limit;
        for (slot, chunk) in slices.iter_mut().zip(self.chunks()) {
            if left == 0 {
                break;
            }
            let take = chunk.len().min(left);
            *slot = IoSlice::new(chunk.get(..take).unwrap_or(chunk));
            left -= take;
            filled += 1;
        }
        let n = writer.write_vectored(slices.get(..filled).unwrap_or(&[]))?;
        self.advance(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_at_most_offers_no_more_than_the_limit() {
        let mut q = TransmitQueue::new();
        q.put_slice(b"head");
        q.put_bytes(Bytes::from(vec![7u8; ZERO_COPY_THRESHOLD]));
        let mut out = Vec::new();
        assert_eq!(q.write_at_most(&mut out, 10).unwrap(), 10);
        assert_eq!(q.len(), ZERO_COPY_THRESHOLD - 6);
        assert_eq!(&out[..4], b"head");
        assert_eq!(
            q.write_at_most(&mut out, usize::MAX).unwrap(),
            ZERO_COPY_THRESHOLD - 6
        );
        assert!(q.is_empty());
    }

    #[test]
    fn through_the_first_long_chunk() {
        let mut q = TransmitQueue::new();
        assert_eq!(q.first_chunk_over(10), None);
        q.put_slice(b"head");
        assert_eq!(q.first_chunk_over(10), None);
        q.put_bytes(Bytes::from(vec![7u8; ZERO_COPY_THRESHOLD]));
        q.put_slice(b"tail");
        let through = 4 + ZERO_COPY_THRESHOLD;
        assert_eq!(q.first_chunk_over(10), Some((through, false)));
        assert_eq!(q.first_chunk_over(ZERO_COPY_THRESHOLD), None);
        q.advance(5);
        assert_eq!(q.first_chunk_over(10), Some((through - 5, true)));
    }

    #[test]
    fn small_writes_share_one_buffer_large_are_zero_copy() {
        let mut q = TransmitQueue::new();
        q.put_slice(b"head");
        let big = Bytes::from(vec![7u8; ZERO_COPY_THRESHOLD]);
        q.put_bytes(big.clone());
        q.put_bytes(Bytes::from_static(b"tail"));
        let chunks: Vec<&[u8]> = q.chunks().collect();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0], b"head");
        assert_eq!(chunks[1].as_ptr(), big.as_ptr());
        assert_eq!(chunks[2], b"tail");
        assert_eq!(q.len(), 8 + ZERO_COPY_THRESHOLD);
    }

    #[test]
    fn partial_writes_advance_across_chunks() {
        let mut q = TransmitQueue::new();
        q.put_slice(b"ab");
        q.put_bytes(Bytes::from(vec![1u8; ZERO_COPY_THRESHOLD]));
        q.put_slice(b"cd");
        let mut out = Vec::new();
        while !q.is_empty() {
            let before = q.len();
            let mut limited = LimitedWriter(&mut out, 1000);
            let n = q.write_to(&mut limited).unwrap();
            assert_eq!(before - n, q.len());
        }
        assert_eq!(out.len(), 4 + ZERO_COPY_THRESHOLD);
        assert_eq!(&out[..2], b"ab");
        assert_eq!(&out[out.len() - 2..], b"cd");
        q.advance(10);
        assert!(q.is_empty());
        assert_eq!(q.written(), 4 + ZERO_COPY_THRESHOLD as u64);
        q.put_slice(b"x");
        assert_eq!(q.end_offset(), 5 + ZERO_COPY_THRESHOLD as u64);
    }

    struct LimitedWriter<'a>(&'a mut Vec<u8>, usize);

    impl Write for LimitedWriter<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(self.1);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
