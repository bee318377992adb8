//! Large arrays read at random (a network's delay rings and synapse tables) in memory the
//! kernel is asked to back with huge pages: with 4 KiB pages, a spike's scatter over hundreds of
//! megabytes misses the processor's address cache (TLB) on nearly every synapse.

/// A vector of `len` copies of `value`, in huge pages where the system gives them.
pub fn filled<T: Clone>(len: usize, value: T) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(len);
    advise_huge_pages(v.as_ptr().cast(), len * size_of::<T>());
    v.resize(len, value);
    v
}

/// Asks for huge pages over the whole 2 MiB pages of `bytes` from `start`, before they are
/// first touched. Only a hint: the contents and the results are the same without it.
fn advise_huge_pages(start: *const u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let (from, to) = ((start as usize).next_multiple_of(HUGE), (start as usize + bytes) / HUGE * HUGE);
        if to > from {
            // SAFETY: the range lies within one live allocation of ours; MADV_HUGEPAGE changes
            // how it is backed, never what it holds.
            unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, bytes);
}
