# Writes the source of greenlight's version information (src/greenlight/version.cpp.in) with the commit the
# tree is at and the build date. Run by the build every time (target greenlight_version_source); the file is
# rewritten only when a value changed, so a new commit recompiles this one file and relinks, nothing else.
#
#   cmake -DSOURCE_DIR=... -DTEMPLATE=... -DOUTPUT=... -DVERSION=0.2.0 [-DGIT=/usr/bin/git] [-DCOMMIT=abc123]
#         -P cmake/version.cmake
#
# COMMIT, when given, wins (a release built from an archive names its commit); otherwise the short hash of
# HEAD with "-dirty" when tracked files differ from it, or "unknown" when SOURCE_DIR is not the top of a git
# work tree (an unpacked archive inside some other repository must not report that repository's commit).
# The date is UTC; string(TIMESTAMP) takes it from SOURCE_DATE_EPOCH when that is set (reproducible builds).
cmake_minimum_required(VERSION 3.25)

foreach(required SOURCE_DIR TEMPLATE OUTPUT VERSION)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "version.cmake: -D${required}=... is required")
  endif()
endforeach()

set(GREENLIGHT_VERSION "${VERSION}")
set(GREENLIGHT_COMMIT "${COMMIT}")
if(GREENLIGHT_COMMIT STREQUAL "")
  set(GREENLIGHT_COMMIT unknown)
  if(GIT)
    execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" rev-parse --show-toplevel
                    OUTPUT_VARIABLE top RESULT_VARIABLE top_status OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(top_status EQUAL 0)
      file(REAL_PATH "${top}" top)
      file(REAL_PATH "${SOURCE_DIR}" source)
    endif()
    if(top_status EQUAL 0 AND top STREQUAL source)
      execute_process(COMMAND "${GIT}" -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                      OUTPUT_VARIABLE head RESULT_VARIABLE head_status OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      # --no-optional-locks: the build only looks; it must not race a git command the developer runs.
      execute_process(COMMAND "${GIT}" --no-optional-locks -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                      OUTPUT_VARIABLE changes RESULT_VARIABLE status_status ERROR_QUIET)
      if(head_status EQUAL 0 AND status_status EQUAL 0 AND NOT head STREQUAL "")
        set(GREENLIGHT_COMMIT "${head}")
        if(NOT changes STREQUAL "")
          string(APPEND GREENLIGHT_COMMIT "-dirty")
        endif()
      endif()
    endif()
  endif()
endif()
string(TIMESTAMP GREENLIGHT_BUILD_DATE "%Y-%m-%d" UTC)

# configure_file leaves the output untouched when its content would not change.
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
