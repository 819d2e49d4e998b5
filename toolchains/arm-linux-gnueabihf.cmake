# ARMv7-A hard-float (armhf): Raspberry Pi 2/3 running a 32-bit OS, armhf drive SoCs.
# Uses Debian's cross gcc and the multiarch libraries in /usr/lib/arm-linux-gnueabihf
# (installed by toolchains/install-deps.sh --cross). Tests run under qemu-user.
set(SHOAL_TARGET_TRIPLET arm-linux-gnueabihf)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
