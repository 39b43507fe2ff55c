// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * A VMM's vIOMMU code, written the way QEMU's intel_iommu + iommufd backend would, against
 * the QEMU-profile headers (linux-headers/linux/iommufd.h, linux-headers/linux/iommu.h) and
 * run against uapigen's runtime through its C ABI (uapigen/runtime.h).
 *
 * Every size and argsz comes from sizeof() of the header's structs, so the bytes this file
 * writes are what the header says; the Rust runtime then checks them with the validators
 * generated from the same schema. The program checks what the IOMMU did (which translations
 * the caches still hold, where the device's DMA lands), not just the return codes, so a
 * header that disagrees with the schema fails here even where an ioctl still returns 0.
 *
 * Output: one "ok <step>" line a step; on failure "FAIL <step>: <why>" on stderr, exit 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommu.h>
#include <linux/iommufd.h>

#include <uapigen/runtime.h>

/* VT-d ECAP register: Nested Translation Support (VT-d spec 11.4.3). */
#define VTD_ECAP_NEST		(1ULL << 26)
#define VTD_PAGE_SHIFT		12
#define VTD_PAGE_SIZE		(1ULL << VTD_PAGE_SHIFT)

/* The assigned device: 00:02.0. */
#define VMM_DEVICE_SID		0x0010

struct vtd_viommu {
	struct uapigen_vtd *vtd;
	/* The VMM's user memory: the kernel reads and writes only here. */
	_Alignas(4096) uint8_t user_mem[16384];
	size_t user_used;
	uint32_t dev_id;
	uint32_t ioas_id;
	uint32_t s2_hwpt_id;
	uint32_t s1_hwpt_id;
	uint64_t ecap_reg;
};

static void fail(const struct vtd_viommu *s, const char *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void fail(const struct vtd_viommu *s, const char *step, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s: ", step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (s && s->vtd && *uapigen_last_rejection(s->vtd))
		fprintf(stderr, " (last rejection: %s)", uapigen_last_rejection(s->vtd));
	fputc('\n', stderr);
	exit(1);
}

static void ok(const char *step)
{
	printf("ok %s\n", step);
}

/* Scratch user memory for one ioctl's structs, zeroed, 8-byte aligned. */
static void *user_alloc(struct vtd_viommu *s, size_t len)
{
	void *p;

	s->user_used = (s->user_used + 7) & ~(size_t)7;
	if (s->user_used + len > sizeof(s->user_mem))
		fail(s, "user_alloc", "out of user memory");
	p = &s->user_mem[s->user_used];
	s->user_used += len;
	memset(p, 0, len);
	return p;
}

static void user_reset(struct vtd_viommu *s)
{
	s->user_used = 0;
}

static int iommufd_ioctl(struct vtd_viommu *s, unsigned long cmd, void *arg)
{
	return uapigen_iommufd_ioctl(s->vtd, cmd, arg);
}

/* Like iommufd_backend_get_device_info(): the host IOMMU's VT-d registers. */
static void vtd_get_hw_info(struct vtd_viommu *s)
{
	struct iommu_hw_info_vtd *vtd;
	struct iommu_hw_info *info;
	int ret;

	user_reset(s);
	vtd = user_alloc(s, sizeof(*vtd));
	info = user_alloc(s, sizeof(*info));
	info->size = sizeof(*info);
	info->dev_id = s->dev_id;
	info->data_len = sizeof(*vtd);
	info->data_uptr = (uintptr_t)vtd;

	ret = iommufd_ioctl(s, IOMMU_GET_HW_INFO, info);
	if (ret)
		fail(s, "get_hw_info", "IOMMU_GET_HW_INFO returned %d", ret);
	if (info->out_data_type != IOMMU_HW_INFO_TYPE_INTEL_VTD)
		fail(s, "get_hw_info", "out_data_type %u, not IOMMU_HW_INFO_TYPE_INTEL_VTD",
		     info->out_data_type);
	if (info->data_len != sizeof(*vtd))
		fail(s, "get_hw_info", "data_len %u, sizeof(struct iommu_hw_info_vtd) %zu",
		     info->data_len, sizeof(*vtd));
	if (!(vtd->ecap_reg & VTD_ECAP_NEST))
		fail(s, "get_hw_info", "ecap_reg 0x%llx lacks nested translation",
		     (unsigned long long)vtd->ecap_reg);
	s->ecap_reg = vtd->ecap_reg;
	ok("get_hw_info");
}

static uint32_t hwpt_alloc(struct vtd_viommu *s, const char *step, uint32_t flags, uint32_t pt_id,
			   uint32_t data_type, const void *data, uint32_t data_len)
{
	struct iommu_hwpt_alloc *alloc;
	void *udata = NULL;
	int ret;

	user_reset(s);
	if (data_len) {
		udata = user_alloc(s, data_len);
		memcpy(udata, data, data_len);
	}
	alloc = user_alloc(s, sizeof(*alloc));
	alloc->size = sizeof(*alloc);
	alloc->flags = flags;
	alloc->dev_id = s->dev_id;
	alloc->pt_id = pt_id;
	alloc->data_type = data_type;
	alloc->data_len = data_len;
	alloc->data_uptr = (uintptr_t)udata;

	ret = iommufd_ioctl(s, IOMMU_HWPT_ALLOC, alloc);
	if (ret)
		fail(s, step, "IOMMU_HWPT_ALLOC returned %d", ret);
	return alloc->out_hwpt_id;
}

/*
 * Like vtd_device_attach_pasid_table / iommufd_backend_alloc_hwpt: a nesting parent on an
 * IOAS, the guest's stage-1 table on top, the device attached to it.
 */
static void vtd_attach_stage1(struct vtd_viommu *s, uint64_t pgtbl_addr, uint32_t addr_width)
{
	struct iommu_ioas_alloc *ioas;
	struct iommu_hwpt_vtd_s1 s1;
	int ret;

	user_reset(s);
	ioas = user_alloc(s, sizeof(*ioas));
	ioas->size = sizeof(*ioas);
	ret = iommufd_ioctl(s, IOMMU_IOAS_ALLOC, ioas);
	if (ret)
		fail(s, "ioas_alloc", "IOMMU_IOAS_ALLOC returned %d", ret);
	s->ioas_id = ioas->out_ioas_id;
	ok("ioas_alloc");

	s->s2_hwpt_id = hwpt_alloc(s, "hwpt_alloc_parent", IOMMU_HWPT_ALLOC_NEST_PARENT, s->ioas_id,
				   IOMMU_HWPT_DATA_NONE, NULL, 0);
	ok("hwpt_alloc_parent");

	memset(&s1, 0, sizeof(s1));
	s1.flags = 0;
	s1.pgtbl_addr = pgtbl_addr;
	s1.addr_width = addr_width;
	s->s1_hwpt_id = hwpt_alloc(s, "hwpt_alloc_nested", 0, s->s2_hwpt_id,
				   IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
	ok("hwpt_alloc_nested");

	ret = uapigen_iommufd_attach(s->vtd, s->dev_id, s->s1_hwpt_id);
	if (ret)
		fail(s, "attach", "attaching the nested hwpt returned %d", ret);
	ok("attach");
}

/* The guest invalidated stage-1 IOTLB entries: forward them as one batch. */
static uint32_t vtd_invalidate_stage1(struct vtd_viommu *s, const uint64_t *addr,
				      const uint64_t *npages, uint32_t n)
{
	struct iommu_hwpt_vtd_s1_invalidate *reqs;
	struct iommu_hwpt_invalidate *inv;
	uint32_t i;
	int ret;

	user_reset(s);
	reqs = user_alloc(s, n * sizeof(*reqs));
	for (i = 0; i < n; i++) {
		reqs[i].addr = addr[i];
		reqs[i].npages = npages[i];
		reqs[i].flags = 0;
	}
	inv = user_alloc(s, sizeof(*inv));
	inv->size = sizeof(*inv);
	inv->hwpt_id = s->s1_hwpt_id;
	inv->data_uptr = (uintptr_t)reqs;
	inv->data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
	inv->entry_len = sizeof(*reqs);
	inv->entry_num = n;

	ret = iommufd_ioctl(s, IOMMU_HWPT_INVALIDATE, inv);
	if (ret)
		fail(s, "hwpt_invalidate", "IOMMU_HWPT_INVALIDATE returned %d after %u entries",
		     ret, inv->entry_num);
	return inv->entry_num;
}

/* The device's DMA to @iova lands where the stage-1 table says, and is now cached. */
static void dma(struct vtd_viommu *s, const char *step, int64_t pasid, uint64_t iova,
		uint64_t pgtbl_addr)
{
	uint64_t host_pfn = 0;
	int ret = uapigen_device_dma(s->vtd, VMM_DEVICE_SID, pasid, iova, &host_pfn);

	if (ret)
		fail(s, step, "DMA to 0x%llx faulted: %d", (unsigned long long)iova, ret);
	/* The model's stage-1 walk: page p of the table rooted at r is host page r/4K + p. */
	if (host_pfn != (pgtbl_addr >> VTD_PAGE_SHIFT) + (iova >> VTD_PAGE_SHIFT))
		fail(s, step, "DMA to 0x%llx went to host pfn 0x%llx: not through table 0x%llx",
		     (unsigned long long)iova, (unsigned long long)host_pfn,
		     (unsigned long long)pgtbl_addr);
	if (uapigen_cached(s->vtd, VMM_DEVICE_SID, pasid, iova) !=
	    (UAPIGEN_CACHED_IOTLB | UAPIGEN_CACHED_DEVTLB))
		fail(s, step, "the translation of 0x%llx is not in the IOTLB and device TLB",
		     (unsigned long long)iova);
}

static void expect_cached(struct vtd_viommu *s, const char *step, int64_t pasid, uint64_t iova,
			  int want)
{
	int got = uapigen_cached(s->vtd, VMM_DEVICE_SID, pasid, iova);

	if (got != want)
		fail(s, step, "caches holding 0x%llx: %d, expected %d", (unsigned long long)iova,
		     got, want);
}

/* The size convention, as the VMM would meet it with an older or newer kernel. */
static void size_convention(struct vtd_viommu *s)
{
	struct iommu_hwpt_invalidate *inv;
	uint8_t *bigger;
	int ret;

	/* A size below the kernel's minimum: -EINVAL. */
	user_reset(s);
	inv = user_alloc(s, sizeof(*inv));
	inv->size = offsetof(struct iommu_hwpt_invalidate, data_type);
	inv->hwpt_id = s->s1_hwpt_id;
	ret = iommufd_ioctl(s, IOMMU_HWPT_INVALIDATE, inv);
	if (ret != -EINVAL)
		fail(s, "size_too_small", "a short struct returned %d, not -EINVAL", ret);
	ok("size_too_small");

	/* A struct from a newer header: zero tail accepted, non-zero tail -E2BIG. */
	user_reset(s);
	bigger = user_alloc(s, sizeof(*inv) + 8);
	inv = (struct iommu_hwpt_invalidate *)bigger;
	inv->size = sizeof(*inv) + 8;
	inv->hwpt_id = s->s1_hwpt_id;
	inv->data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
	ret = iommufd_ioctl(s, IOMMU_HWPT_INVALIDATE, inv);
	if (ret)
		fail(s, "size_newer_zero_tail", "a zero tail returned %d", ret);
	ok("size_newer_zero_tail");
	bigger[sizeof(*inv) + 3] = 1;
	ret = iommufd_ioctl(s, IOMMU_HWPT_INVALIDATE, inv);
	if (ret != -E2BIG)
		fail(s, "size_newer_nonzero_tail", "a non-zero tail returned %d, not -E2BIG", ret);
	ok("size_newer_nonzero_tail");

	/* A pointer outside user memory: -EFAULT, nothing read. */
	ret = iommufd_ioctl(s, IOMMU_HWPT_INVALIDATE, s->user_mem + sizeof(s->user_mem) - 2);
	if (ret != -EFAULT)
		fail(s, "size_fault", "a struct past user memory returned %d, not -EFAULT", ret);
	ok("size_fault");
}

static void iommufd_nested(struct vtd_viommu *s)
{
	/* The guest's stage-1 table at guest-physical 0x12340000; IOVAs above 4 GiB. */
	const uint64_t pgtbl = 0x12340000ULL;
	const uint64_t iova_a = 0x123456000ULL, iova_b = 0x123458000ULL;
	const uint64_t iova_c = 0x200000000ULL;
	uint64_t addr[2], npages[2];
	uint32_t done;
	int ret;

	ret = uapigen_iommufd_bind_device(s->vtd, VMM_DEVICE_SID, &s->dev_id);
	if (ret)
		fail(s, "bind_device", "binding returned %d", ret);
	ok("bind_device");
	vtd_get_hw_info(s);
	vtd_attach_stage1(s, pgtbl, 48);

	dma(s, "dma", UAPIGEN_NO_PASID, iova_a, pgtbl);
	dma(s, "dma", UAPIGEN_NO_PASID, iova_b, pgtbl);
	dma(s, "dma", UAPIGEN_NO_PASID, iova_c, pgtbl);
	ok("dma");

	/* The guest unmapped page A, and the 2 MiB at C: two requests, one ioctl. */
	addr[0] = iova_a;
	npages[0] = 1;
	addr[1] = iova_c;
	npages[1] = 512;
	done = vtd_invalidate_stage1(s, addr, npages, 2);
	if (done != 2)
		fail(s, "hwpt_invalidate", "entry_num %u after the ioctl, expected 2", done);
	expect_cached(s, "hwpt_invalidate", UAPIGEN_NO_PASID, iova_a, 0);
	expect_cached(s, "hwpt_invalidate", UAPIGEN_NO_PASID, iova_c, 0);
	expect_cached(s, "hwpt_invalidate", UAPIGEN_NO_PASID, iova_b,
		      UAPIGEN_CACHED_IOTLB | UAPIGEN_CACHED_DEVTLB);
	ok("hwpt_invalidate");

	size_convention(s);
}

/* The 2020 uAPI: the nesting envelope around the payload, copied into user memory. */
static int vfio_nesting_op(struct vtd_viommu *s, uint32_t op, const void *data, uint32_t len)
{
	struct uapigen_nesting_op *hdr;

	user_reset(s);
	hdr = user_alloc(s, sizeof(*hdr) + len);
	hdr->argsz = sizeof(*hdr) + len;
	hdr->flags = op;
	memcpy(hdr->data, data, len);
	return uapigen_vfio_nesting_op(s->vtd, hdr);
}

static void vfio_2020(struct vtd_viommu *s)
{
	const uint64_t gpgd = 0x40000000ULL;
	const uint64_t iova_a = 0x7f0000001000ULL, iova_b = 0x7f0000003000ULL;
	struct iommu_cache_invalidate_info inv;
	struct iommu_gpasid_bind_data bind;
	uint32_t pasid;
	int ret;

	ret = uapigen_vfio_alloc_pasid(s->vtd, &pasid);
	if (ret)
		fail(s, "alloc_pasid", "returned %d", ret);
	ok("alloc_pasid");

	memset(&bind, 0, sizeof(bind));
	bind.argsz = sizeof(bind);
	bind.version = IOMMU_GPASID_BIND_VERSION_1;
	bind.format = IOMMU_PASID_FORMAT_INTEL_VTD;
	bind.addr_width = 48;
	bind.flags = IOMMU_SVA_GPASID_VAL;
	bind.gpgd = gpgd;
	bind.hpasid = pasid;
	bind.gpasid = pasid;
	bind.vendor.vtd.flags = IOMMU_SVA_VTD_GPASID_SRE;
	ret = vfio_nesting_op(s, UAPIGEN_NESTING_OP_BIND_PGTBL, &bind, sizeof(bind));
	if (ret)
		fail(s, "bind_gpasid", "returned %d", ret);
	ok("bind_gpasid");

	dma(s, "dma_pasid", pasid, iova_a, gpgd);
	dma(s, "dma_pasid", pasid, iova_b, gpgd);
	ok("dma_pasid");

	memset(&inv, 0, sizeof(inv));
	inv.argsz = sizeof(inv);
	inv.version = IOMMU_CACHE_INVALIDATE_INFO_VERSION_1;
	inv.cache = IOMMU_CACHE_INV_TYPE_IOTLB | IOMMU_CACHE_INV_TYPE_DEV_IOTLB;
	inv.granularity = IOMMU_INV_GRANU_ADDR;
	inv.granu.addr_info.flags = IOMMU_INV_ADDR_FLAGS_PASID;
	inv.granu.addr_info.pasid = pasid;
	inv.granu.addr_info.addr = iova_a;
	inv.granu.addr_info.granule_size = VTD_PAGE_SIZE;
	inv.granu.addr_info.nb_granules = 1;
	ret = vfio_nesting_op(s, UAPIGEN_NESTING_OP_CACHE_INVLD, &inv, sizeof(inv));
	if (ret)
		fail(s, "cache_invalidate", "returned %d", ret);
	expect_cached(s, "cache_invalidate", pasid, iova_a, 0);
	expect_cached(s, "cache_invalidate", pasid, iova_b,
		      UAPIGEN_CACHED_IOTLB | UAPIGEN_CACHED_DEVTLB);
	ok("cache_invalidate");

	/* An envelope that carries less than the payload's argsz says: -EINVAL. */
	ret = vfio_nesting_op(s, UAPIGEN_NESTING_OP_CACHE_INVLD, &inv,
			      offsetof(struct iommu_cache_invalidate_info, granu.addr_info.addr));
	if (ret != -EINVAL)
		fail(s, "cache_invalidate_overrun", "returned %d, not -EINVAL", ret);
	ok("cache_invalidate_overrun");

	/* Unbind: the PASID's DMA faults from now on. */
	ret = vfio_nesting_op(s, UAPIGEN_NESTING_OP_UNBIND_PGTBL, &bind, sizeof(bind));
	if (ret)
		fail(s, "unbind_gpasid", "returned %d", ret);
	{
		uint64_t pfn;

		if (uapigen_device_dma(s->vtd, VMM_DEVICE_SID, pasid, iova_b, &pfn) != -EFAULT)
			fail(s, "unbind_gpasid", "DMA with the unbound PASID did not fault");
	}
	ok("unbind_gpasid");
}

int main(void)
{
	static struct vtd_viommu s;

	s.vtd = uapigen_vtd_create(VMM_DEVICE_SID, 1, s.user_mem, sizeof(s.user_mem));
	if (!s.vtd)
		fail(NULL, "create", "uapigen_vtd_create returned NULL");
	iommufd_nested(&s);
	vfio_2020(&s);
	uapigen_vtd_destroy(s.vtd);
	printf("all ok\n");
	return 0;
}
