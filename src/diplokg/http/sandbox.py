"""No network for query workers: a seccomp filter that refuses new IPv4 and IPv6 sockets.

Installed by each worker before it opens the store, so whatever a query asks of the engine
(SERVICE, a future federated feature, a bug), the process cannot open a connection or resolve
a name: `socket(AF_INET|AF_INET6, ...)` fails with EACCES. Unix sockets and the worker's
inherited pipes are untouched. Linux only (x86-64 and AArch64); elsewhere `block_network`
raises OSError and the server refuses to start.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import socket
import struct

# seccomp_data.arch and the socket(2) syscall number, by machine
ARCHITECTURES = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LOAD_WORD, JUMP_EQUAL, RETURN = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K
ALLOW, KILL, REFUSE = 0x7FFF0000, 0x80000000, 0x00050000 | errno.EACCES


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def instruction(code: int, k: int, true: int = 0, false: int = 0) -> bytes:
    return struct.pack("HBBI", code, true, false, k)


def filter_program() -> bytes:
    """The BPF program: other architectures are killed; socket() for AF_INET/AF_INET6 fails; all else passes."""
    if platform.system() != "Linux" or platform.machine() not in ARCHITECTURES:
        raise OSError(f"query workers are sandboxed with seccomp, which needs Linux on x86-64 or AArch64, "
                      f"not {platform.system()} on {platform.machine()}")
    arch, socket_call = ARCHITECTURES[platform.machine()]
    return b"".join([
        instruction(LOAD_WORD, 4), instruction(JUMP_EQUAL, arch, 1, 0), instruction(RETURN, KILL),
        instruction(LOAD_WORD, 0), instruction(JUMP_EQUAL, socket_call, 0, 4),
        instruction(LOAD_WORD, 16),  # the low word of the first argument: the address family
        instruction(JUMP_EQUAL, socket.AF_INET, 1, 0), instruction(JUMP_EQUAL, socket.AF_INET6, 0, 1),
        instruction(RETURN, REFUSE), instruction(RETURN, ALLOW)])


def block_network() -> None:
    """Refuse new IPv4/IPv6 sockets in this process and every thread it starts from now on."""
    code = filter_program()
    program = ctypes.create_string_buffer(code, len(code))
    fprog = SockFprog(len(code) // 8, ctypes.addressof(program))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "cannot install the seccomp filter that keeps query workers off the network")
