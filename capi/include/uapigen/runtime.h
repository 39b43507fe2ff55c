/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The C ABI of uapigen's runtime (capi/, libuapigen_capi.a): a VT-d IOMMU model with
 * one VM, its VFIO container (the 2020 IOMMU uAPI behind the nesting envelope) and its
 * iommufd (Linux v6.8), for a C VMM to run its ioctls against.
 *
 * User memory is the region given to uapigen_vtd_create: every user pointer, in an argument
 * or inside a struct (data_uptr), must lie in it; one that reaches outside it faults
 * (-EFAULT), as an unmapped user address would.
 *
 * Every int-returning function returns 0 or a negative errno, as the kernel function it
 * stands in for; uapigen_last_rejection() names the rule the last error broke.
 */
#ifndef _UAPIGEN_RUNTIME_H
#define _UAPIGEN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uapigen_vtd;

/*
 * The VFIO nesting ioctl's envelope (the seed thread, Alex Williamson, April 2020): the low
 * 16 bits of @flags name the payload in @data, the other bits must be zero; @argsz covers
 * the envelope and the payload, and the payload's own argsz may not reach past it.
 */
struct uapigen_nesting_op {
	__u32 argsz;
	__u32 flags;
#define UAPIGEN_NESTING_OP_MASK		0xffff
#define UAPIGEN_NESTING_OP_BIND_PGTBL	0	/* struct iommu_gpasid_bind_data */
#define UAPIGEN_NESTING_OP_UNBIND_PGTBL	1	/* struct iommu_gpasid_bind_data */
#define UAPIGEN_NESTING_OP_CACHE_INVLD	2	/* struct iommu_cache_invalidate_info */
#define UAPIGEN_NESTING_OP_PAGE_RESP	3	/* struct iommu_page_response */
	__u8 data[];
};

/* A DMA request without PASID (through the RID's PASID entry). */
#define UAPIGEN_NO_PASID	(-1)

/* uapigen_cached() bits. */
#define UAPIGEN_CACHED_IOTLB	(1 << 0)
#define UAPIGEN_CACHED_DEVTLB	(1 << 1)

/*
 * A VT-d IOMMU with every feature, one VM (4 GiB of guest memory), device @sid assigned
 * (ATS on if @ats), and @user_len bytes at @user_mem as the VM's user memory. NULL on error.
 */
struct uapigen_vtd *uapigen_vtd_create(uint16_t sid, int ats, void *user_mem, size_t user_len);
void uapigen_vtd_destroy(struct uapigen_vtd *vtd);

/* "EINVAL: <rule>" of the last failed call; valid until the next call. */
const char *uapigen_last_rejection(const struct uapigen_vtd *vtd);

/* ioctl(iommufd, cmd, arg) as Linux v6.8 handles it. */
int uapigen_iommufd_ioctl(const struct uapigen_vtd *vtd, unsigned long cmd, void *arg);
/* VFIO_DEVICE_BIND_IOMMUFD and VFIO_DEVICE_ATTACH_IOMMUFD_PT (a nested hwpt). */
int uapigen_iommufd_bind_device(const struct uapigen_vtd *vtd, uint16_t sid, uint32_t *out_dev_id);
int uapigen_iommufd_attach(const struct uapigen_vtd *vtd, uint32_t dev_id, uint32_t hwpt_id);

/* The VFIO container: PASID allocation and the nesting ioctl (arg: struct uapigen_nesting_op). */
int uapigen_vfio_alloc_pasid(const struct uapigen_vtd *vtd, uint32_t *out_pasid);
int uapigen_vfio_nesting_op(const struct uapigen_vtd *vtd, void *arg);

/*
 * Device @sid does DMA to @iova with @pasid (or UAPIGEN_NO_PASID): the host page frame in
 * *out_host_pfn, -EFAULT on a translation fault. Fills the IOTLB (and the device TLB if ATS).
 * The model does not walk guest page tables: page p of a stage-1 table rooted at r (the
 * hwpt's pgtbl_addr, the bind's gpgd) is host page r / 4096 + p.
 */
int uapigen_device_dma(const struct uapigen_vtd *vtd, uint16_t sid, int64_t pasid, uint64_t iova,
		       uint64_t *out_host_pfn);
/* Which caches hold @iova's translation: UAPIGEN_CACHED_* bits, or a negative errno. */
int uapigen_cached(const struct uapigen_vtd *vtd, uint16_t sid, int64_t pasid, uint64_t iova);

#ifdef __cplusplus
}
#endif

#endif /* _UAPIGEN_RUNTIME_H */
