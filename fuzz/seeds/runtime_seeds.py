#!/usr/bin/env python3
"""Writes seed inputs for the runtime and capi fuzz targets (fuzz/corpus/{runtime,capi}): call
sequences a VMM makes (iommufd: bind, IOAS_ALLOC, a nest-parent and a VT-d stage-1 HWPT_ALLOC,
attach, GET_HW_INFO, HWPT_INVALIDATE; VFIO 2020: alloc PASID, bind through the envelope, DMA,
cache invalidate, page response), so the fuzzer starts at the deep end. The input layouts are
the targets' own (see fuzz/fuzz_targets/runtime.rs and capi.rs). Run from the repository root."""
import os
import struct

USER = 0x7F00_0000_0000  # fuzz/src/lib.rs USER


def op(kind, off=0, a=0, b=0, w=0, q=0):
    return struct.pack("<BHBBIQ", kind, off, a, b, w, q)


def mem_with(parts):
    m = bytearray(2048)
    for off, data in parts:
        m[off:off + len(data)] = data
    return bytes(m)


def hwpt_alloc(flags, dev, pt, dtype=0, dlen=0, uptr=0):
    return struct.pack("<IIIIIIIIQ", 40, flags, dev, pt, 0, 0, dtype, dlen, uptr)


def iommufd(base):
    """(ops, memory) of the iommufd flow; `base` is where memory offset 0 is."""
    mem = mem_with([
        (0, struct.pack("<III", 12, 0, 0)),                                   # IOAS_ALLOC
        (64, hwpt_alloc(1, 1, 2)),                                            # nest parent
        (128, hwpt_alloc(0, 1, 3, 1, 24, base + 256)),                        # VT-d stage 1
        (256, struct.pack("<QQII", 0, 0x5000, 48, 0)),                        # iommu_hwpt_vtd_s1
        (512, struct.pack("<IIIIQIIB3sQ", 48, 0, 1, 64, base + 768, 0, 0, 0, b"\0" * 3, 0)),
        (640, struct.pack("<IIQIIII", 32, 4, base + 1024, 1, 32, 1, 0)),      # HWPT_INVALIDATE
        (1024, struct.pack("<QIIQ", 0x1000, 0, 0, 1)),                        # vtd_s1_invalidate
    ])
    # CMDS index: 0 DESTROY, 1 IOAS_ALLOC, 2 HWPT_ALLOC, 3 GET_HW_INFO, 4 HWPT_INVALIDATE
    ops = [op(4, a=0), op(1, 0, a=1), op(1, 64, a=2), op(1, 128, a=2), op(5, a=1, b=4),
           op(1, 512, a=3), op(1, 640, a=4), op(1, 0, a=0)]
    return ops, mem


def vfio(pasid=1):
    bind = struct.pack("<IIIIQQQQQQII", 72, 1, 1, 48, 0, 0x5000, pasid, pasid, 0, 0, 0, 0)
    inval = struct.pack("<IIBB6sIIQQQQ", 56, 1, 7, 2, b"\0" * 6, 1, 0, pasid, 0x1000, 4096, 1)
    resp = struct.pack("<IIIIII", 24, 1, 1, pasid, 3, 0)
    mem = mem_with([
        (0, struct.pack("<II", 8 + 72, 0) + bind),
        (128, struct.pack("<II", 8 + 56, 2) + inval),
        (256, struct.pack("<II", 8 + 24, 3) + resp),
        (384, struct.pack("<II", 8 + 72, 1) + bind),
    ])
    return mem


def write(target, name, data):
    d = os.path.join("fuzz/corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# runtime: mode, hole u16, nops, ops, memory (mode bit 1 clear: no readable field).
ops, mem = iommufd(USER)
write("runtime", "iommufd", bytes([0]) + struct.pack("<H", 0) + bytes([len(ops) - 1]) + b"".join(ops) + mem)
vops = [op(6, a=0), op(0, 0), op(7, a=1, w=1, q=0x1000), op(0, 128), op(0, 256), op(0, 384)]
write("runtime", "vfio", bytes([1]) + struct.pack("<H", 0) + bytes([len(vops) - 1]) + b"".join(vops) + vfio())

# capi: mode, nops, ops, memory; the memory's address is not known in advance, so the
# pointers inside it (data_uptr) are left for the fuzzer to find.
ops, mem = iommufd(0)
write("capi", "iommufd", bytes([0, len(ops) - 1]) + b"".join(ops) + mem)
cops = [op(6), op(0, 0), op(7, w=1, q=0x1000), op(0, 128), op(0, 256), op(0, 384)]
write("capi", "vfio", bytes([1, len(cops) - 1]) + b"".join(cops) + vfio())
