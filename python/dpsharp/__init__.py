"""DeepMD.Sharp from Python: a ctypes binding of the C ABI (libdpsharp.so, docs/c-api.md) and an ASE calculator.

    from dpsharp.calculator import DPSharp
    atoms.calc = DPSharp("water.dp")

The library is found through DPSHARP_LIBRARY (the path of libdpsharp.so), else next to this package, else in the
build output of the clone this package sits in (src/DeepMD.Sharp.Native/bin/Release/net10.0/). See docs/python.md.
"""

from ._native import DPSharpError, Model, library_path, version

__all__ = ["DPSharpError", "Model", "library_path", "version"]
