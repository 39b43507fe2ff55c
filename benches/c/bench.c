/*
 * The C side of the validator benchmark. gen_*: the generated validators. hand_*: the same
 * semantics written by hand the way the kernel writes them (v5.10 iommu_uapi_cache_invalidate
 * and iommu_check_cache_invl_data; v6.8 iommufd's ucmd path and iommufd_hwpt_invalidate), with
 * memcpy standing in for copy_from_user in both.
 */
#include <uapigen/iommu_validate.h>
#include <uapigen/iommufd_validate.h>

int gen_cache_invalidate(struct iommu_cache_invalidate_info *dst, const void *src)
{
	return iommu_cache_invalidate_info_copy_from_user(dst, src);
}

int gen_hwpt_invalidate(struct iommu_hwpt_invalidate *dst, const void *src)
{
	return iommu_hwpt_invalidate_copy_from_user(dst, src);
}

#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

static size_t copy_from_user(void *to, const void *from, size_t n)
{
	memcpy(to, from, n);
	return 0;
}

static int iommu_check_cache_invl_data(struct iommu_cache_invalidate_info *info)
{
	__u64 valid_mask = (1 << IOMMU_CACHE_INV_TYPE_NR) - 1;
	int i;

	if (info->version != IOMMU_CACHE_INVALIDATE_INFO_VERSION_1)
		return -EINVAL;
	if (info->cache & ~valid_mask)
		return -EINVAL;
	if (info->granularity >= IOMMU_INV_GRANU_NR)
		return -EINVAL;
	switch (info->granularity) {
	case IOMMU_INV_GRANU_ADDR:
		if (info->cache & IOMMU_CACHE_INV_TYPE_PASID)
			return -EINVAL;
		if (info->granu.addr_info.flags & ~(IOMMU_INV_ADDR_FLAGS_PASID | IOMMU_INV_ADDR_FLAGS_ARCHID | IOMMU_INV_ADDR_FLAGS_LEAF))
			return -EINVAL;
		break;
	case IOMMU_INV_GRANU_PASID:
		if (info->granu.pasid_info.flags & ~(IOMMU_INV_PASID_FLAGS_PASID | IOMMU_INV_PASID_FLAGS_ARCHID))
			return -EINVAL;
		break;
	case IOMMU_INV_GRANU_DOMAIN:
		if (info->cache & IOMMU_CACHE_INV_TYPE_DEV_IOTLB)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	for (i = 0; i < 6; i++)
		if (info->padding[i])
			return -EINVAL;
	return 0;
}

int hand_cache_invalidate(struct iommu_cache_invalidate_info *inv_info, const void *uinfo)
{
	unsigned long minsz, argsz;

	memset(inv_info, 0, sizeof(*inv_info));
	minsz = offsetof(struct iommu_cache_invalidate_info, granu);
	if (copy_from_user(inv_info, uinfo, minsz))
		return -EFAULT;
	argsz = inv_info->argsz;
	if (argsz < minsz)
		return -EINVAL;
	if (inv_info->granularity == IOMMU_INV_GRANU_PASID &&
	    argsz < offsetofend(struct iommu_cache_invalidate_info, granu.pasid_info))
		return -EINVAL;
	if (inv_info->granularity == IOMMU_INV_GRANU_ADDR &&
	    argsz < offsetofend(struct iommu_cache_invalidate_info, granu.addr_info))
		return -EINVAL;
	if (copy_from_user((void *)inv_info + minsz, (const char *)uinfo + minsz,
			   (argsz < sizeof(*inv_info) ? argsz : sizeof(*inv_info)) - minsz))
		return -EFAULT;
	return iommu_check_cache_invl_data(inv_info);
}

/* Out of line, as the kernel's is (lib/usercopy.c, EXPORT_SYMBOL): include/linux/uaccess.h's
 * inline copy_struct_from_user() calls it. */
static __attribute__((__noinline__)) int check_zeroed_user(const void *from, size_t size)
{
	const unsigned char *p = from;
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i])
			return 0;
	return 1;
}

static int copy_struct_from_user(void *dst, size_t ksize, const void *src, size_t usize)
{
	size_t size = usize < ksize ? usize : ksize;
	size_t rest = (usize > ksize ? usize : ksize) - size;

	if (usize < ksize) {
		memset((char *)dst + size, 0, rest);
	} else if (usize > ksize) {
		int ret = check_zeroed_user((const char *)src + size, rest);
		if (ret <= 0)
			return ret ?: -E2BIG;
	}
	if (copy_from_user(dst, src, size))
		return -EFAULT;
	return 0;
}

int hand_hwpt_invalidate(struct iommu_hwpt_invalidate *cmd, const void *arg)
{
	__u32 user_size;
	int ret;

	if (copy_from_user(&user_size, arg, sizeof(user_size)))
		return -EFAULT;
	if (user_size < offsetofend(struct iommu_hwpt_invalidate, __reserved))
		return -EINVAL;
	ret = copy_struct_from_user(cmd, sizeof(*cmd), arg, user_size);
	if (ret)
		return ret;
	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len))
		return -EINVAL;
	return 0;
}
