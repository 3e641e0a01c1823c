"""ctypes over libdpsharp.so (dpsharp.h, ABI version 1)."""

import ctypes
import os

import numpy as np

_ABI = 1
_lib = None


class DPSharpError(RuntimeError):
    """A call into libdpsharp.so failed; the message is the library's last-error string."""


def library_path():
    """Where libdpsharp.so is taken from: DPSHARP_LIBRARY, next to this package, or the clone's build output."""
    env = os.environ.get("DPSHARP_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [
        os.path.join(here, "libdpsharp.so"),
        os.path.join(here, "..", "..", "src", "DeepMD.Sharp.Native", "bin", "Release", "net10.0", "libdpsharp.so"),
    ]
    for c in candidates:
        if os.path.exists(c):
            return os.path.abspath(c)
    raise DPSharpError(
        "libdpsharp.so not found; build it (dotnet build src/DeepMD.Sharp.Native -c Release, with gcc installed) "
        "or set DPSHARP_LIBRARY to its path")


def _load():
    global _lib
    if _lib is not None:
        return _lib
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise DPSharpError(f"cannot load {path}: {e}") from None
    if lib.dpsharp_abi_version_v1() != _ABI:
        raise DPSharpError(f"{path} implements ABI version {lib.dpsharp_abi_version_v1()}, this package needs {_ABI}")
    P = ctypes.POINTER
    dp, ip, vp = P(ctypes.c_double), P(ctypes.c_int), ctypes.c_void_p
    lib.dpsharp_last_error_v1.restype = ctypes.c_char_p
    lib.dpsharp_version_v1.restype = ctypes.c_char_p
    lib.dpsharp_model_load_v1.argtypes = [P(ctypes.c_char_p), ctypes.c_int, ctypes.c_char_p, P(vp)]
    lib.dpsharp_model_free_v1.argtypes = [vp]
    lib.dpsharp_model_free_v1.restype = None
    lib.dpsharp_model_info_v1.argtypes = [vp, ip, ip, dp]
    lib.dpsharp_type_map_v1.argtypes = [vp, ctypes.c_char_p, ctypes.c_size_t]
    lib.dpsharp_backend_v1.argtypes = [vp, ctypes.c_char_p, ctypes.c_size_t]
    lib.dpsharp_compute_v1.argtypes = [vp, ctypes.c_int, ctypes.c_int, dp, ip, dp, dp, dp, dp, dp, dp]
    _lib = lib
    return lib


def _check(lib, code):
    if code != 0:
        raise DPSharpError(lib.dpsharp_last_error_v1().decode("utf-8", "replace"))


def _ptr(a, ctype):
    return None if a is None else a.ctypes.data_as(ctypes.POINTER(ctype))


class Model:
    """One or more DeePMD-kit models (.dp / .yaml) loaded through libdpsharp.so; backend "auto" unless given."""

    def __init__(self, paths, backend="auto"):
        lib = _load()
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        encoded = [os.fsencode(p) for p in paths]
        arr = (ctypes.c_char_p * len(encoded))(*encoded)
        handle = ctypes.c_void_p()
        _check(lib, lib.dpsharp_model_load_v1(arr, len(encoded), backend.encode() if backend else None, ctypes.byref(handle)))
        self._lib, self._handle = lib, handle
        nmodels, ntypes, cutoff = ctypes.c_int(), ctypes.c_int(), ctypes.c_double()
        _check(lib, lib.dpsharp_model_info_v1(handle, ctypes.byref(nmodels), ctypes.byref(ntypes), ctypes.byref(cutoff)))
        self.nmodels, self.ntypes, self.cutoff = nmodels.value, ntypes.value, cutoff.value
        buf = ctypes.create_string_buffer(4096)
        _check(lib, lib.dpsharp_type_map_v1(handle, buf, len(buf)))
        self.type_map = buf.value.decode().split()
        _check(lib, lib.dpsharp_backend_v1(handle, buf, len(buf)))
        self.backend = buf.value.decode()

    def close(self):
        if getattr(self, "_handle", None):
            self._lib.dpsharp_model_free_v1(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

    def compute(self, coord, types, cell=None, index=0, atomic=False):
        """Energy (eV), forces (N, 3) eV/Å, virial (3, 3) eV [, per-atom energy (N,), per-atom virial (N, 3, 3)].

        coord: (N, 3) Å; types: (N,) model type indices; cell: (3, 3) rows = cell vectors (periodic), or None.
        """
        coord = np.ascontiguousarray(coord, dtype=np.float64).reshape(-1, 3)
        n = coord.shape[0]
        types = np.ascontiguousarray(types, dtype=np.intc).reshape(n)
        box = None if cell is None else np.ascontiguousarray(cell, dtype=np.float64).reshape(9)
        energy = ctypes.c_double()
        force = np.zeros((n, 3))
        virial = np.zeros(9)
        ae = np.zeros(n) if atomic else None
        av = np.zeros((n, 9)) if atomic else None
        c_double = ctypes.c_double
        _check(self._lib, self._lib.dpsharp_compute_v1(
            self._handle, index, n, _ptr(coord, c_double), _ptr(types, ctypes.c_int), _ptr(box, c_double),
            ctypes.byref(energy), _ptr(force, c_double), _ptr(virial, c_double), _ptr(ae, c_double), _ptr(av, c_double)))
        if atomic:
            return energy.value, force, virial.reshape(3, 3), ae, av.reshape(n, 3, 3)
        return energy.value, force, virial.reshape(3, 3)


def version():
    """The library's version string."""
    lib = _load()
    v = lib.dpsharp_version_v1()
    if v is None:
        raise DPSharpError(lib.dpsharp_last_error_v1().decode("utf-8", "replace"))
    return v.decode()
