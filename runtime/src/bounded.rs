//! A view of user memory limited to one range, so a payload validator cannot read past the
//! envelope that carries it, without the runtime fetching the payload's size twice.

use core::cell::Cell;

use uapigen_uaccess::UserMemory;

pub(crate) struct Bounded<'a, M: ?Sized> {
    pub mem: &'a M,
    /// One past the last readable address.
    pub end: u64,
    /// Set when a read reached past `end`.
    pub overrun: Cell<bool>,
}

impl<M: UserMemory + ?Sized> UserMemory for Bounded<'_, M> {
    fn copy_from_user(&self, dst: &mut [u8], addr: u64) -> usize {
        let allowed = self.end.saturating_sub(addr).min(dst.len() as u64) as usize;
        if allowed < dst.len() {
            self.overrun.set(true);
        }
        let missing = self.mem.copy_from_user(&mut dst[..allowed], addr);
        missing + (dst.len() - allowed)
    }
}
