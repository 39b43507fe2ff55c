//! iommufd commands as Linux v6.8 handles them (REFERENCE.md §6): the generic ioctl path
//! (`iommufd_fops_ioctl`: size, `min_size`, `copy_struct_from_user`, reply of
//! `min(user size, kernel size)` bytes) and the handlers of the commands a vIOMMU needs.
//!
//! A context plays one revision of schema/iommufd.toml (v6.8's by default,
//! [`Iommufd::at_revision`] any other): which commands exist, each command's size, its copy
//! and its checks are that revision's, through the generated dispatcher
//! (`iommufd::copy_from_user_by_name`), and the reply is `min(user size, that revision's
//! size)` bytes; the handlers' own checks after the copy are v6.8's.
//!
//! Commands the model does not implement (IOAS map/unmap/copy, options, dirty tracking,
//! VFIO compat) return -ENOTTY like unknown ones.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

// Today's structs: a revision's copy fills its own prefix of each (`revision::copy_at`).
// `iommu_hwpt_invalidate` and its VT-d entries are the same in every revision that has them
// (v6.8 on), so their own validators copy them.
use uapigen_bindings::iommufd::{
    self, IommuDestroy, IommuHwInfo, IommuHwptAlloc, IommuHwptInvalidate, IommuHwptVtdS1,
    IommuHwptVtdS1Invalidate, IommuIoasAlloc,
};
use uapigen_bindings::iommufd::{
    IOMMU_DESTROY, IOMMU_GET_HW_INFO, IOMMU_HWPT_ALLOC, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
    IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE, IOMMU_HWPT_INVALIDATE,
    IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, IOMMU_HW_INFO_TYPE_INTEL_VTD, IOMMU_IOAS_ALLOC,
};
use uapigen_uaccess::{
    bytes_of, bytes_of_mut, clear_user, copy_out, get_user_u32, Errno, Plain, Rejected, UserMemory,
    UserMemoryWrite,
};

use crate::backend::{Backend, NestedDomain, NestingInfo, PagingDomain, SourceId, VmId};
use crate::revision::{copy_at, copy_bytes_at, exists};

/// What an iommufd object id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    /// An I/O address space (`IOMMU_IOAS_ALLOC`).
    Ioas,
    /// A bound device.
    Device(SourceId),
    /// A paging hwpt on an IOAS.
    Paging {
        /// The backend's domain.
        domain: PagingDomain,
        /// The IOAS object it maps.
        ioas: u32,
    },
    /// A nested hwpt on a paging hwpt.
    Nested {
        /// The backend's domain.
        domain: NestedDomain,
        /// The parent paging hwpt object.
        parent: u32,
    },
}

#[derive(Default)]
struct Objects {
    table: BTreeMap<u32, Object>,
}

impl Objects {
    /// The lowest free id from 1, as the kernel's `xa_alloc` on an `XA_FLAGS_ALLOC1` xarray
    /// (iommufd_object_alloc) hands out: a destroyed object's id is used again.
    fn insert(&mut self, o: Object) -> u32 {
        let id = self
            .table
            .keys()
            .zip(1u32..)
            .find(|(used, want)| **used != *want)
            .map_or(self.table.len() as u32 + 1, |(_, want)| want);
        self.table.insert(id, o);
        id
    }
}

fn reject(errno: Errno, why: &'static str) -> Rejected {
    Rejected::new(errno, why)
}

/// The commands the model handles, with their structs.
const COMMANDS: [(u32, &str); 5] = [
    (IOMMU_DESTROY, "iommu_destroy"),
    (IOMMU_IOAS_ALLOC, "iommu_ioas_alloc"),
    (IOMMU_HWPT_ALLOC, "iommu_hwpt_alloc"),
    (IOMMU_GET_HW_INFO, "iommu_hw_info"),
    (IOMMU_HWPT_INVALIDATE, "iommu_hwpt_invalidate"),
];

/// One iommufd file descriptor, opened by one VM.
pub struct Iommufd {
    vm: VmId,
    backend: Arc<dyn Backend>,
    objects: Mutex<Objects>,
    /// The revision of schema/iommufd.toml it plays (`iommufd::v6_8::REVISION` ...).
    rev: usize,
    /// Which of `COMMANDS` the revision's dispatcher table has (its struct exists then),
    /// found once.
    table: [bool; COMMANDS.len()],
}

