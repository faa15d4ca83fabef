# The .deb (`make release` runs cpack -G DEB in the release build): what `cmake --install` lays out under /usr.
# Depends is computed by dpkg-shlibdeps from the binary; the release binary is static, so it needs no library.
set(CPACK_PACKAGE_NAME greenlight)
set(CPACK_PACKAGE_VENDOR "The greenlight authors")
set(CPACK_PACKAGE_CONTACT "The greenlight authors <greenlight@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "test runner and CI evidence tool: tiers, bundles, gates, checks, bridge, watchdog")
set(CPACK_PACKAGE_DESCRIPTION
  "greenlight runs a repository's test suites by tier and proves what ran, writes artifact bundles whose\
 manifests prove nothing was lost, gates changes by risk and coverage, checks repository hygiene, drives\
 remote jobs on z/OSMF-compatible hosts and watches that successful runs keep arriving.")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/greenlight-ci/greenlight")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# git: the commit, diff and change facts of `run`, `gate` and `check` come from it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS git)
set(CPACK_GENERATOR DEB)
include(CPack)
