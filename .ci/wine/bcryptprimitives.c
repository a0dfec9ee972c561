/*
 * bcryptprimitives.dll for wine 8, which has none: Go 1.22 and later load
 * it at start for ProcessPrng, their source of random bytes, and a Go
 * program dies before main without it. RtlGenRandom (advapi32's
 * SystemFunction036) gives the same bytes. Only the lane in .ci/wine.sh
 * uses this; Windows 10 and later ship the real DLL.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