impl Iommufd {
    /// VM `vm`'s iommufd, served by `backend`, as v6.8 has it; no object yet.
    pub fn new(vm: VmId, backend: Arc<dyn Backend>) -> Self {
        Self::at_revision(vm, backend, iommufd::v6_8::REVISION)
    }

    /// VM `vm`'s iommufd as revision `rev` of schema/iommufd.toml has it
    /// (`iommufd::v6_6::REVISION` ...): its commands, their sizes and their copies.
    pub fn at_revision(vm: VmId, backend: Arc<dyn Backend>, rev: usize) -> Self {
        Iommufd {
            vm,
            backend,
            objects: Mutex::new(Objects::default()),
            rev,
            table: COMMANDS.map(|(_, name)| exists(iommufd::copy_from_user_by_name, name, rev)),
        }
    }

    /// The command struct `name` at `arg`, copied as this context's revision copies it, and
    /// that revision's size of it (what the reply is limited to).
    fn copy<T: Plain, M: UserMemory + ?Sized>(
        &self,
        name: &str,
        mem: &M,
        arg: u64,
    ) -> Result<(T, usize), Rejected> {
        let mut v = T::default();
        let n = self.copy_into(name, mem, arg, bytes_of_mut(&mut v))?;
        Ok((v, n))
    }

    /// `copy` into bytes: how many the revision's struct has.
    fn copy_into<M: UserMemory + ?Sized>(
        &self,
        name: &str,
        mem: &M,
        arg: u64,
        dst: &mut [u8],
    ) -> Result<usize, Rejected> {
        copy_bytes_at(
            iommufd::copy_from_user_by_name,
            name,
            self.rev,
            mem,
            arg,
            (0, 0),
            dst,
        )?
        .ok_or(reject(Errno::ENOTTY, "no such command in this revision"))
    }

    /// What the IOMMU supports.
    pub fn nesting_info(&self) -> NestingInfo {
        self.backend.nesting_info()
    }

    fn objects(&self) -> std::sync::MutexGuard<'_, Objects> {
        self.objects.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The object `id` names in this context.
    pub fn object(&self, id: u32) -> Option<Object> {
        self.objects().table.get(&id).copied()
    }

    /// `VFIO_DEVICE_BIND_IOMMUFD`: makes device `sid` an object of this context.
    pub fn bind_device(&self, sid: SourceId) -> Result<u32, Rejected> {
        if !self.backend.owns_device(self.vm, sid) {
            return Err(reject(
                Errno::EINVAL,
                "the device is not assigned to this VM",
            ));
        }
        let mut o = self.objects();
        if o.table.values().any(|x| *x == Object::Device(sid)) {
            return Err(reject(Errno::EBUSY, "the device is bound already"));
        }
        Ok(o.insert(Object::Device(sid)))
    }

    /// The device `dev_id` names (`iommufd_get_device`: -ENOENT otherwise).
    fn device(&self, dev_id: u32) -> Result<SourceId, Rejected> {
        match self.object(dev_id) {
            Some(Object::Device(sid)) => Ok(sid),
            _ => Err(reject(Errno::ENOENT, "no such device")),
        }
    }

    /// `VFIO_DEVICE_ATTACH_IOMMUFD_PT` with a nested hwpt: programs the device's PASID entry.
    pub fn attach(&self, dev_id: u32, hwpt_id: u32) -> Result<(), Rejected> {
        let sid = self.device(dev_id)?;
        let domain = match self.object(hwpt_id) {
            Some(Object::Nested { domain, .. }) => domain,
            _ => return Err(reject(Errno::ENOENT, "no such nested hwpt")),
        };
        self.backend.attach_nested(self.vm, sid, domain)
    }

