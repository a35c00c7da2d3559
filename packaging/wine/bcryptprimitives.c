/*
 * A stand-in for Windows' bcryptprimitives.dll, for running ossvault.exe
 * under Wine versions that lack it (Wine 8.0, Debian 12's). Go programs
 * since Go 1.24 take their random numbers from ProcessPrng in that DLL and
 * stop before main when it is missing. This one answers from RtlGenRandom
 * (advapi32's SystemFunction036), which Wine has, and which reads the
 * host's system random source.
 *
 * For tests only: packaging/wine-check.sh builds it with mingw-w64 and puts
 * it in a throw-away Wine prefix. It is never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng fills data with len random bytes. Like the real one it
 * always returns TRUE: a failure to get randomness ends the process, since
 * no caller could carry on safely. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			ExitProcess(1);
		data += n;
		len -= n;
	}
	return TRUE;
}
