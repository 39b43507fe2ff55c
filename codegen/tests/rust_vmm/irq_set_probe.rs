// The probe crate of `vfio_ioctls_passes_with_fam_wrappers_and_uapigens_features_on`: the
// published vfio-bindings' `IrqSet`, through the generated crate, used as its own test does.

#[cfg(test)]
mod tests {
    use vfio_bindings::bindings::vfio::*;
    use vfio_bindings::bindings::IrqSet;

    #[test]
    fn irq_set_wrapper_holds_eventfds() {
        let fds: [u32; 3] = [7, 8, 9];
        let mut wrapper = IrqSet::new(fds.len() * 4).unwrap();
        for (i, fd) in fds.iter().enumerate() {
            wrapper.as_mut_slice()[i * 4..i * 4 + 4].copy_from_slice(&fd.to_ne_bytes());
        }
        // SAFETY: the wrapper allocated `count` bytes of `data`; the length is set back after.
        let set = unsafe { wrapper.as_mut_fam_struct() };
        // The published wrapper's length is in bytes (see its docs).
        assert_eq!(set.count, 12);
        set.argsz = (std::mem::size_of::<vfio_irq_set>() + 12) as u32;
        set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
        set.index = VFIO_PCI_MSIX_IRQ_INDEX;
        set.count = fds.len() as u32;
        // SAFETY: 12 bytes of `data` were allocated above.
        let data = unsafe { set.data.as_slice(12) };
        assert_eq!(&data[4..8], &8u32.to_ne_bytes());
        assert_eq!(std::mem::size_of::<vfio_irq_set>(), 20);
    }
}
