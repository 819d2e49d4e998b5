# ARMv8 (arm64): Raspberry Pi 3/4/5 running a 64-bit OS, arm64 drive SoCs.
# Uses Debian's cross gcc and the multiarch libraries in /usr/lib/aarch64-linux-gnu
# (installed by toolchains/install-deps.sh --cross). Tests run under qemu-user.
set(SHOAL_TARGET_TRIPLET aarch64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