    /// The dispatcher's part of `ioctl(fd, cmd, arg)` alone: the command looked up in this
    /// revision's table, its struct copied and checked as the revision copies it, and the
    /// kernel's bytes of it (the revision's size) returned; no handler runs. What the
    /// compatibility matrix holds to the interpreter's kernel (tests/tests/matrix.rs).
    pub fn copy_command<M: UserMemory + ?Sized>(
        &self,
        mem: &M,
        cmd: u32,
        arg: u64,
    ) -> Result<Vec<u8>, Rejected> {
        let (name, _) = self.dispatch(mem, cmd, arg)?;
        let mut bytes = vec![0; core::mem::size_of::<IommuHwptAlloc>().max(256)];
        let n = self.copy_into(name, mem, arg, &mut bytes)?;
        bytes.truncate(n);
        Ok(bytes)
    }

    /// The dispatcher before the handler: the command's struct name, if this revision has the
    /// command (-ENOTTY before anything is read otherwise), and the user's size, which the
    /// reply is limited by.
    fn dispatch<M: UserMemory + ?Sized>(
        &self,
        mem: &M,
        cmd: u32,
        arg: u64,
    ) -> Result<(&'static str, u32), Rejected> {
        let Some(&(_, name)) = COMMANDS
            .iter()
            .zip(self.table)
            .find(|((c, _), has)| *c == cmd && *has)
            .map(|(c, _)| c)
        else {
            return Err(reject(
                Errno::ENOTTY,
                "not an iommufd ioctl of this revision, or not modelled",
            ));
        };
        let user_size = get_user_u32(mem, arg)
            .map_err(|_| reject(Errno::EFAULT, "get_user of the size faulted"))?;
        Ok((name, user_size))
    }

    /// `ioctl(fd, cmd, arg)`.
    pub fn ioctl<M: UserMemoryWrite + ?Sized>(
        &self,
        mem: &M,
        cmd: u32,
        arg: u64,
    ) -> Result<(), Rejected> {
        let (_, user_size) = self.dispatch(mem, cmd, arg)?;
        match cmd {
            IOMMU_DESTROY => self.destroy(mem, arg),
            IOMMU_IOAS_ALLOC => self.ioas_alloc(mem, arg, user_size),
            IOMMU_HWPT_ALLOC => self.hwpt_alloc(mem, arg, user_size),
            IOMMU_GET_HW_INFO => self.get_hw_info(mem, arg, user_size),
            _ => self.hwpt_invalidate(mem, arg, user_size),
        }
    }

    /// `iommufd_ucmd_respond`: `min(user size, ksize)` bytes of the command back to the user,
    /// `ksize` the revision's size of it.
    fn respond<T: Plain, M: UserMemoryWrite + ?Sized>(
        mem: &M,
        arg: u64,
        cmd: &T,
        user_size: u32,
        ksize: usize,
    ) -> Result<(), Rejected> {
        let bytes = &bytes_of(cmd)[..ksize];
        let n = (user_size as usize).min(bytes.len());
        copy_out(mem, arg, &bytes[..n])
            .map_err(|_| reject(Errno::EFAULT, "copy_to_user of the reply faulted"))
    }

    fn destroy<M: UserMemoryWrite + ?Sized>(&self, mem: &M, arg: u64) -> Result<(), Rejected> {
        let (cmd, _): (IommuDestroy, _) = self.copy("iommu_destroy", mem, arg)?;
        let mut o = self.objects();
        let obj = *o
            .table
            .get(&cmd.id)
            .ok_or(reject(Errno::ENOENT, "no such object"))?;
        let users = |o: &Objects, pred: &dyn Fn(&Object) -> bool| o.table.values().any(pred);
        match obj {
            Object::Device(_) => {
                return Err(reject(Errno::EBUSY, "devices are unbound through VFIO"))
            }
            Object::Ioas => {
                if users(
                    &o,
                    &|x| matches!(x, Object::Paging { ioas, .. } if *ioas == cmd.id),
                ) {
                    return Err(reject(Errno::EBUSY, "the IOAS is in use"));
                }
            }
            Object::Paging { domain, .. } => {
                if users(
                    &o,
                    &|x| matches!(x, Object::Nested { parent, .. } if *parent == cmd.id),
                ) {
                    return Err(reject(Errno::EBUSY, "the hwpt is a parent"));
                }
                self.backend.free_paging(self.vm, domain)?;
            }
            Object::Nested { domain, .. } => self.backend.free_nested(self.vm, domain)?,
        }
        o.table.remove(&cmd.id);
        Ok(())
    }

