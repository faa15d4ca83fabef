# The fully static build (GREENLIGHT_STATIC=ON) the release archive and the .deb carry: glibc, libstdc++ and
# every third-party library linked into one binary, so it starts on any x86_64 Linux whatever glibc it has
# (docs/INSTALL.md, "Release archive: portability"). Included after the find_package calls; the find calls
# themselves already prefer static archives (CMAKE_FIND_LIBRARY_SUFFIXES is .a in this mode).

# An imported target of a package's CMake config points at its shared library: point it at the static archive
# the same package ships beside it.
function(greenlight_static_locations target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    return()
  endif()
  foreach(property IMPORTED_LOCATION IMPORTED_LOCATION_NONE IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION_RELWITHDEBINFO
                   IMPORTED_LOCATION_DEBUG IMPORTED_LOCATION_NOCONFIG)
    get_target_property(location ${target} ${property})
    if(location AND location MATCHES "\\.so(\\.[0-9.]+)?$")
      string(REGEX REPLACE "\\.so(\\.[0-9.]+)?$" ".a" archive "${location}")
      if(NOT EXISTS "${archive}")
        # Fine for a package found but not linked (fmt is compiled in from its headers); one that is linked
        # stops the link with "attempted static link of dynamic object" and the library's name.
        message(STATUS "static build: ${target} has no static archive (${archive})")
        continue()
      endif()
      set_target_properties(${target} PROPERTIES ${property} "${archive}" IMPORTED_SONAME "")
    endif()
  endforeach()
endfunction()

# A library the link needs that only a static archive's own dependencies name (pkg-config --static).
function(greenlight_static_archive variable name)
  find_library(${variable} NAMES lib${name}.a ${ARGN} REQUIRED NO_CACHE)
  set(${variable} ${${variable}} PARENT_SCOPE)
endfunction()

get_directory_property(greenlight_imported_targets IMPORTED_TARGETS)
foreach(target IN LISTS greenlight_imported_targets)
  greenlight_static_locations(${target})
endforeach()

# libarchive's own dependencies (Debian builds it with these; pkg-config --static --libs libarchive).
foreach(name nettle acl lzma zstd lz4 bz2 z)
  greenlight_static_archive(archive_dependency_${name} ${name})
  set_property(TARGET LibArchive::LibArchive APPEND PROPERTY INTERFACE_LINK_LIBRARIES ${archive_dependency_${name}})
endforeach()

# libpq's: PostgreSQL's common and port libraries, which Debian ships with the server's development files.
execute_process(COMMAND pg_config --pkglibdir OUTPUT_VARIABLE postgresql_libdir OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE pg_config_status)
if(NOT pg_config_status EQUAL 0)
  message(FATAL_ERROR "static build: pg_config (libpq-dev) is needed to find PostgreSQL's static libraries")
endif()
foreach(name pgcommon_shlib pgport_shlib)
  find_library(postgresql_${name} NAMES lib${name}.a PATHS ${postgresql_libdir} NO_DEFAULT_PATH REQUIRED NO_CACHE)
  set_property(TARGET PkgConfig::LIBPQ APPEND PROPERTY INTERFACE_LINK_LIBRARIES ${postgresql_${name}})
endforeach()

# What the static archives reach but greenlight never uses, and Debian ships no static archive of (Kerberos,
# LDAP, libxml2's writer): answered by src/static/unavailable.cpp, which fails every call.
target_sources(greenlight PRIVATE ${CMAKE_SOURCE_DIR}/src/static/unavailable.cpp)
target_link_options(greenlight PRIVATE -static)

# Which Debian packages' code the binary carries, with their copyright files: read off the link map after each
# link (scripts/third-party-notices.sh) and installed beside greenlight's own licence.
target_link_options(greenlight PRIVATE -Wl,-Map=${CMAKE_BINARY_DIR}/greenlight.map)
add_custom_command(TARGET greenlight POST_BUILD
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/third-party-notices.sh ${CMAKE_BINARY_DIR}/greenlight.map
          ${CMAKE_BINARY_DIR}/third-party
  COMMENT "Listing the third-party code linked into greenlight"
  VERBATIM)
install(DIRECTORY ${CMAKE_BINARY_DIR}/third-party/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/greenlight/third-party)
