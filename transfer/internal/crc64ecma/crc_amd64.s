//go:build !purego

#include "textflag.h"

// The fold constants are x^(D+63) and x^(D-1) mod P, bit-reflected, for a
// fold over D bits (512: 64 bytes ahead; 128: 16 bytes ahead) and P the
// ECMA-182 polynomial; crc_test.go derives them again.
DATA fold64<>+0(SB)/8, $0x6ae3efbb9dd441f3
DATA fold64<>+8(SB)/8, $0x081f6054a7842df4
GLOBL fold64<>(SB), RODATA, $16

DATA fold16<>+0(SB)/8, $0xe05dd497ca393ae4
DATA fold16<>+8(SB)/8, $0xdabe95afc7875f40
GLOBL fold16<>(SB), RODATA, $16

// func fold(s uint64, p []byte) (lo, hi uint64)
TEXT ·fold(SB), NOSPLIT, $0-48
	MOVQ s+0(FP), X0
	MOVQ p_base+8(FP), SI
	MOVQ p_len+16(FP), CX

	MOVOU 0(SI), X1
	MOVOU 16(SI), X2
	MOVOU 32(SI), X3
	MOVOU 48(SI), X4
	PXOR  X0, X1
	ADDQ  $64, SI
	SUBQ  $64, CX
	CMPQ  CX, $64
	JB    remain64

	MOVOU fold64<>(SB), X0

loop64:
	MOVO X1, X5
	MOVO X2, X6
	MOVO X3, X7
	MOVO X4, X8

	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x00, X0, X2
	PCLMULQDQ $0x00, X0, X3
	PCLMULQDQ $0x00, X0, X4

	MOVOU 0(SI), X11
	MOVOU 16(SI), X12
	MOVOU 32(SI), X13
	MOVOU 48(SI), X14

	PCLMULQDQ $0x11, X0, X5
	PCLMULQDQ $0x11, X0, X6
	PCLMULQDQ $0x11, X0, X7
	PCLMULQDQ $0x11, X0, X8

	PXOR X5, X1
	PXOR X6, X2
	PXOR X7, X3
	PXOR X8, X4

	PXOR X11, X1
	PXOR X12, X2
	PXOR X13, X3
	PXOR X14, X4

	ADDQ $64, SI
	SUBQ $64, CX
	CMPQ CX, $64
	JAE  loop64

remain64:
	MOVOU fold16<>(SB), X0

	MOVO      X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X2, X1

	MOVO      X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X3, X1

	MOVO      X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X4, X1

	CMPQ CX, $16
	JB   done

remain16:
	MOVOU     0(SI), X10
	MOVO      X1, X5
	PCLMULQDQ $0x00, X0, X1
	PCLMULQDQ $0x11, X0, X5
	PXOR      X5, X1
	PXOR      X10, X1
	ADDQ      $16, SI
	SUBQ      $16, CX
	CMPQ      CX, $16
	JAE       remain16

done:
	MOVQ   X1, AX
	MOVQ   AX, lo+32(FP)
	PSRLDQ $8, X1
	MOVQ   X1, AX
	MOVQ   AX, hi+40(FP)
	RET
