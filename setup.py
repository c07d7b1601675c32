"""Build cytorch: every cytorch/_C/*.pyx becomes an extension linked with the
plain-C kernels in src_c/ (compiled once into a static library).

Environment switches:
  CYTORCH_DEBUG=1  Cython bounds/wraparound checks on, -O0 -g for the C code.
"""
import glob
import os
import sys

import numpy  # noqa: F401  (build requirement; headers are not needed)
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DEBUG = os.environ.get("CYTORCH_DEBUG", "") not in ("", "0")
# -fno-trapping-math lets gcc if-convert (and so vectorise) loops with float selects;
# we never rely on floating-point exceptions.
OPT = ["-O0", "-g"] if DEBUG else ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ftree-vectorize"]
CFLAGS = ["-std=c11", "-fopenmp", "-Wno-unused-function"] + OPT
if sys.platform == "darwin":  # Apple clang: OpenMP via libomp only when installed
    CFLAGS = [f for f in CFLAGS if f != "-fopenmp"]

kernels = ("ct_kernels", {
    "sources": sorted(glob.glob("src_c/*.c")),
    "include_dirs": ["src_c"],
    "cflags": CFLAGS + ["-fPIC"],
})

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": True,
    "embedsignature": True,
}

extensions = [
    Extension(
        "cytorch._C." + os.path.splitext(os.path.basename(pyx))[0],
        [pyx],
        include_dirs=["src_c"],
        # relink when a kernel changes: the static library is not a tracked input otherwise
        depends=sorted(glob.glob("src_c/*.c") + glob.glob("src_c/*.h")),
        extra_compile_args=[f for f in CFLAGS if f != "-std=c11"] + ["-Wno-unreachable-code"],
        extra_link_args=["-fopenmp"] if "-fopenmp" in CFLAGS else [],
    )
    for pyx in sorted(glob.glob("cytorch/_C/*.pyx"))
]



class BuildExt(build_ext):
    """Build the kernel library first, so `build_ext --inplace` works on its own."""

    def run(self):
        self.run_command("build_clib")
        super().run()


setup(
    cmdclass={"build_ext": BuildExt},
    libraries=[kernels],
    ext_modules=cythonize(extensions, compiler_directives=directives, nthreads=os.cpu_count() or 1),
)