    fn ioas_alloc<M: UserMemoryWrite + ?Sized>(
        &self,
        mem: &M,
        arg: u64,
        user_size: u32,
    ) -> Result<(), Rejected> {
        let (mut cmd, ksize): (IommuIoasAlloc, _) = self.copy("iommu_ioas_alloc", mem, arg)?;
        if cmd.flags != 0 {
            return Err(reject(Errno::EOPNOTSUPP, "flags must be 0"));
        }
        let id = self.objects().insert(Object::Ioas);
        cmd.out_ioas_id = id;
        Self::respond(mem, arg, &cmd, user_size, ksize).inspect_err(|_| {
            self.objects().table.remove(&id);
        })
    }

    fn hwpt_alloc<M: UserMemoryWrite + ?Sized>(
        &self,
        mem: &M,
        arg: u64,
        user_size: u32,
    ) -> Result<(), Rejected> {
        let (mut cmd, ksize): (IommuHwptAlloc, _) = self.copy("iommu_hwpt_alloc", mem, arg)?;
        // The VT-d model has one IOMMU: the device must exist but does not choose it.
        self.device(cmd.dev_id)?;
        // iommufd_hwpt_alloc: a pt_id that names nothing is -EINVAL, not -ENOENT.
        let pt = self
            .object(cmd.pt_id)
            .ok_or(reject(Errno::EINVAL, "no such pt_id"))?;
        let obj = match pt {
            Object::Ioas => {
                if cmd.data_type != IOMMU_HWPT_DATA_NONE {
                    return Err(reject(Errno::EINVAL, "an IOAS takes no driver data"));
                }
                if cmd.flags & !(IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
                    != 0
                {
                    return Err(reject(Errno::EOPNOTSUPP, "unknown flags"));
                }
                if cmd.flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING != 0 {
                    return Err(reject(Errno::EOPNOTSUPP, "dirty tracking is not modelled"));
                }
                let domain = self
                    .backend
                    .alloc_paging(self.vm, cmd.flags & IOMMU_HWPT_ALLOC_NEST_PARENT != 0)?;
                Object::Paging {
                    domain,
                    ioas: cmd.pt_id,
                }
            }
            Object::Paging { domain: parent, .. } => {
                // iommufd_hwpt_nested_alloc; the rest (nest parent, support, type, the data
                // copy) is the driver's domain_alloc_user, in its order.
                if cmd.flags != 0 || cmd.data_len == 0 {
                    return Err(reject(
                        Errno::EOPNOTSUPP,
                        "a nested hwpt takes no flags and needs data",
                    ));
                }
                let domain =
                    self.backend
                        .alloc_nested(self.vm, parent, cmd.data_type, &mut || {
                            copy_at(
                                iommufd::copy_from_user_by_name,
                                "iommu_hwpt_vtd_s1",
                                self.rev,
                                mem,
                                cmd.data_uptr,
                                (cmd.data_type, cmd.data_len),
                            )?
                            .map(|(d, _): (IommuHwptVtdS1, _)| d)
                            .ok_or(reject(
                                Errno::EOPNOTSUPP,
                                "no VT-d stage 1 in this revision",
                            ))
                        })?;
                Object::Nested {
                    domain,
                    parent: cmd.pt_id,
                }
            }
            _ => {
                return Err(reject(
                    Errno::EINVAL,
                    "pt_id is neither an IOAS nor a paging hwpt",
                ))
            }
        };
        let id = self.objects().insert(obj);
        cmd.out_hwpt_id = id;
        Self::respond(mem, arg, &cmd, user_size, ksize).inspect_err(|_| {
            // iommufd_object_abort_and_destroy
            self.objects().table.remove(&id);
            let _ = match obj {
                Object::Paging { domain, .. } => self.backend.free_paging(self.vm, domain),
                Object::Nested { domain, .. } => self.backend.free_nested(self.vm, domain),
                _ => Ok(()),
            };
        })
    }

    fn get_hw_info<M: UserMemoryWrite + ?Sized>(
        &self,
        mem: &M,
        arg: u64,
        user_size: u32,
    ) -> Result<(), Rejected> {
        let (mut cmd, ksize): (IommuHwInfo, _) = self.copy("iommu_hw_info", mem, arg)?;
        // v6.8's `__u32 __reserved` at offset 28 is today's `out_max_pasid_log2` and
        // `__reserved[3]` (v6.17).
        if cmd.flags != 0 || cmd.out_max_pasid_log2 != 0 || cmd.__reserved != [0; 3] {
            return Err(reject(Errno::EOPNOTSUPP, "flags and __reserved must be 0"));
        }
        let sid = self.device(cmd.dev_id)?;
        let info = self.backend.hw_info(self.vm, sid)?;
        let data = bytes_of(&info);
        let copy_len = (cmd.data_len as usize).min(data.len());
        copy_out(mem, cmd.data_uptr, &data[..copy_len])
            .map_err(|_| reject(Errno::EFAULT, "copy_to_user of the data faulted"))?;
        if copy_len < cmd.data_len as usize {
            let tail = cmd
                .data_uptr
                .checked_add(copy_len as u64)
                .ok_or(reject(Errno::EFAULT, "data buffer wraps"))?;
            clear_user(mem, tail, cmd.data_len as usize - copy_len)
                .map_err(|_| reject(Errno::EFAULT, "clear_user of the data tail faulted"))?;
        }
        cmd.data_len = data.len() as u32;
        cmd.data_type.out_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
        cmd.out_capabilities = 0;
        Self::respond(mem, arg, &cmd, user_size, ksize)
    }

    /// `iommufd_hwpt_invalidate` + `intel_nested_cache_invalidate_user`: entries are copied
    /// one at a time (`iommu_copy_struct_from_user_array`) and flushed; the first failure stops
    /// the loop, and `entry_num` is written back as the count handled, on success and error.
    fn hwpt_invalidate<M: UserMemoryWrite + ?Sized>(
        &self,
        mem: &M,
        arg: u64,
        user_size: u32,
    ) -> Result<(), Rejected> {
        let mut cmd = IommuHwptInvalidate::default();
        // A failed copy returns before anything is written back, as the dispatcher does; the
        // handler's own checks (`__reserved`, an array without address or entry_len) go to
        // its `out:` label, which writes back entry_num = 0 (v6.8's iommufd_hwpt_invalidate).
        uapigen_uaccess::size_copy(mem, &mut cmd, arg, IommuHwptInvalidate::MIN_SIZE)?;
        let mut done = 0u32;
        let rc = cmd
            .check()
            .and_then(|()| self.invalidate_entries(mem, &cmd, &mut done));
        cmd.entry_num = done;
        Self::respond(mem, arg, &cmd, user_size, size_of::<IommuHwptInvalidate>())?;
        rc
    }

    fn invalidate_entries<M: UserMemoryWrite + ?Sized>(
        &self,
        mem: &M,
        cmd: &IommuHwptInvalidate,
        done: &mut u32,
    ) -> Result<(), Rejected> {
        let domain = match self.object(cmd.hwpt_id) {
            Some(Object::Nested { domain, .. }) => domain,
            // iommufd_get_hwpt_nested: a missing id and another object type are both -ENOENT
            // in v6.8.
            _ => return Err(reject(Errno::ENOENT, "hwpt_id is not a nested hwpt")),
        };
        if cmd.data_type != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 {
            return Err(reject(
                Errno::EINVAL,
                "data_type is not IOMMU_HWPT_INVALIDATE_DATA_VTD_S1",
            ));
        }
        for index in 0..cmd.entry_num {
            let uptr = (cmd.entry_len as u64)
                .checked_mul(index as u64)
                .and_then(|o| cmd.data_uptr.checked_add(o))
                .ok_or(reject(Errno::EFAULT, "entry address wraps"))?;
            let entry =
                IommuHwptVtdS1Invalidate::copy_from_user(mem, cmd.data_type, uptr, cmd.entry_len)?;
            self.backend.invalidate_nested(self.vm, domain, &entry)?;
            *done += 1;
        }
        Ok(())
    }
}
