/* The fuzzers' user memory for the C validators: the bytes [g_user, g_user + g_readable) are
 * readable, any other address faults, as copy_from_user does (it returns the bytes not copied).
 * Addresses are compared as integers: comparing pointers into different objects is undefined. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char *uapigen_fuzz_user;
static size_t uapigen_fuzz_readable, uapigen_fuzz_read_end;

static inline size_t uapigen_fuzz_copy(void *to, const void *from, size_t n)
{
	uintptr_t base = (uintptr_t)uapigen_fuzz_user, f = (uintptr_t)from;
	size_t ok = 0;

	if (f >= base && f - base <= uapigen_fuzz_readable) {
		size_t avail = uapigen_fuzz_readable - (f - base);

		ok = n < avail ? n : avail;
	}
	if (ok) {
		memcpy(to, uapigen_fuzz_user + (f - base), ok);
		if (f - base + ok > uapigen_fuzz_read_end)
			uapigen_fuzz_read_end = f - base + ok;
	}
	return n - ok;
}
#define UAPI_COPY_FROM_USER(to, from, n) uapigen_fuzz_copy((to), (from), (n))
