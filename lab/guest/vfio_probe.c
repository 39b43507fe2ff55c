// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * vfio_probe: asks a real kernel's VFIO how it answers info ioctls at chosen argsz values.
 * Runs inside the lab's guest (scripts/lab), statically linked and compiled against uapigen's
 * generated <linux/vfio.h> (generated/include/uapi first on the include path), so every size
 * and offset used here is the generated header's.
 *
 *   vfio_probe GROUP-NODE PCI-ADDRESS [CASE-FILE]
 *   vfio_probe --iommufd-only CASE-FILE      (no VFIO: a guest without the emulated VT-d)
 *   vfio_probe --cdev CDEV-NODE CASE-FILE    (the device through its cdev, no group)
 *
 * Sets up container, group and device fd, then runs the built-in cases (every info ioctl at
 * argsz 0, minsz-1, minsz, sizeof, larger, and again at the argsz a capability chain asked for;
 * MAP_DMA and UNMAP_DMA of one page at argsz 0, minsz-1, minsz, larger)
 * and the cases of CASE-FILE, one per line: "IOCTL-NAME HEX-BYTES" (the whole user buffer,
 * argsz inside it, as codegen/src/tools/matrix.rs's Case::bytes). Per case one line:
 *
 *   CASE <n> <IOCTL-NAME> argsz=<u32> len=<buffer bytes> ret=<ioctl return> errno=<0|errno>
 *        out=<hex of the buffer after the call>
 *
 * which is matrix.rs's Outcome: Err(errno) when ret < 0, else Ok(out). The buffer ends at a
 * PROT_NONE page, so a kernel writing past it gives EFAULT, not a corrupted harness.
 *
 * A case line may go on with patches, applied to the bytes before the call, so that a sequence
 * of cases can use what an earlier one allocated (tests/tests/lab_sequences.rs):
 *
 *   OFF=#K.SRC   the u32 at byte SRC of file case K's answer (K counts from 0), at byte OFF
 *   OFF=&N       the address of byte N of this case's own user buffer, a u64 at byte OFF
 *   OFF=!iommufd the /dev/iommu file descriptor, an s32 at byte OFF
 *
 * and three more names: IOMMUFD_REOPEN (the bytes unused) closes /dev/iommu and opens it again,
 * a context without objects; VFIO_CDEV_REOPEN likewise the device's cdev (--cdev: unbound
 * from iommufd, as the close unbinds it); IOMMU_TEST_CMD, the kernel's mock (CONFIG_IOMMUFD_TEST), where
 * the probe is built with UAPIGEN_LAB_MOCK and the kernel's drivers/iommu/iommufd on the
 * include path for its iommufd_test.h.
 * Setup lines start with "SETUP", failures with "FAIL" (and exit status 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>
#include <linux/iommufd.h>
#ifdef UAPIGEN_LAB_MOCK
#include "iommufd_test.h"
#endif

#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#define MAX_BUF 65536
/* Bytes outside argsz: what the kernel writes there shows as a change. */
#define FILL 0xa5

enum target { CONTAINER, GROUP, DEVICE, IOMMUFD };

struct ioctl_desc {
	const char *name;
	unsigned long request;
	enum target target;
};

static const struct ioctl_desc ioctls[] = {
	{ "VFIO_GROUP_GET_STATUS", VFIO_GROUP_GET_STATUS, GROUP },
	{ "VFIO_DEVICE_GET_INFO", VFIO_DEVICE_GET_INFO, DEVICE },
	{ "VFIO_DEVICE_GET_REGION_INFO", VFIO_DEVICE_GET_REGION_INFO, DEVICE },
	{ "VFIO_DEVICE_GET_IRQ_INFO", VFIO_DEVICE_GET_IRQ_INFO, DEVICE },
	{ "VFIO_IOMMU_GET_INFO", VFIO_IOMMU_GET_INFO, CONTAINER },
	{ "VFIO_IOMMU_MAP_DMA", VFIO_IOMMU_MAP_DMA, CONTAINER },
	{ "VFIO_IOMMU_UNMAP_DMA", VFIO_IOMMU_UNMAP_DMA, CONTAINER },
	/* Only by the case file: its payload cases (tests/tests/lab_feature.rs). */
	{ "VFIO_DEVICE_FEATURE", VFIO_DEVICE_FEATURE, DEVICE },
	/* Only by the case file: the rest of vfio.h's argsz structs (`uapigen matrix --kernel`). */
	{ "VFIO_DEVICE_SET_IRQS", VFIO_DEVICE_SET_IRQS, DEVICE },
	{ "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, DEVICE },
	{ "VFIO_DEVICE_PCI_HOT_RESET", VFIO_DEVICE_PCI_HOT_RESET, DEVICE },
	{ "VFIO_DEVICE_IOEVENTFD", VFIO_DEVICE_IOEVENTFD, DEVICE },
	{ "VFIO_DEVICE_BIND_IOMMUFD", VFIO_DEVICE_BIND_IOMMUFD, DEVICE },
	{ "VFIO_DEVICE_ATTACH_IOMMUFD_PT", VFIO_DEVICE_ATTACH_IOMMUFD_PT, DEVICE },
	{ "VFIO_DEVICE_DETACH_IOMMUFD_PT", VFIO_DEVICE_DETACH_IOMMUFD_PT, DEVICE },
	{ "VFIO_IOMMU_DIRTY_PAGES", VFIO_IOMMU_DIRTY_PAGES, CONTAINER },
	/* iommufd's, on /dev/iommu where the kernel has it (the lab's 7.2 kernel). */
	{ "IOMMU_DESTROY", IOMMU_DESTROY, IOMMUFD },
	{ "IOMMU_IOAS_ALLOC", IOMMU_IOAS_ALLOC, IOMMUFD },
	{ "IOMMU_IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, IOMMUFD },
	{ "IOMMU_IOAS_ALLOW_IOVAS", IOMMU_IOAS_ALLOW_IOVAS, IOMMUFD },
	{ "IOMMU_IOAS_MAP", IOMMU_IOAS_MAP, IOMMUFD },
	{ "IOMMU_IOAS_MAP_FILE", IOMMU_IOAS_MAP_FILE, IOMMUFD },
	{ "IOMMU_IOAS_COPY", IOMMU_IOAS_COPY, IOMMUFD },
	{ "IOMMU_IOAS_UNMAP", IOMMU_IOAS_UNMAP, IOMMUFD },
	{ "IOMMU_OPTION", IOMMU_OPTION, IOMMUFD },
	{ "IOMMU_VFIO_IOAS", IOMMU_VFIO_IOAS, IOMMUFD },
	{ "IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC, IOMMUFD },
	{ "IOMMU_GET_HW_INFO", IOMMU_GET_HW_INFO, IOMMUFD },
	{ "IOMMU_HWPT_SET_DIRTY_TRACKING", IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMUFD },
	{ "IOMMU_HWPT_GET_DIRTY_BITMAP", IOMMU_HWPT_GET_DIRTY_BITMAP, IOMMUFD },
	{ "IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, IOMMUFD },
	{ "IOMMU_FAULT_QUEUE_ALLOC", IOMMU_FAULT_QUEUE_ALLOC, IOMMUFD },
	{ "IOMMU_VIOMMU_ALLOC", IOMMU_VIOMMU_ALLOC, IOMMUFD },
	{ "IOMMU_VDEVICE_ALLOC", IOMMU_VDEVICE_ALLOC, IOMMUFD },
	{ "IOMMU_IOAS_CHANGE_PROCESS", IOMMU_IOAS_CHANGE_PROCESS, IOMMUFD },
	{ "IOMMU_VEVENTQ_ALLOC", IOMMU_VEVENTQ_ALLOC, IOMMUFD },
	{ "IOMMU_HW_QUEUE_ALLOC", IOMMU_HW_QUEUE_ALLOC, IOMMUFD },
	{ "IOMMUFD_REOPEN", 0, IOMMUFD },
	{ "VFIO_CDEV_REOPEN", 1, DEVICE },
#ifdef UAPIGEN_LAB_MOCK
	{ "IOMMU_TEST_CMD", IOMMU_TEST_CMD, IOMMUFD },
#endif
};

static int fds[4] = { -1, -1, -1, -1 };
static const char *cdev; /* --cdev's node */
static unsigned char *arena; /* MAX_BUF bytes, then a PROT_NONE page */
static unsigned cases_run;

static void fail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static const struct ioctl_desc *lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if (!strcmp(ioctls[i].name, name))
			return &ioctls[i];
	return NULL;
}

/* Runs one case; `buf` (len bytes) is copied in and the kernel's answer is left in it. */
static int run_case(const char *name, unsigned char *buf, size_t len)
{
	const struct ioctl_desc *d = lookup(name);
	if (!d || len > MAX_BUF || len < 4 || fds[d->target] < 0) {
		printf("FAIL case %u: %s with %zu bytes: unknown ioctl, bad length or no fd for it\n",
		       cases_run + 1,
		       name, len);
		exit(1);
	}
	unsigned char *user = arena + MAX_BUF - len;
	memcpy(user, buf, len);
	uint32_t argsz;
	memcpy(&argsz, buf, 4);
	errno = 0;
	int ret;
	if (d->request == 0 || d->request == 1) {
		close(fds[d->target]);
		ret = fds[d->target] = open(d->request ? cdev : "/dev/iommu", O_RDWR);
		if (ret > 0)
			ret = 0;
	} else {
		ret = ioctl(fds[d->target], d->request, user);
	}
	int err = ret < 0 ? errno : 0;
	memcpy(buf, user, len);
	printf("CASE %u %s argsz=%u len=%zu ret=%d errno=%d out=", ++cases_run, name, argsz, len, ret,
	       err);
	for (size_t i = 0; i < len; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return ret;
}

/*
 * A buffer of `len` bytes: argsz first, `index` at `index_at` (when the struct has one), zero
 * elsewhere within argsz and FILL beyond it.
 */
static size_t make(unsigned char *buf, uint32_t argsz, size_t len, size_t index_at, uint32_t index)
{
	memset(buf, FILL, len);
	memset(buf, 0, argsz < len ? argsz : len);
	memcpy(buf, &argsz, 4);
	if (index_at)
		memcpy(buf + index_at, &index, 4);
	return len;
}

/*
 * The info ioctl `name` at argsz 0, minsz - 1, minsz, sizeof and sizeof + 16, each in a buffer
 * of argsz bytes (sizeof at least), then, when the kernel set the caps flag and asked for more
 * (argsz written back larger), again at the argsz it asked for.
 */
static void sweep(const char *name, size_t minsz, size_t size, size_t index_at, uint32_t index,
		  size_t flags_at, uint32_t caps_flag)
{
	static unsigned char buf[MAX_BUF];
	const uint32_t sizes[] = { 0, minsz - 1, minsz, size, size + 16 };
	uint32_t asked = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i] > size ? sizes[i] : size;
		make(buf, sizes[i], len, index_at, index);
		if (run_case(name, buf, len) == 0 && caps_flag) {
			uint32_t flags, back;
			memcpy(&flags, buf + flags_at, 4);
			memcpy(&back, buf, 4);
			if ((flags & caps_flag) && back > sizes[i] && back > asked)
				asked = back;
		}
	}
	if (asked && asked <= MAX_BUF) {
		make(buf, asked, asked, index_at, index);
		run_case(name, buf, asked);
	}
}

/* Where the DMA cases map their page: an IOVA inside every range the emulated VT-d offers. */
#define DMA_IOVA 0x100000ULL

/* One page mapped (MAP_DMA at `argsz`) or unmapped (UNMAP_DMA at `argsz`) at DMA_IOVA. */
static int dma(const char *name, uint32_t argsz, void *page, size_t len)
{
	static unsigned char buf[MAX_BUF];
	struct vfio_iommu_type1_dma_map map = {
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)page,
		.iova = DMA_IOVA,
		.size = len,
	};
	/* Two pages asked, one mapped: the size written back is what was unmapped. */
	struct vfio_iommu_type1_dma_unmap unmap = { .iova = DMA_IOVA, .size = 2 * len };
	int is_map = !strcmp(name, "VFIO_IOMMU_MAP_DMA");
	size_t size = is_map ? sizeof(map) : sizeof(unmap);
	size_t n = argsz > size ? argsz : size;
	make(buf, argsz, n, 0, 0);
	/* The fields whether or not argsz covers them: the kernel must not read past argsz. */
	memcpy(buf + 4, (unsigned char *)(is_map ? (void *)&map : (void *)&unmap) + 4, size - 4);
	return run_case(name, buf, n);
}

/*
 * MAP_DMA at argsz 0, minsz - 1, minsz and minsz + 16, each mapping unmapped again at minsz
 * over two pages (UNMAP_DMA writes back the size it unmapped: one page); then UNMAP_DMA at 0 and minsz - 1 over a
 * mapping, which must stay (a second map of the same IOVA: EEXIST).
 */
static void dma_cases(void)
{
	long page_size = sysconf(_SC_PAGESIZE);
	void *page = mmap(NULL, page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		fail("mmap for MAP_DMA");
	memset(page, 0, page_size);
	const uint32_t map_min = offsetofend(struct vfio_iommu_type1_dma_map, size);
	const uint32_t unmap_min = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	const uint32_t sizes[] = { 0, map_min - 1, map_min, map_min + 16 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (dma("VFIO_IOMMU_MAP_DMA", sizes[i], page, page_size) == 0)
			dma("VFIO_IOMMU_UNMAP_DMA", unmap_min, page, page_size);
	if (dma("VFIO_IOMMU_MAP_DMA", map_min, page, page_size))
		return;
	dma("VFIO_IOMMU_UNMAP_DMA", 0, page, page_size);
	dma("VFIO_IOMMU_UNMAP_DMA", unmap_min - 1, page, page_size);
	dma("VFIO_IOMMU_MAP_DMA", map_min, page, page_size);
	dma("VFIO_IOMMU_UNMAP_DMA", unmap_min, page, page_size);
}

static void builtin_cases(void)
{
	struct vfio_device_info info;
	memset(&info, 0, sizeof(info));
	info.argsz = sizeof(info);
	if (ioctl(fds[DEVICE], VFIO_DEVICE_GET_INFO, &info))
		fail("VFIO_DEVICE_GET_INFO (setup)");
	printf("SETUP device num_regions=%u num_irqs=%u flags=0x%x\n", info.num_regions,
	       info.num_irqs, info.flags);

	sweep("VFIO_GROUP_GET_STATUS", offsetofend(struct vfio_group_status, flags),
	      sizeof(struct vfio_group_status), 0, 0, 0, 0);
	sweep("VFIO_DEVICE_GET_INFO", offsetofend(struct vfio_device_info, num_irqs),
	      sizeof(struct vfio_device_info), 0, 0, offsetof(struct vfio_device_info, flags),
	      VFIO_DEVICE_FLAGS_CAPS);
	/* One past the last index too: the kernel's bound check. */
	for (uint32_t i = 0; i <= info.num_regions; i++)
		sweep("VFIO_DEVICE_GET_REGION_INFO", offsetofend(struct vfio_region_info, offset),
		      sizeof(struct vfio_region_info), offsetof(struct vfio_region_info, index), i,
		      offsetof(struct vfio_region_info, flags), VFIO_REGION_INFO_FLAG_CAPS);
	for (uint32_t i = 0; i <= info.num_irqs; i++)
		sweep("VFIO_DEVICE_GET_IRQ_INFO", offsetofend(struct vfio_irq_info, count),
		      sizeof(struct vfio_irq_info), offsetof(struct vfio_irq_info, index), i, 0, 0);
	sweep("VFIO_IOMMU_GET_INFO", offsetofend(struct vfio_iommu_type1_info, iova_pgsizes),
	      sizeof(struct vfio_iommu_type1_info), 0, 0,
	      offsetof(struct vfio_iommu_type1_info, flags), VFIO_IOMMU_INFO_CAPS);
	dma_cases();
}

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Each file case's answer, for the patches of the cases after it. */
static unsigned char **answers;
static size_t *answer_lens, answers_kept;

static void keep_answer(const unsigned char *buf, size_t len)
{
	answers = realloc(answers, (answers_kept + 1) * sizeof(*answers));
	answer_lens = realloc(answer_lens, (answers_kept + 1) * sizeof(*answer_lens));
	if (!answers || !answer_lens || !(answers[answers_kept] = malloc(len)))
		fail("keeping an answer");
	memcpy(answers[answers_kept], buf, len);
	answer_lens[answers_kept++] = len;
}

/* Applies one "OFF=#K.SRC" or "OFF=&N" to buf (len bytes); 0 when it does not parse or fit. */
static int patch(const char *p, unsigned char *buf, size_t len)
{
	unsigned long off, k, src;
	char kind;
	int n = 0;
	if (sscanf(p, "%lu=%c%n", &off, &kind, &n) != 2)
		return 0;
	p += n;
	if (kind == '#') {
		if (sscanf(p, "%lu.%lu%n", &k, &src, &n) != 2 || p[n] || k >= answers_kept ||
		    src + 4 > answer_lens[k] || off + 4 > len)
			return 0;
		memcpy(buf + off, answers[k] + src, 4);
		return 1;
	}
	if (kind == '!') {
		if (strcmp(p, "iommufd") || off + 4 > len)
			return 0;
		int32_t fd = fds[IOMMUFD];
		memcpy(buf + off, &fd, 4);
		return 1;
	}
	if (kind == '&') {
		if (sscanf(p, "%lu%n", &src, &n) != 1 || p[n] || src > len || off + 8 > len)
			return 0;
		/* Where run_case puts a buffer of len bytes. */
		uint64_t addr = (uintptr_t)(arena + MAX_BUF - len + src);
		memcpy(buf + off, &addr, 8);
		return 1;
	}
	return 0;
}

static void file_cases(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		fail(path);
	static char line[2 * MAX_BUF + 128];
	static unsigned char buf[MAX_BUF];
	unsigned lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char name[64], hex[sizeof(line)];
		int at = 0;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %s%n", name, hex, &at) != 2 || strlen(hex) % 2 ||
		    strlen(hex) / 2 > MAX_BUF) {
			printf("FAIL %s:%u: want \"IOCTL-NAME HEX-BYTES\"\n", path, lineno);
			exit(1);
		}
		size_t len = strlen(hex) / 2;
		for (size_t i = 0; i < len; i++) {
			int hi = unhex(hex[2 * i]), lo = unhex(hex[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				printf("FAIL %s:%u: not hex at byte %zu\n", path, lineno, i);
				exit(1);
			}
			buf[i] = hi << 4 | lo;
		}
		for (char *p = strtok(line + at, " \n"); p; p = strtok(NULL, " \n"))
			if (!patch(p, buf, len)) {
				printf("FAIL %s:%u: patch \"%s\": want OFF=#K.SRC (an earlier case's answer)"
				       " or OFF=&N, inside the buffers\n", path, lineno, p);
				exit(1);
			}
		run_case(name, buf, len);
		keep_answer(buf, len);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	int iommufd_only = argc == 3 && !strcmp(argv[1], "--iommufd-only");
	if (argc == 4 && !strcmp(argv[1], "--cdev"))
		cdev = argv[2];
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s GROUP-NODE PCI-ADDRESS [CASE-FILE]\n"
				"       %s --iommufd-only CASE-FILE\n"
				"       %s --cdev CDEV-NODE CASE-FILE\n", argv[0], argv[0], argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	long page = sysconf(_SC_PAGESIZE);
	arena = mmap(NULL, MAX_BUF + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || mprotect(arena + MAX_BUF, page, PROT_NONE))
		fail("guard page");

	/* iommufd's ioctls go to /dev/iommu, where the kernel has one. */
	fds[IOMMUFD] = open("/dev/iommu", O_RDWR);
	printf("SETUP iommufd=%s\n", fds[IOMMUFD] < 0 ? "absent" : "open");
	if (iommufd_only) {
		/* A guest without the emulated VT-d: /dev/iommu's cases only, no VFIO. */
		file_cases(argv[2]);
		printf("SETUP cases=%u\n", cases_run);
		return 0;
	}
	if (cdev) {
		/* The device through its cdev (VFIO_DEVICE_CDEV), bound to /dev/iommu by the cases. */
		if ((fds[DEVICE] = open(cdev, O_RDWR)) < 0)
			fail(cdev);
		printf("SETUP cdev %s\n", cdev);
		file_cases(argv[3]);
		printf("SETUP cases=%u\n", cases_run);
		return 0;
	}
	if ((fds[CONTAINER] = open("/dev/vfio/vfio", O_RDWR)) < 0)
		fail("open /dev/vfio/vfio");
	printf("SETUP api_version=%d type1v2=%d\n", ioctl(fds[CONTAINER], VFIO_GET_API_VERSION),
	       ioctl(fds[CONTAINER], VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	if ((fds[GROUP] = open(argv[1], O_RDWR)) < 0)
		fail(argv[1]);
	struct vfio_group_status status = { .argsz = sizeof(status) };
	if (ioctl(fds[GROUP], VFIO_GROUP_GET_STATUS, &status))
		fail("VFIO_GROUP_GET_STATUS");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		fail("group not viable (a device of the group is not bound to vfio-pci)");
	}
	if (ioctl(fds[GROUP], VFIO_GROUP_SET_CONTAINER, &fds[CONTAINER]))
		fail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(fds[CONTAINER], VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		fail("VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU)");
	if ((fds[DEVICE] = ioctl(fds[GROUP], VFIO_GROUP_GET_DEVICE_FD, argv[2])) < 0)
		fail("VFIO_GROUP_GET_DEVICE_FD");
	printf("SETUP container group device ready\n");

	builtin_cases();
	if (argc == 4)
		file_cases(argv[3]);
	printf("SETUP cases=%u\n", cases_run);
	return 0;
}
