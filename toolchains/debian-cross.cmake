# Shared part of the Debian cross toolchain files. The including file sets
# SHOAL_TARGET_TRIPLET and CMAKE_SYSTEM_PROCESSOR.
#
# No CMAKE_SYSROOT: Debian's cross gcc already searches /usr/lib/<triplet> and
# /usr/include/<triplet>, where dpkg multiarch puts the target's -dev packages.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${SHOAL_TARGET_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SHOAL_TARGET_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${SHOAL_TARGET_TRIPLET})

# pkg-config must describe the target's libraries, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${SHOAL_TARGET_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Look for programs on the host, for libraries and headers in the target's places only.
set(CMAKE_FIND_ROOT_PATH /usr/${SHOAL_TARGET_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# ctest (and Catch2 test discovery) run target binaries through qemu-user.
# Running without -L uses the multiarch glibc and libstdc++6:<arch> that
# install-deps.sh installs, so threaded programs work (see docs/building.md).
if(SHOAL_TARGET_TRIPLET STREQUAL "aarch64-linux-gnu")
  set(_shoal_qemu qemu-aarch64)
else()
  set(_shoal_qemu qemu-arm)
endif()
find_program(SHOAL_QEMU_USER ${_shoal_qemu})
if(NOT SHOAL_QEMU_USER)
  message(WARNING "${_shoal_qemu} not found: cross-built tests cannot run (install qemu-user)")
  set(SHOAL_QEMU_USER ${_shoal_qemu})
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR "${SHOAL_QEMU_USER}")
