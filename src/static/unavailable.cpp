// Linked only into the static release binary (GREENLIGHT_STATIC=ON, cmake/StaticRelease.cmake).
//
// Three static archives greenlight links reach code in libraries Debian ships no static archive of:
//   - libpq: Kerberos (GSSAPI) authentication and encryption, and service lookups over LDAP;
//   - libarchive: the xar writer, which writes its table of contents with libxml2's text writer.
// greenlight never asks for them: its PostgreSQL connections use passwords or certificates, and it writes
// only pax tar archives. Each function here answers the way its library answers when the feature is not
// available, so a server that insists on Kerberos gets a clear refusal from libpq instead of a crash.
// The symbol names and return conventions are those of the GSSAPI (RFC 2744), OpenLDAP and libxml2 C APIs.

#include <cstddef>
#include <cstdint>

namespace {
using OM_uint32 = std::uint32_t;
constexpr OM_uint32 gss_complete = 0;
constexpr OM_uint32 gss_failure = 13U << 16U;  // GSS_S_FAILURE: "unspecified failure"
constexpr OM_uint32 gss_no_cred = 7U << 16U;   // GSS_S_NO_CRED: "no credentials were supplied"
constexpr int ldap_not_supported = -12;        // LDAP_NOT_SUPPORTED

OM_uint32 gss_fails(OM_uint32* minor_status, OM_uint32 major) {
    if (minor_status != nullptr) *minor_status = 0;
    return major;
}
}  // namespace

extern "C" {

// ---- GSSAPI: no credentials, no security contexts --------------------------------------------------------------
void* GSS_C_NT_HOSTBASED_SERVICE = nullptr;

OM_uint32 gss_acquire_cred(OM_uint32* minor_status, void*, OM_uint32, void*, int, void**, void**, OM_uint32*) {
    return gss_fails(minor_status, gss_no_cred);
}
OM_uint32 gss_import_name(OM_uint32* minor_status, void*, void*, void**) {
    return gss_fails(minor_status, gss_failure);
}
OM_uint32 gss_init_sec_context(OM_uint32* minor_status, void*, void**, void*, void*, OM_uint32, OM_uint32, void*, void*,
                               void*, void*, void*, OM_uint32*, OM_uint32*) {
    return gss_fails(minor_status, gss_no_cred);
}
OM_uint32 gss_wrap(OM_uint32* minor_status, void*, int, int, void*, int*, void*) {
    return gss_fails(minor_status, gss_failure);
}
OM_uint32 gss_unwrap(OM_uint32* minor_status, void*, void*, void*, int*, int*) {
    return gss_fails(minor_status, gss_failure);
}
OM_uint32 gss_wrap_size_limit(OM_uint32* minor_status, void*, int, int, OM_uint32, OM_uint32*) {
    return gss_fails(minor_status, gss_failure);
}
OM_uint32 gss_display_status(OM_uint32* minor_status, OM_uint32, int, void*, OM_uint32* message_context,
                             void* status_string) {
    // Leaves the buffer empty ({0, NULL}): libpq prints its own message around it.
    struct buffer {
        std::size_t length;
        void* value;
    };
    if (status_string != nullptr) *static_cast<buffer*>(status_string) = buffer{0, nullptr};
    if (message_context != nullptr) *message_context = 0;
    return gss_fails(minor_status, gss_complete);
}
OM_uint32 gss_delete_sec_context(OM_uint32* minor_status, void**, void*) {
    return gss_fails(minor_status, gss_complete);
}
OM_uint32 gss_release_buffer(OM_uint32* minor_status, void*) {
    return gss_fails(minor_status, gss_complete);
}
OM_uint32 gss_release_cred(OM_uint32* minor_status, void**) {
    return gss_fails(minor_status, gss_complete);
}
OM_uint32 gss_release_name(OM_uint32* minor_status, void**) {
    return gss_fails(minor_status, gss_complete);
}

// ---- OpenLDAP: no connection can be made -----------------------------------------------------------------------
void* ldap_init(const char*, int) {
    return nullptr;
}
int ldap_set_option(void*, int, const void*) {
    return ldap_not_supported;
}
int ldap_simple_bind(void*, const char*, const char*) {
    return -1;
}
int ldap_result(void*, int, int, void*, void** result) {
    if (result != nullptr) *result = nullptr;
    return -1;
}
int ldap_search_st(void*, const char*, int, const char*, char**, int, void*, void** result) {
    if (result != nullptr) *result = nullptr;
    return ldap_not_supported;
}
int ldap_count_entries(void*, void*) {
    return -1;
}
void* ldap_first_entry(void*, void*) {
    return nullptr;
}
void** ldap_get_values_len(void*, void*, const char*) {
    return nullptr;
}
void ldap_value_free_len(void**) {}
int ldap_msgfree(void*) {
    return 0;
}
int ldap_unbind(void*) {
    return 0;
}
const char* ldap_err2string(int) {
    return "LDAP is not available in this build of greenlight";
}

// ---- libxml2's text writer: every writer fails to start ------------------------------------------------------
void* xmlBufferCreate() {
    return nullptr;
}
void xmlBufferFree(void*) {}
void* xmlNewTextWriterMemory(void*, int) {
    return nullptr;
}
void xmlFreeTextWriter(void*) {}
int xmlTextWriterSetIndent(void*, int) {
    return -1;
}
int xmlTextWriterStartDocument(void*, const char*, const char*, const char*) {
    return -1;
}
int xmlTextWriterEndDocument(void*) {
    return -1;
}
int xmlTextWriterStartElement(void*, const void*) {
    return -1;
}
int xmlTextWriterEndElement(void*) {
    return -1;
}
int xmlTextWriterWriteAttribute(void*, const void*, const void*) {
    return -1;
}
int xmlTextWriterWriteFormatAttribute(void*, const void*, const char*, ...) {
    return -1;
}
int xmlTextWriterWriteString(void*, const void*) {
    return -1;
}
int xmlTextWriterWriteBase64(void*, const char*, int, int) {
    return -1;
}
int UTF8Toisolat1(unsigned char*, int*, const unsigned char*, int*) {
    return -1;
}

}  // extern "C"
