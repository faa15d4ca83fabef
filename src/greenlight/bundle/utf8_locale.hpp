// Makes libarchive treat names as UTF-8 on this thread, whatever locale the process runs in.
#pragma once

#include <locale.h>

namespace greenlight::bundle {

// libarchive converts entry names through the current locale's charset: under the "C" locale a
// non-ASCII name would be stored differently than under a UTF-8 one, and packing would stop being
// deterministic. Switching only this thread (uselocale) leaves the rest of the program alone.
class ScopedUtf8Locale {
public:
    ScopedUtf8Locale() {
        for (const char* name : {"C.UTF-8", "C.utf8", "en_US.UTF-8"}) {
            m_utf8 = ::newlocale(LC_CTYPE_MASK, name, static_cast<locale_t>(nullptr));
            if (m_utf8) break;
        }
        if (m_utf8) m_previous = ::uselocale(m_utf8);
    }
    ~ScopedUtf8Locale() {
        if (!m_utf8) return;
        ::uselocale(m_previous);
        ::freelocale(m_utf8);
    }
    ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
    ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

private:
    locale_t m_utf8 = static_cast<locale_t>(nullptr);
    locale_t m_previous = static_cast<locale_t>(nullptr);
};

}  // namespace greenlight::bundle
