# VIGIL_CUDA=AUTO|ON|OFF: whether the CUDA backend (detector/src/cuda/) is built.
# AUTO builds it when nvcc is found (on PATH or in /usr/local/cuda); ON requires it.
# VIGIL_HAVE_CUDA tells the parts whether CUDA is enabled.
set(VIGIL_HAVE_CUDA OFF)
if(NOT VIGIL_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(VIGIL_HAVE_CUDA ON)
    # The backend itself (detector/src/cuda/) is future work; this validates the toolchain.
    message(STATUS "vigil: CUDA ${CMAKE_CUDA_COMPILER_VERSION} toolchain found (VIGIL_HAVE_CUDA)")
  elseif(VIGIL_CUDA STREQUAL "ON")
    message(FATAL_ERROR "VIGIL_CUDA=ON but no CUDA compiler (nvcc) was found")
  else()
    message(STATUS "vigil: no CUDA compiler found; CUDA backend not built")
  endif()
endif()
